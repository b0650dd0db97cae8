// Persistent worker threads woken by a generation counter: a worker spins briefly on
// the counter (a decode step issues hundreds of parallel regions back to back, and a
// futex wake costs tens of microseconds), then sleeps in a futex wait (C++20
// atomic::wait) so an idle pool burns no CPU.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HOLO_CPU_RELAX() _mm_pause()
#else
#define HOLO_CPU_RELAX() std::this_thread::yield()
#endif

#include "core/error.h"

namespace holo {

namespace {

// ~50-100 us of spinning at ~140 cycles per pause: long enough to cover the gap
// between two matmuls of a decode step, short enough not to starve other processes.
constexpr int k_spin_iters = 2000;

}  // namespace

struct thread_pool::impl {
    int n_threads = 1;
    std::vector<std::thread> workers;
    // uint32_t so atomic::wait maps directly onto a futex.
    alignas(64) std::atomic<uint32_t> generation{0};
    alignas(64) std::atomic<int> pending{0};
    alignas(64) const std::function<void(int, int)>* job = nullptr;
    std::atomic<bool> stop{false};

    void worker_loop(int ith) {
        uint32_t seen = 0;
        for (;;) {
            uint32_t g = generation.load(std::memory_order_acquire);
            for (int i = 0; g == seen && i < k_spin_iters; ++i) {
                HOLO_CPU_RELAX();
                g = generation.load(std::memory_order_acquire);
            }
            while (g == seen) {
                generation.wait(seen, std::memory_order_acquire);
                g = generation.load(std::memory_order_acquire);
            }
            seen = g;
            if (stop.load(std::memory_order_acquire)) return;
            (*job)(ith, n_threads);
            pending.fetch_sub(1, std::memory_order_acq_rel);
        }
    }
};

thread_pool::thread_pool(int n_threads) : impl_(std::make_unique<impl>()) {
    HOLO_ASSERT(n_threads >= 1, "thread_pool: n_threads must be >= 1");
    impl_->n_threads = n_threads;
    impl_->workers.reserve(n_threads - 1);
    for (int i = 1; i < n_threads; ++i) {
        impl_->workers.emplace_back([p = impl_.get(), i] { p->worker_loop(i); });
    }
}

thread_pool::~thread_pool() {
    impl_->stop.store(true, std::memory_order_release);
    impl_->generation.fetch_add(1, std::memory_order_acq_rel);
    impl_->generation.notify_all();
    for (auto& t : impl_->workers) t.join();
}

int thread_pool::size() const { return impl_->n_threads; }

void thread_pool::run(const std::function<void(int ith, int nth)>& fn) {
    impl& p = *impl_;
    if (p.n_threads == 1) {
        fn(0, 1);
        return;
    }
    p.job = &fn;
    p.pending.store(p.n_threads - 1, std::memory_order_relaxed);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
    p.generation.notify_all();  // cheap when nobody sleeps (libstdc++ counts waiters)
    fn(0, p.n_threads);
    // Workers may be descheduled on a busy machine: after a short spin, yield the
    // core to them instead of burning it.
    for (int i = 0; p.pending.load(std::memory_order_acquire) != 0; ++i) {
        if (i < k_spin_iters) {
            HOLO_CPU_RELAX();
        } else {
            std::this_thread::yield();
        }
    }
}

void thread_pool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int64_t n_chunks = std::min<int64_t>(size(), (n + grain - 1) / grain);
    if (n_chunks <= 1) {
        fn(0, n);
        return;
    }
    run([&](int ith, int) {
        if (ith >= n_chunks) return;
        const int64_t begin = n * ith / n_chunks;
        const int64_t end = n * (ith + 1) / n_chunks;
        if (begin < end) fn(begin, end);
    });
}

}  // namespace holo
