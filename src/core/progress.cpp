#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace holo {

progress_bar::progress_bar(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled) {
    start_ = last_draw_ = std::chrono::steady_clock::now();
}

progress_bar::~progress_bar() { finish(); }

bool progress_bar::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void progress_bar::add(uint64_t n) {
    done_.fetch_add(n);
    if (enabled_) draw(false);
}

void progress_bar::set_detail(std::string detail) {
    if (!enabled_) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        detail_ = std::move(detail);
    }
    draw(false);
}

void progress_bar::finish() {
    if (!enabled_ || finished_) return;
    draw(true);
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void progress_bar::draw(bool force) {
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    if (!lock.owns_lock() || finished_) return;  // another thread is drawing: skip, it is only a display
    auto now = std::chrono::steady_clock::now();
    // Redraw at most ~8 times a second: a terminal is slow next to the work.
    if (!force && now - last_draw_ < std::chrono::milliseconds(125)) return;
    last_draw_ = now;
    const uint64_t done = done_.load();
    const double frac = total_ ? std::min(1.0, double(done) / double(total_)) : 1.0;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    char bar[width + 1];
    for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    char eta[32] = "";
    if (frac > 0.001 && frac < 1.0) {
        std::snprintf(eta, sizeof eta, " eta %.0fs", secs * (1.0 - frac) / frac);
    }
    std::fprintf(stderr, "\r\033[K%s [%s] %5.1f%% %.0fs%s %s", label_.c_str(), bar, frac * 100.0, secs, eta,
                 detail_.c_str());
    std::fflush(stderr);
}

}  // namespace holo
