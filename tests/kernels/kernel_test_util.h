// Shared by the kernel tests: random data, the instruction sets to run each case on
// (every level this CPU supports, forced through cpu_features' test hook), and a
// guard that restores the best level when a test ends.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "test_util.h"

namespace holo::test {

inline std::vector<cpu_isa> available_isas() {
    std::vector<cpu_isa> v;
    for (int i = 0; i <= static_cast<int>(best_cpu_isa()); ++i) v.push_back(static_cast<cpu_isa>(i));
    return v;
}

struct isa_guard {
    explicit isa_guard(cpu_isa isa) { force_cpu_isa(isa); }
    ~isa_guard() { force_cpu_isa(std::nullopt); }
};

inline std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (float& f : v) f = dist(rng);
    return v;
}

inline double norm2(const float* x, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += double(x[i]) * x[i];
    return std::sqrt(s);
}

}  // namespace holo::test
