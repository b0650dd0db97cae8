// The connection threads behind cpp-httplib (one thread per connection). Threads
// start only when no idle one can take a new connection, up to a cap, and a thread
// idle for `idle_exit` ends: after a burst of clients the server goes back to the
// few threads it needs, their stacks unmapped. A thread that ends gives the heap
// memory freed meanwhile back to the system (malloc_trim).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

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
    // Serves what is queued, then waits for every thread to stop using the pool.
    void shutdown() override;

    size_t n_threads() const;
    size_t n_busy() const;
    uint64_t n_trims() const;  // malloc_trim calls so far (tests)

private:
    // Shared with the (detached) threads: a thread that has just counted itself out
    // still signals the condition variable, which must outlive the pool object.
    struct state;
    // One connection thread. Its copy of the state keeps the condition variable it
    // signals last alive even after shutdown() has returned and the pool is gone.
    static void serve_connections(std::shared_ptr<state> shared);
    std::shared_ptr<state> state_;
};

}  // namespace holo::server
