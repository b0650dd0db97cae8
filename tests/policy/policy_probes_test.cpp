// Device-state probes over fake /sys and /proc trees in temp dirs and fake
// termux-battery-status scripts: each source read right, missing or garbled
// sources are unknown (never errors), cgroup limits cap free RAM, a hanging
// Termux command is killed at its timeout.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "policy/device_state.h"
#include "test_util.h"

namespace holo::policy {
namespace {

namespace fs = std::filesystem;

void put(const std::string& root, const std::string& rel, const std::string& text) {
    fs::path p = fs::path(root) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string script(const std::string& dir, const std::string& name, const std::string& body) {
    fs::create_directories(dir);
    std::string p = dir + "/" + name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    ::chmod(p.c_str(), 0755);
    return p;
}

probe_options opts(const std::string& root) {
    probe_options o;
    o.root = root;
    o.termux_battery_cmd = root + "/no-such-termux-command";
    return o;
}

TEST(policy_probes, empty_root_is_all_unknown) {
    std::string root = test::temp_path("probe_empty");
    fs::create_directories(root);
    auto st = probe_device(opts(root));
    EXPECT_FALSE(st.battery_pct);
    EXPECT_FALSE(st.charging);
    EXPECT_FALSE(st.free_ram);
    EXPECT_FALSE(st.free_swap);
    EXPECT_FALSE(st.cpu_temp_c);
    EXPECT_FALSE(st.throttled);
    EXPECT_FALSE(st.free_gpu_mem);
    EXPECT_NE(describe(st).find("battery: unknown"), std::string::npos);
}

TEST(policy_probes, sysfs_battery_and_charging) {
    std::string root = test::temp_path("probe_bat");
    put(root, "sys/class/power_supply/AC/type", "Mains\n");
    put(root, "sys/class/power_supply/AC/online", "0\n");
    put(root, "sys/class/power_supply/BAT0/type", "Battery\n");
    put(root, "sys/class/power_supply/BAT0/capacity", "37\n");
    put(root, "sys/class/power_supply/BAT0/status", "Discharging\n");
    // A mouse's battery must not count.
    put(root, "sys/class/power_supply/hidpp_battery_0/type", "Battery\n");
    put(root, "sys/class/power_supply/hidpp_battery_0/scope", "Device\n");
    put(root, "sys/class/power_supply/hidpp_battery_0/capacity", "90\n");
    auto st = probe_device(opts(root));
    ASSERT_TRUE(st.battery_pct);
    EXPECT_DOUBLE_EQ(*st.battery_pct, 37);
    ASSERT_TRUE(st.charging);
    EXPECT_FALSE(*st.charging);

    put(root, "sys/class/power_supply/BAT0/status", "Charging\n");
    st = probe_device(opts(root));
    EXPECT_TRUE(st.charging.value_or(false));
    put(root, "sys/class/power_supply/BAT0/status", "Full\n");
    EXPECT_TRUE(probe_device(opts(root)).charging.value_or(false));
    put(root, "sys/class/power_supply/BAT0/status", "Not charging\n");
    EXPECT_FALSE(probe_device(opts(root)).charging.value_or(true));
    // Status unknown: mains online says charging.
    put(root, "sys/class/power_supply/BAT0/status", "Unknown\n");
    put(root, "sys/class/power_supply/AC/online", "1\n");
    EXPECT_TRUE(probe_device(opts(root)).charging.value_or(false));
}

TEST(policy_probes, garbled_battery_is_unknown) {
    std::string root = test::temp_path("probe_bad_bat");
    put(root, "sys/class/power_supply/BAT0/type", "Battery\n");
    put(root, "sys/class/power_supply/BAT0/capacity", "lots\n");
    EXPECT_FALSE(probe_device(opts(root)).battery_pct);
    put(root, "sys/class/power_supply/BAT0/capacity", "250\n");
    EXPECT_FALSE(probe_device(opts(root)).battery_pct);
}

TEST(policy_probes, termux_json_fills_in_when_sysfs_has_no_battery) {
    std::string root = test::temp_path("probe_termux");
    fs::create_directories(root);
    auto o = opts(root);
    o.termux_battery_cmd = script(root + "/bin", "termux-battery-status",
                                  "echo '{\"health\":\"GOOD\",\"percentage\":64,\"plugged\":\"UNPLUGGED\","
                                  "\"status\":\"DISCHARGING\",\"temperature\":30.1,\"current\":-300}'");
    auto st = probe_device(o);
    ASSERT_TRUE(st.battery_pct);
    EXPECT_DOUBLE_EQ(*st.battery_pct, 64);
    ASSERT_TRUE(st.charging);
    EXPECT_FALSE(*st.charging);

    o.termux_battery_cmd = script(root + "/bin", "charging", "echo '{\"percentage\":12,\"status\":\"CHARGING\"}'");
    st = probe_device(o);
    EXPECT_DOUBLE_EQ(st.battery_pct.value_or(-1), 12);
    EXPECT_TRUE(st.charging.value_or(false));

    // sysfs wins when it has a battery; Termux is not consulted for the level.
    put(root, "sys/class/power_supply/battery/type", "Battery\n");
    put(root, "sys/class/power_supply/battery/capacity", "80\n");
    put(root, "sys/class/power_supply/battery/status", "Discharging\n");
    st = probe_device(o);
    EXPECT_DOUBLE_EQ(st.battery_pct.value_or(-1), 80);
    EXPECT_FALSE(st.charging.value_or(true));
}

TEST(policy_probes, termux_failures_are_unknown) {
    std::string root = test::temp_path("probe_termux_bad");
    fs::create_directories(root);
    auto o = opts(root);
    o.termux_battery_cmd = script(root + "/bin", "garbage", "echo 'not json'");
    EXPECT_FALSE(probe_device(o).battery_pct);
    o.termux_battery_cmd = script(root + "/bin", "fails", "echo '{\"percentage\":50}'; exit 3");
    EXPECT_FALSE(probe_device(o).battery_pct);
    // Not executable: not run.
    std::string plain = root + "/bin/plain";
    std::ofstream(plain) << "#!/bin/sh\necho '{\"percentage\":50}'\n";
    o.termux_battery_cmd = plain;
    EXPECT_FALSE(probe_device(o).battery_pct);
    // Hangs: killed at the timeout.
    o.termux_battery_cmd = script(root + "/bin", "hangs", "exec sleep 30");
    o.termux_timeout_ms = 200;
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(probe_device(o).battery_pct);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(s, 5.0) << "the hanging command was not killed at its 200 ms timeout";
}

TEST(policy_probes, termux_answer_is_cached_when_asked) {
    std::string root = test::temp_path("probe_termux_cache");
    fs::create_directories(root);
    auto o = opts(root);
    std::string count = root + "/runs";
    o.termux_battery_cmd = script(root + "/bin", "counted", "echo x >> " + count + "; echo '{\"percentage\":40}'");
    o.cache = std::make_shared<termux_cache>();
    o.termux_cache_s = 60;
    for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(probe_device(o).battery_pct.value_or(-1), 40);
    auto lines = [&] {
        std::ifstream in(count);
        int n = 0;
        for (std::string l; std::getline(in, l);) ++n;
        return n;
    };
    EXPECT_EQ(lines(), 1) << "three probes within the cache time ran the command more than once";
    o.termux_cache_s = 0;
    EXPECT_DOUBLE_EQ(probe_device(o).battery_pct.value_or(-1), 40);
    EXPECT_EQ(lines(), 2);
    o.cache.reset();
    (void)probe_device(o);
    EXPECT_EQ(lines(), 3);
}

TEST(policy_probes, parse_termux_battery_fields) {
    auto r = parse_termux_battery(R"({"percentage": 99, "status": "FULL"})");
    EXPECT_DOUBLE_EQ(r.pct.value_or(-1), 99);
    EXPECT_TRUE(r.charging.value_or(false));
    r = parse_termux_battery(R"({"percentage": "99"})");
    EXPECT_FALSE(r.pct);
    r = parse_termux_battery("[1,2]");
    EXPECT_FALSE(r.pct);
    EXPECT_FALSE(r.charging);
}

TEST(policy_probes, meminfo_and_swap) {
    std::string root = test::temp_path("probe_mem");
    put(root, "proc/meminfo",
        "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8388608 kB\n"
        "Buffers:          100000 kB\nCached:          2000000 kB\nSwapTotal:       2097152 kB\nSwapFree:        1048576 kB\n");
    auto st = probe_device(opts(root));
    EXPECT_EQ(st.free_ram.value_or(-1), int64_t(8388608) * 1024);
    EXPECT_EQ(st.free_swap.value_or(-1), int64_t(1) << 30);
    // Old kernels: no MemAvailable, free + buffers + cached.
    put(root, "proc/meminfo", "MemFree: 1000 kB\nBuffers: 24 kB\nCached: 1000 kB\n");
    st = probe_device(opts(root));
    EXPECT_EQ(st.free_ram.value_or(-1), int64_t(2024) * 1024);
    EXPECT_FALSE(st.free_swap);
}

TEST(policy_probes, cgroup_v2_limit_caps_free_ram) {
    std::string root = test::temp_path("probe_cg2");
    put(root, "proc/meminfo", "MemAvailable: 33554432 kB\nSwapFree: 0 kB\n");  // 32 GiB
    put(root, "sys/fs/cgroup/memory.max", "4294967296\n");                      // 4 GiB
    put(root, "sys/fs/cgroup/memory.current", "1073741824\n");                  // 1 GiB used
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), int64_t(3) << 30);
    put(root, "sys/fs/cgroup/memory.max", "max\n");
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), int64_t(32) << 30);
    // Usage over the limit: nothing free, never negative.
    put(root, "sys/fs/cgroup/memory.max", "1000\n");
    put(root, "sys/fs/cgroup/memory.current", "5000\n");
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), 0);
}

TEST(policy_probes, cgroup_v1_limit_and_no_limit) {
    std::string root = test::temp_path("probe_cg1");
    put(root, "proc/meminfo", "MemAvailable: 8388608 kB\n");  // 8 GiB
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n");
    put(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "1073741824\n");
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), int64_t(1) << 30);
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");  // v1's "unlimited"
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), int64_t(8) << 30);
    // A limit without meminfo still tells us something.
    fs::remove(fs::path(root) / "proc/meminfo");
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "3000\n");
    put(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "1000\n");
    EXPECT_EQ(probe_device(opts(root)).free_ram.value_or(-1), 2000);
}

TEST(policy_probes, thermal_zones_and_throttling) {
    std::string root = test::temp_path("probe_thermal");
    put(root, "sys/class/thermal/thermal_zone0/type", "acpitz\n");
    put(root, "sys/class/thermal/thermal_zone0/temp", "95000\n");
    put(root, "sys/class/thermal/thermal_zone1/type", "x86_pkg_temp\n");
    put(root, "sys/class/thermal/thermal_zone1/temp", "71500\n");
    put(root, "sys/class/thermal/thermal_zone2/type", "cpu-1-0-usr\n");
    put(root, "sys/class/thermal/thermal_zone2/temp", "68000\n");
    put(root, "sys/class/thermal/cooling_device0/type", "Processor\n");
    put(root, "sys/class/thermal/cooling_device0/cur_state", "0\n");
    put(root, "sys/class/thermal/cooling_device1/type", "Fan\n");
    put(root, "sys/class/thermal/cooling_device1/cur_state", "3\n");
    auto st = probe_device(opts(root));
    // The hottest CPU-like zone, not the ACPI one.
    EXPECT_NEAR(st.cpu_temp_c.value_or(-1), 71.5, 1e-9);
    ASSERT_TRUE(st.throttled);
    EXPECT_FALSE(*st.throttled);  // fans do not count
    put(root, "sys/class/thermal/cooling_device0/cur_state", "2\n");
    EXPECT_TRUE(probe_device(opts(root)).throttled.value_or(false));
    // Only non-CPU zones: use the hottest of them.
    fs::remove_all(fs::path(root) / "sys/class/thermal/thermal_zone1");
    fs::remove_all(fs::path(root) / "sys/class/thermal/thermal_zone2");
    EXPECT_NEAR(probe_device(opts(root)).cpu_temp_c.value_or(-1), 95.0, 1e-9);
}

TEST(policy_probes, parse_bytes_units) {
    EXPECT_EQ(parse_bytes("8G").value_or(-1), int64_t(8) << 30);
    EXPECT_EQ(parse_bytes("512M").value_or(-1), int64_t(512) << 20);
    EXPECT_EQ(parse_bytes("1.5GiB").value_or(-1), int64_t(3) << 29);
    EXPECT_EQ(parse_bytes("4096").value_or(-1), 4096);
    EXPECT_EQ(parse_bytes("2k").value_or(-1), 2048);
    EXPECT_FALSE(parse_bytes("8Q"));
    EXPECT_FALSE(parse_bytes("-1G"));
    EXPECT_FALSE(parse_bytes(""));
}

}  // namespace
}  // namespace holo::policy
