// Helpers shared by the tests: paths to the source tree and build outputs, scratch
// files, the tiny model most engine and server tests run, and relative-error
// measures with stated tolerances.
#pragma once

#include <string>
#include <vector>

namespace holo::test {

std::string source_dir();   // the repository root
std::string binary_dir();   // the build folder (holds build/holo)
std::string temp_path(const std::string& name);  // a fresh path under a per-process temp dir

// `holo synth --preset tiny-qwen3moe --type q8_0` written to temp_path(name): its
// path, or "" when it could not be written (the reason on stderr).
std::string write_tiny_model(const std::string& name);

// sqrt(mean((a-b)^2)) / sqrt(mean(a^2)); 0 when both are zero.
double relative_rmse(const std::vector<float>& ref, const std::vector<float>& got);
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b);

// Runs a shell command, returns its exit code and captures stdout (stderr to the test log).
int run_command(const std::string& cmd, std::string* out = nullptr);

// The whole file as text ("" when it cannot be read), e.g. a server's log.
std::string slurp(const std::string& path);

// A `holo serve` a test started: its pid (-1 when it could not start) and port (0
// when it did not report one in time; the caller still stops pid).
struct spawned_server {
    int pid = -1;
    int port = 0;
};
// Starts args[0] with args, stdout and stderr to `log`, and waits up to
// `wait_seconds` for "listening on http://127.0.0.1:PORT" in the log.
spawned_server spawn_server(const std::vector<std::string>& args, const std::string& log, int wait_seconds);

// Stops a child process the test started (a `holo serve`): SIGTERM, then SIGKILL if
// it has not exited within 10 s; reaps it either way. Does nothing for pid <= 0.
void stop_process(int pid);

}  // namespace holo::test
