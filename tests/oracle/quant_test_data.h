// Test data for comparing block formats with llama.cpp: several value
// distributions (weights-like, heavy tails, all-positive, tiny scales near f16
// subnormals, zero blocks, per-block scale changes, constants), each a few rows,
// generated from a fixed seed so every run sees the same numbers.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace holo::test {

struct quant_dataset {
    std::string name;
    int64_t n_rows;
    int64_t n_per_row;
    std::vector<float> values;  // [n_per_row, n_rows]
};

// n_per_row must be a multiple of 256 (every K-quant super-block).
inline std::vector<quant_dataset> quant_datasets(int64_t n_rows = 4, int64_t n_per_row = 1024, uint32_t seed = 1234) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    const size_t n = size_t(n_rows * n_per_row);
    auto make = [&](const std::string& name, auto gen) {
        quant_dataset d{name, n_rows, n_per_row, std::vector<float>(n)};
        for (size_t i = 0; i < n; ++i) d.values[i] = gen(i);
        return d;
    };
    std::vector<quant_dataset> out;
    out.push_back(make("gaussian", [&](size_t) { return normal(rng); }));
    out.push_back(make("weights_0.02", [&](size_t) { return 0.02f * normal(rng); }));
    out.push_back(make("uniform", [&](size_t) { return uniform(rng); }));
    // All positive with an offset: the min/offset formats (q4_1, q5_1, q2_K, q4_K, q5_K) must use it.
    out.push_back(make("positive", [&](size_t) { return 1.5f + uniform(rng); }));
    // Laplace body with 1% outliers 20x larger: one big value sets each block's scale.
    out.push_back(make("heavy_tail", [&](size_t) {
        const float u = 0.5f * uniform(rng);
        const float lap = (u < 0 ? 1.0f : -1.0f) * std::log(1.0f - 2.0f * std::fabs(u) + 1e-7f);
        return (uniform(rng) > 0.98f) ? 20.0f * lap : lap;
    }));
    // Scales stored as f16 become subnormal: max |x| ~ 1e-4 gives d ~ 1e-5 < 6.1e-5.
    out.push_back(make("tiny_1e-4", [&](size_t) { return 3e-5f * normal(rng); }));
    out.push_back(make("large_300", [&](size_t) { return 300.0f * normal(rng); }));
    // 90% zeros, so whole 32-blocks (and some 256 super-blocks' sub-blocks) are zero.
    out.push_back(make("sparse", [&](size_t i) {
        const bool live = ((i / 32) % 5 == 0) || uniform(rng) > 0.95f;
        return live ? normal(rng) : 0.0f;
    }));
    // Each 32-element group has its own magnitude over four decades: exercises the
    // K-quants' per-sub-block scales and mins inside one super-block.
    {
        std::vector<float> group_scale(n / 32);
        for (auto& s : group_scale) s = std::pow(10.0f, -3.0f + 4.0f * (0.5f + 0.5f * uniform(rng)));
        out.push_back(make("mixed_scales", [&](size_t i) { return group_scale[i / 32] * normal(rng); }));
    }
    // Constant rows, including an exactly representable and a negative constant.
    out.push_back(make("constant", [&](size_t i) {
        const float c[4] = {0.37f, -2.0f, 1.0f, -0.013f};
        return c[(i / size_t(n_per_row)) % 4];
    }));
    return out;
}

}  // namespace holo::test
