#include "policy/device_state.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

extern char** environ;

namespace holo::policy {
namespace {

namespace fs = std::filesystem;

std::string join(const std::string& root, const std::string& abs) {
    if (root.empty() || root == "/") return abs;
    std::string r = root;
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    return r + abs;
}

std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    std::string s = ss.str();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

std::optional<double> read_number(const std::string& path) {
    auto t = read_text(path);
    if (!t || t->empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(t->c_str(), &end);
    if (end == t->c_str() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<fs::path> sorted_entries(const std::string& dir, const std::string& prefix) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().filename().string().rfind(prefix, 0) == 0) out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<bool> charging_from_status(const std::string& status) {
    std::string s = lower(status);
    if (s == "charging" || s == "full") return true;
    if (s == "discharging" || s == "not charging" || s == "not_charging") return false;
    return std::nullopt;
}

// /proc/meminfo values are in kB.
void probe_meminfo(const std::string& root, device_state& st) {
    std::ifstream in(join(root, "/proc/meminfo"));
    if (!in) return;
    std::string line;
    std::optional<int64_t> avail, free_, buffers, cached, swap;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon);
        char* end = nullptr;
        long long kb = std::strtoll(line.c_str() + colon + 1, &end, 10);
        if (end == line.c_str() + colon + 1 || kb < 0) continue;
        int64_t bytes = int64_t(kb) * 1024;
        if (key == "MemAvailable") avail = bytes;
        else if (key == "MemFree") free_ = bytes;
        else if (key == "Buffers") buffers = bytes;
        else if (key == "Cached") cached = bytes;
        else if (key == "SwapFree") swap = bytes;
    }
    // Kernels before 3.14 have no MemAvailable: free + page cache is the usual estimate.
    if (!avail && free_) avail = *free_ + buffers.value_or(0) + cached.value_or(0);
    if (avail) {
        st.free_ram = avail;
        st.sources.push_back("free_ram: /proc/meminfo");
    }
    if (swap) {
        st.free_swap = swap;
        st.sources.push_back("free_swap: /proc/meminfo SwapFree");
    }
}

// A container's memory limit caps what we may use whatever the host has free.
void probe_cgroup(const std::string& root, device_state& st) {
    struct pair_paths { const char* limit; const char* usage; const char* name; };
    const pair_paths candidates[] = {
        {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "cgroup v2"},
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes", "cgroup v1"},
    };
    for (const auto& c : candidates) {
        auto limit_text = read_text(join(root, c.limit));
        if (!limit_text) continue;
        if (*limit_text == "max") return;
        auto limit = read_number(join(root, c.limit));
        auto usage = read_number(join(root, c.usage));
        // v1 reports "no limit" as a huge page-rounded number.
        if (!limit || !usage || *limit >= 9.0e18 || *limit <= 0) return;
        int64_t room = std::max<int64_t>(0, int64_t(*limit) - int64_t(*usage));
        if (!st.free_ram || room < *st.free_ram) {
            st.free_ram = room;
            st.sources.push_back(std::string("free_ram: ") + c.name + " limit - usage");
        }
        return;
    }
}

void probe_thermal(const std::string& root, device_state& st) {
    const std::string dir = join(root, "/sys/class/thermal");
    std::optional<double> cpu_max, any_max;
    for (const auto& z : sorted_entries(dir, "thermal_zone")) {
        auto t = read_number((z / "temp").string());
        if (!t) continue;
        double c = *t / 1000.0;  // millidegrees Celsius
        std::string type = lower(read_text((z / "type").string()).value_or(""));
        bool cpu_like = type.find("cpu") != std::string::npos || type.find("pkg") != std::string::npos ||
                        type.find("soc") != std::string::npos || type.find("core") != std::string::npos ||
                        type.find("tsens") != std::string::npos;
        any_max = std::max(any_max.value_or(c), c);
        if (cpu_like) cpu_max = std::max(cpu_max.value_or(c), c);
    }
    if (cpu_max || any_max) {
        st.cpu_temp_c = cpu_max ? cpu_max : any_max;
        st.sources.push_back(std::string("cpu_temp: /sys/class/thermal (") + (cpu_max ? "CPU zones" : "all zones") + ")");
    }
    bool seen = false, active = false;
    for (const auto& d : sorted_entries(dir, "cooling_device")) {
        std::string type = lower(read_text((d / "type").string()).value_or(""));
        if (type.find("processor") == std::string::npos && type.find("cpufreq") == std::string::npos &&
            type.find("cpu") == std::string::npos) {
            continue;
        }
        auto cur = read_number((d / "cur_state").string());
        if (!cur) continue;
        seen = true;
        if (*cur > 0) active = true;
    }
    if (seen) {
        st.throttled = active;
        st.sources.push_back("throttled: /sys/class/thermal cooling devices");
    }
}

bool executable(const std::string& path) {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> find_in_path(const std::string& cmd) {
    if (cmd.find('/') != std::string::npos) return executable(cmd) ? std::optional(cmd) : std::nullopt;
    const char* p = std::getenv("PATH");
    if (!p) return std::nullopt;
    std::stringstream ss(p);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        std::string full = dir + "/" + cmd;
        if (executable(full)) return full;
    }
    return std::nullopt;
}

}  // namespace

battery_reading probe_sysfs_battery(const std::string& root) {
    battery_reading r;
    std::optional<bool> external_online;
    for (const auto& d : sorted_entries(join(root, "/sys/class/power_supply"), "")) {
        std::string type = lower(read_text((d / "type").string()).value_or(""));
        if (type == "battery") {
            // Peripheral batteries (mice, headsets) say scope=Device; only the system's counts.
            if (lower(read_text((d / "scope").string()).value_or("")) == "device") continue;
            if (r.pct) continue;  // first system battery wins
            if (auto cap = read_number((d / "capacity").string()); cap && *cap >= 0 && *cap <= 100) r.pct = *cap;
            if (auto status = read_text((d / "status").string())) r.charging = charging_from_status(*status);
        } else if (type == "mains" || type == "usb" || type == "usb_c" || type == "usb_pd" || type == "wireless") {
            if (auto on = read_number((d / "online").string())) {
                external_online = external_online.value_or(false) || *on > 0;
            }
        }
    }
    if (!r.charging && r.pct && external_online) r.charging = external_online;
    return r;
}

battery_reading parse_termux_battery(const std::string& json_text) {
    battery_reading r;
    auto j = nlohmann::json::parse(json_text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return r;
    if (auto it = j.find("percentage"); it != j.end() && it->is_number()) {
        double v = it->get<double>();
        if (v >= 0 && v <= 100) r.pct = v;
    }
    if (auto it = j.find("status"); it != j.end() && it->is_string()) {
        r.charging = charging_from_status(it->get<std::string>());
    }
    if (!r.charging) {
        if (auto it = j.find("plugged"); it != j.end() && it->is_string()) {
            std::string p = lower(it->get<std::string>());
            if (p == "unplugged") r.charging = false;
        }
    }
    return r;
}

std::optional<std::string> run_with_timeout(const std::string& cmd, int timeout_ms) {
    auto path = find_in_path(cmd);
    if (!path) return std::nullopt;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::string p = *path;
    char* argv[] = {p.data(), nullptr};
    pid_t pid = -1;
    int rc = posix_spawn(&pid, p.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return std::nullopt;
    }
    std::string out;
    bool timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) { timed_out = true; break; }
        pollfd pfd{fds[0], POLLIN, 0};
        int pr = ::poll(&pfd, 1, int(left.count()));
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) { timed_out = pr == 0; break; }
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, size_t(n));
        if (out.size() > (1u << 20)) { timed_out = true; break; }  // not battery JSON
    }
    ::close(fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return out;
}

device_state probe_device(const probe_options& opt) {
    device_state st;
    auto b = probe_sysfs_battery(opt.root);
    if (b.pct) st.sources.push_back("battery: /sys/class/power_supply");
    // Android hides power_supply from apps; Termux's API command fills the gaps.
    if ((!b.pct || !b.charging) && !opt.termux_battery_cmd.empty()) {
        std::optional<std::string> out;
        if (opt.cache) {
            std::lock_guard<std::mutex> lock(opt.cache->mutex);
            const double now =
                std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
            if (!opt.cache->valid || now - opt.cache->at_s >= opt.termux_cache_s) {
                opt.cache->text = run_with_timeout(opt.termux_battery_cmd, opt.termux_timeout_ms);
                opt.cache->at_s = now;
                opt.cache->valid = true;
            }
            out = opt.cache->text;
        } else {
            out = run_with_timeout(opt.termux_battery_cmd, opt.termux_timeout_ms);
        }
        if (auto text = out) {
            auto t = parse_termux_battery(*text);
            if (!b.pct && t.pct) {
                b.pct = t.pct;
                st.sources.push_back("battery: " + opt.termux_battery_cmd);
            }
            if (!b.charging && t.charging) b.charging = t.charging;
        }
    }
    st.battery_pct = b.pct;
    st.charging = b.charging;
    probe_meminfo(opt.root, st);
    probe_cgroup(opt.root, st);
    probe_thermal(opt.root, st);
    // free_gpu_mem stays unknown: there is no CUDA backend in this build.
    return st;
}

std::optional<int64_t> parse_bytes(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
    std::string unit = lower(std::string(end));
    if (!unit.empty() && unit.back() == 'b') unit.pop_back();
    if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();  // GiB, MiB
    double mul = 1;
    if (unit.empty()) mul = 1;
    else if (unit == "k") mul = 1024.0;
    else if (unit == "m") mul = 1024.0 * 1024;
    else if (unit == "g") mul = 1024.0 * 1024 * 1024;
    else if (unit == "t") mul = 1024.0 * 1024 * 1024 * 1024;
    else return std::nullopt;
    double bytes = v * mul;
    if (bytes > 9.0e18) return std::nullopt;
    return int64_t(bytes);
}

std::string format_bytes(int64_t bytes) {
    const char* units[] = {"B", "K", "M", "G", "T"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) { v /= 1024; ++u; }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
    return buf;
}

std::string describe(const device_state& s) {
    auto num = [](const std::optional<double>& v, const char* suffix) {
        if (!v) return std::string("unknown");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g%s", *v, suffix);
        return std::string(buf);
    };
    auto bytes = [](const std::optional<int64_t>& v) { return v ? format_bytes(*v) : std::string("unknown"); };
    auto flag = [](const std::optional<bool>& v) { return v ? std::string(*v ? "yes" : "no") : std::string("unknown"); };
    std::string out;
    out += "battery: " + num(s.battery_pct, "%") + "\n";
    out += "charging: " + flag(s.charging) + "\n";
    out += "free_ram: " + bytes(s.free_ram) + "\n";
    out += "free_swap: " + bytes(s.free_swap) + "\n";
    out += "cpu_temp: " + num(s.cpu_temp_c, "C") + "\n";
    out += "throttled: " + flag(s.throttled) + "\n";
    out += "free_gpu_mem: " + bytes(s.free_gpu_mem) + "\n";
    out += "load: " + std::to_string(s.load) + "\n";
    return out;
}

}  // namespace holo::policy
