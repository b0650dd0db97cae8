// A progress bar for long commands (synth, quantize, ...): drawn on stderr when it is
// a terminal, silent when piped or redirected so logs and scripts stay clean.
// Thread-safe: worker threads report progress with add().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace holo {

class progress_bar {
public:
    // `total` in the caller's unit (bytes, elements); enabled=false draws nothing.
    progress_bar(std::string label, uint64_t total, bool enabled);
    ~progress_bar();
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;

    // True when stderr is a terminal (the default for `enabled`).
    static bool stderr_is_terminal();

    void add(uint64_t n);
    void set_detail(std::string detail);  // e.g. the tensor being written
    // Draws the final state and moves to a new line (once).
    void finish();

    uint64_t done() const { return done_.load(); }

private:
    void draw(bool force);

    std::string label_;
    std::string detail_;
    uint64_t total_;
    bool enabled_;
    bool finished_ = false;
    std::atomic<uint64_t> done_{0};
    std::mutex mu_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace holo
