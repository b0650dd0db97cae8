// A persistent pool of worker threads for the kernels: threads are created once and
// woken per parallel_for, so a decode step does not pay for thread creation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace holo {

class thread_pool {
public:
    explicit thread_pool(int n_threads);  // n_threads >= 1; the caller's thread is one of them
    ~thread_pool();
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    int size() const;

    // Calls fn(ith, nth) once on each of the nth = size() threads (the caller runs
    // ith = 0) and returns when all have finished. Work is split by the callee.
    void run(const std::function<void(int ith, int nth)>& fn);

    // Splits [0, n) into contiguous chunks of at least `grain` and calls
    // fn(begin, end) for each, across the pool.
    void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace holo
