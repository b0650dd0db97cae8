// What the machine looks like right now, for choosing a model: battery, charging,
// free RAM/swap (cgroup-limited), CPU temperature and throttling, free GPU memory,
// and server load. Every probe reads under a root directory so tests can point it
// at fake /sys and /proc trees; a source that is missing or unreadable is unknown
// (std::nullopt), never an error.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace holo::policy {

struct device_state {
    std::optional<double> battery_pct;      // 0..100
    std::optional<bool> charging;           // charging or full on external power
    std::optional<int64_t> free_ram;        // bytes available to us (min of host and cgroup)
    std::optional<int64_t> free_swap;       // bytes
    std::optional<double> cpu_temp_c;       // hottest CPU-like thermal zone
    std::optional<bool> throttled;          // a CPU cooling device is active
    std::optional<int64_t> free_gpu_mem;    // bytes; unknown unless built with CUDA
    int64_t load = 0;                       // active + queued requests (the server passes it)
    std::vector<std::string> sources;       // where each known value came from, for --explain
};

// termux-battery-status takes hundreds of milliseconds (it asks an Android
// service), too slow to run for every request: the server keeps its last answer
// this long. Shared between probes of one router.
struct termux_cache {
    std::mutex mutex;
    double at_s = 0;  // steady clock
    bool valid = false;
    std::optional<std::string> text;
};

struct probe_options {
    std::string root = "/";                              // prefix for /sys and /proc
    std::string termux_battery_cmd = "termux-battery-status";  // bare name: searched in PATH
    int termux_timeout_ms = 2000;
    std::shared_ptr<termux_cache> cache;                 // null: run the command every probe
    double termux_cache_s = 5;
};

device_state probe_device(const probe_options& opt);

// The pieces, exposed for tests.
struct battery_reading {
    std::optional<double> pct;
    std::optional<bool> charging;
};
battery_reading probe_sysfs_battery(const std::string& root);
// Parses termux-battery-status JSON ({"percentage": 57, "status": "CHARGING", ...}).
battery_reading parse_termux_battery(const std::string& json_text);
// Runs the command if it exists and is executable, killing it after timeout_ms.
std::optional<std::string> run_with_timeout(const std::string& cmd, int timeout_ms);

// "12.5G", "512M", "4096K", "1T", plain bytes. Binary units. nullopt when malformed.
std::optional<int64_t> parse_bytes(const std::string& text);
std::string format_bytes(int64_t bytes);
std::string describe(const device_state& s);  // one "name: value" per line

}  // namespace holo::policy
