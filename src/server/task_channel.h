// The link between one request's HTTP thread and the engine thread: the engine
// pushes events (started, text, done, error), the HTTP thread pops them with a
// bounded wait and sets `cancelled` when its client goes away; it can also leave a
// probe the engine calls between steps to find out sooner. All locking between the
// two sides lives here (STYLE item 11).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace holo::server {

struct gen_stats {
    int64_t n_prompt = 0;   // prompt tokens
    int64_t n_cached = 0;   // of those, reused from the slot's cache (not evaluated again)
    int64_t n_gen = 0;      // generated tokens
    double load_s = 0;      // model load this request waited for
    double queue_s = 0;     // waiting for a slot
    double prompt_s = 0;    // prompt evaluation
    double gen_s = 0;       // from the first sampled token to the end
    double total_s = 0;     // from submission to the end
    std::string finish;     // "stop", "length", "cancelled", "load", "unload"
    std::string tool_format;  // tools in play: how this model writes calls (tool_calls.h); else empty
};

enum class event_kind { started, text, done, error };

struct task_event {
    event_kind kind = event_kind::text;
    std::string text;   // text: the piece; error: the message
    int status = 200;   // error: the HTTP status it maps to
    gen_stats stats;    // started (n_prompt) and done
    std::vector<std::vector<float>> embeddings;  // done, for embedding requests
};

class task_channel {
public:
    void push(task_event e) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            events_.push_back(std::move(e));
        }
        cv_.notify_one();
    }

    // Waits at most `timeout` for an event; false when none came.
    bool pop(task_event& out, std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return false;
        out = std::move(events_.front());
        events_.pop_front();
        return true;
    }

    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }

    // How to tell that the client went away before anything is written to it (true:
    // gone). Set and cleared by the HTTP side; cleared before its connection closes,
    // so a probe never looks at a socket reused by another connection.
    void set_client_probe(std::function<bool()> gone) {
        std::lock_guard<std::mutex> lock(probe_mutex_);
        probe_ = std::move(gone);
    }
    void clear_client_probe() { set_client_probe(nullptr); }
    // Cancelled, or the probe says the client is gone (which cancels from then on).
    // `min_interval`: ask the probe at most that often (queued tasks need not be
    // asked every step; slots are).
    bool client_left(std::chrono::milliseconds min_interval = std::chrono::milliseconds(0)) {
        if (cancelled()) return true;
        std::lock_guard<std::mutex> lock(probe_mutex_);
        if (!probe_) return false;
        const auto now = std::chrono::steady_clock::now();
        if (min_interval.count() > 0 && now - last_probe_ < min_interval) return false;
        last_probe_ = now;
        if (probe_()) cancelled_.store(true);
        return cancelled();
    }

private:
    std::mutex probe_mutex_;
    std::function<bool()> probe_;
    std::chrono::steady_clock::time_point last_probe_{};
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<task_event> events_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace holo::server
