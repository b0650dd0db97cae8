#include "server/connection_pool.h"

#include <malloc.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace holo::server {

struct connection_pool::state {
    state(size_t max_threads, std::chrono::milliseconds idle_exit, std::function<void(size_t, size_t)> on_count)
        : max_threads(std::max<size_t>(1, max_threads)), idle_exit(idle_exit), on_count(std::move(on_count)) {}

    const size_t max_threads;
    const std::chrono::milliseconds idle_exit;
    const std::function<void(size_t, size_t)> on_count;
    std::mutex mutex;
    std::condition_variable work_cv;  // a job came, or shutdown
    std::condition_variable exit_cv;  // a thread ended
    std::deque<std::function<void()>> jobs;
    size_t n_threads = 0, n_idle = 0;
    uint64_t n_trims = 0;
    bool shutdown = false;

    void counts_changed() {  // under mutex
        if (on_count) on_count(n_threads, n_threads - n_idle);
    }
};

connection_pool::connection_pool(size_t max_threads, std::chrono::milliseconds idle_exit,
                                 std::function<void(size_t, size_t)> on_count)
    : state_(std::make_shared<state>(max_threads, idle_exit, std::move(on_count))) {}

connection_pool::~connection_pool() { shutdown(); }

void connection_pool::enqueue(std::function<void()> fn) {
    state& s = *state_;
    std::unique_lock<std::mutex> lock(s.mutex);
    s.jobs.push_back(std::move(fn));
    if (s.jobs.size() > s.n_idle && s.n_threads < s.max_threads) {
        ++s.n_threads;
        ++s.n_idle;  // counted idle until it takes a job, so the next enqueue does not start another for this one
        // Detached: a thread that ends on idle has no one to join it. shutdown() waits
        // for the count to reach zero instead.
        std::thread(serve_connections, state_).detach();
        s.counts_changed();
        return;
    }
    lock.unlock();
    s.work_cv.notify_one();
}

void connection_pool::shutdown() {
    state& s = *state_;
    std::unique_lock<std::mutex> lock(s.mutex);
    s.shutdown = true;
    s.work_cv.notify_all();
    s.exit_cv.wait(lock, [&] { return s.n_threads == 0; });
}

size_t connection_pool::n_threads() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->n_threads;
}

size_t connection_pool::n_busy() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->n_threads - state_->n_idle;
}

uint64_t connection_pool::n_trims() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->n_trims;
}

// The thread's last notify comes after its count reached zero, so shutdown() may
// already have returned: before the state was shared, that notify went into a pool
// destroyed on its owner's stack, and smashed the stack.
void connection_pool::serve_connections(std::shared_ptr<state> shared) {
    state& s = *shared;
    std::unique_lock<std::mutex> lock(s.mutex);
    while (true) {
        if (!s.jobs.empty()) {
            auto fn = std::move(s.jobs.front());
            s.jobs.pop_front();
            --s.n_idle;
            s.counts_changed();
            lock.unlock();
            fn();
            fn = nullptr;  // the connection's captures go before the thread counts as idle
            lock.lock();
            ++s.n_idle;
            s.counts_changed();
            continue;
        }
        if (s.shutdown) break;
        if (!s.work_cv.wait_for(lock, s.idle_exit, [&] { return !s.jobs.empty() || s.shutdown; })) {
            // Idle too long: leave, and give the heap memory the connections freed
            // back to the system (glibc keeps it otherwise, and RSS stays at the
            // burst's peak). Threads leave only while the load falls, so this runs
            // at most once per thread that served a burst, and takes well under a
            // millisecond on a server's small heap.
            ++s.n_trims;
            lock.unlock();
            malloc_trim(0);
            lock.lock();
            if (!s.jobs.empty() || s.shutdown) continue;  // work came meanwhile: stay
            break;
        }
    }
    --s.n_idle;
    --s.n_threads;
    // The last call of on_count: made under the lock, so shutdown() cannot return
    // (and the owner of whatever on_count captured cannot go away) before it ends.
    s.counts_changed();
    lock.unlock();
    s.exit_cv.notify_all();
}

}  // namespace holo::server
