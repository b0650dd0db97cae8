#include "server/connection_pool.h"

#include <malloc.h>

#include <thread>

namespace holo::server {

connection_pool::connection_pool(size_t max_threads, std::chrono::milliseconds idle_exit,
                                 std::function<void(size_t, size_t)> on_count)
    : max_threads_(std::max<size_t>(1, max_threads)), idle_exit_(idle_exit), on_count_(std::move(on_count)) {}

connection_pool::~connection_pool() { shutdown(); }

void connection_pool::enqueue(std::function<void()> fn) {
    std::unique_lock<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > n_idle_ && n_threads_ < max_threads_) {
        ++n_threads_;
        ++n_idle_;  // counted idle until it takes a job, so the next enqueue does not start another for this one
        // Detached: a thread that ends on idle has no one to join it. shutdown() waits
        // for the count to reach zero instead.
        std::thread([this] { worker(); }).detach();
        counts_changed();
        return;
    }
    lock.unlock();
    work_cv_.notify_one();
}

void connection_pool::shutdown() {
    std::unique_lock<std::mutex> lock(mutex_);
    shutdown_ = true;
    work_cv_.notify_all();
    exit_cv_.wait(lock, [&] { return n_threads_ == 0; });
}

size_t connection_pool::n_threads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_threads_;
}

size_t connection_pool::n_busy() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_threads_ - n_idle_;
}

uint64_t connection_pool::n_trims() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_trims_;
}

void connection_pool::counts_changed() {
    if (on_count_) on_count_(n_threads_, n_threads_ - n_idle_);
}

void connection_pool::worker() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        if (!jobs_.empty()) {
            auto fn = std::move(jobs_.front());
            jobs_.pop_front();
            --n_idle_;
            counts_changed();
            lock.unlock();
            fn();
            fn = nullptr;  // the connection's captures go before the thread counts as idle
            lock.lock();
            ++n_idle_;
            counts_changed();
            continue;
        }
        if (shutdown_) break;
        if (!work_cv_.wait_for(lock, idle_exit_, [&] { return !jobs_.empty() || shutdown_; })) {
            // Idle too long: leave, and give the heap memory the connections freed
            // back to the system (glibc keeps it otherwise, and RSS stays at the
            // burst's peak). Threads leave only while the load falls, so this runs
            // at most once per thread that served a burst, and takes well under a
            // millisecond on a server's small heap.
            ++n_trims_;
            lock.unlock();
            malloc_trim(0);
            lock.lock();
            if (!jobs_.empty() || shutdown_) continue;  // work came meanwhile: stay
            break;
        }
    }
    --n_idle_;
    --n_threads_;
    counts_changed();
    // Notifies after this thread's locals are destroyed, so shutdown() (and the
    // pool's destructor) cannot run ahead of a thread still touching the pool.
    std::notify_all_at_thread_exit(exit_cv_, std::move(lock));
}

}  // namespace holo::server
