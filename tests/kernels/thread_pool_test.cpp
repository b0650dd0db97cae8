// The persistent pool: every thread runs once per region, ranges are covered exactly
// once, and thousands of back-to-back regions (a decode step's pattern) complete.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "core/thread_pool.h"

namespace holo {
namespace {

TEST(thread_pool, run_calls_each_thread_once) {
    for (int n : {1, 2, 3, 5}) {
        thread_pool pool(n);
        EXPECT_EQ(pool.size(), n);
        std::vector<std::atomic<int>> hits(n);
        pool.run([&](int ith, int nth) {
            EXPECT_EQ(nth, n);
            hits[ith].fetch_add(1);
        });
        for (int i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "thread " << i << " of " << n;
    }
}

TEST(thread_pool, parallel_for_covers_range_exactly_once) {
    thread_pool pool(3);
    for (int64_t n : {0, 1, 2, 7, 100, 1001}) {
        for (int64_t grain : {1, 4, 64}) {
            std::vector<std::atomic<int>> seen(n);
            pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
                EXPECT_LE(0, b);
                EXPECT_LT(b, e);
                EXPECT_LE(e, n);
                for (int64_t i = b; i < e; ++i) seen[i].fetch_add(1);
            });
            for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << "n=" << n << " grain=" << grain;
        }
    }
}

TEST(thread_pool, many_back_to_back_regions) {
    thread_pool pool(2);
    std::atomic<int64_t> total{0};
    const int regions = 20000;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < regions; ++r) pool.run([&](int ith, int) { total.fetch_add(ith + 1); });
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(total.load(), int64_t(regions) * 3);
    std::printf("thread_pool: %.2f us per empty region (2 threads)\n", us / regions);
}

TEST(thread_pool, regions_after_idle_sleep_still_run) {
    thread_pool pool(2);
    std::atomic<int> hits{0};
    for (int r = 0; r < 3; ++r) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));  // workers fall back to the futex
        pool.run([&](int, int) { hits.fetch_add(1); });
    }
    EXPECT_EQ(hits.load(), 6);
}

}  // namespace
}  // namespace holo
