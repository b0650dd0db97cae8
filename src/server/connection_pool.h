// The connection threads behind cpp-httplib (one thread per connection). Threads
// start only when no idle one can take a new connection, up to a cap, and a thread
// idle for `idle_exit` ends: after a burst of clients the server goes back to the
// few threads it needs, their stacks unmapped. A thread that ends gives the heap
// memory freed meanwhile back to the system (malloc_trim).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include <httplib.h>

namespace holo::server {

class connection_pool : public httplib::TaskQueue {
public:
    // `on_count(threads, busy)` is told every change of the two counts (for metrics).
    connection_pool(size_t max_threads, std::chrono::milliseconds idle_exit,
                    std::function<void(size_t, size_t)> on_count = {});
    ~connection_pool() override;

    // A connection to serve: taken by an idle thread, else by a new one while under
    // the cap, else it waits for the first thread that frees up.
    void enqueue(std::function<void()> fn) override;
    // Serves what is queued, then waits for every thread to end.
    void shutdown() override;

    size_t n_threads() const;
    size_t n_busy() const;
    uint64_t n_trims() const;  // malloc_trim calls so far (tests)

private:
    void worker();
    void counts_changed();  // under mutex_

    const size_t max_threads_;
    const std::chrono::milliseconds idle_exit_;
    const std::function<void(size_t, size_t)> on_count_;
    mutable std::mutex mutex_;
    std::condition_variable work_cv_;  // a job came, or shutdown
    std::condition_variable exit_cv_;  // a thread ended
    std::deque<std::function<void()>> jobs_;
    size_t n_threads_ = 0, n_idle_ = 0;
    uint64_t n_trims_ = 0;
    bool shutdown_ = false;
};

}  // namespace holo::server
