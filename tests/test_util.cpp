#include "test_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "model/synth.h"

extern char** environ;

namespace holo::test {

std::string source_dir() { return HOLO_SOURCE_DIR; }
std::string binary_dir() { return HOLO_BINARY_DIR; }

std::string temp_path(const std::string& name) {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("holo_test_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return (dir / name).string();
}

std::string write_tiny_model(const std::string& name) {
    synth_options o;
    o.preset = "tiny-qwen3moe";
    o.type = "q8_0";
    o.output_path = temp_path(name);
    o.progress = false;
    auto r = write_synth_model(o);
    if (!r.ok()) {
        std::fprintf(stderr, "synth %s: %s\n", o.output_path.c_str(), r.message().c_str());
        return "";
    }
    return o.output_path;
}

double relative_rmse(const std::vector<float>& ref, const std::vector<float>& got) {
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
        double d = double(ref[i]) - got[i];
        num += d * d;
        den += double(ref[i]) * ref[i];
    }
    if (den == 0) return num == 0 ? 0 : INFINITY;
    return std::sqrt(num / den);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

int run_command(const std::string& cmd, std::string* out) {
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
        if (out) out->append(buf.data(), n);
    }
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

spawned_server spawn_server(const std::vector<std::string>& args, const std::string& log, int wait_seconds) {
    spawned_server s;
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    s.pid = int(pid);
    const std::regex re("listening on http://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < wait_seconds * 10 && s.pid > 0; ++i) {
        std::smatch m;
        const std::string text = slurp(log);
        if (std::regex_search(text, m, re)) {
            s.port = std::stoi(m[1]);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
}

void stop_process(int pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
        if (waitpid(pid, &status, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

}  // namespace holo::test
