// The equality rule for values two implementations dequantized from the same
// bytes: bit-exact for f32/f16/bf16/q8_0, otherwise max |diff| <= 1e-6 x the
// block's largest |value| (the "relative to the block scale").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "quant/tensor_type.h"

namespace holo::test {

constexpr double dequant_tol_per_block_scale = 1e-6;

inline bool dequant_bit_exact_type(tensor_type t) {
    return t == tensor_type::f32 || t == tensor_type::f16 || t == tensor_type::bf16 || t == tensor_type::q8_0;
}

// "" when `got` equals `want` under the rule; else how many differ, the worst
// relative difference and the first mismatch (`where(i)` names element i).
inline std::string compare_dequantized(tensor_type t, const std::vector<float>& want, const std::vector<float>& got,
                                       const std::function<std::string(size_t)>& where = {}) {
    if (want.size() != got.size()) return "sizes differ: " + std::to_string(want.size()) + " vs " + std::to_string(got.size());
    const bool exact = dequant_bit_exact_type(t);
    const size_t block = size_t(traits_of(t).block_size);
    size_t n_bad = 0;
    double worst = 0;
    std::string first;
    for (size_t b0 = 0; b0 < want.size(); b0 += block) {
        const size_t b1 = std::min(want.size(), b0 + block);
        double scale = 0;
        for (size_t i = b0; i < b1; ++i) scale = std::max(scale, double(std::fabs(want[i])));
        for (size_t i = b0; i < b1; ++i) {
            const double diff = std::fabs(double(want[i]) - double(got[i]));
            const bool ok = exact ? std::memcmp(&want[i], &got[i], sizeof(float)) == 0
                                  : std::isfinite(got[i]) && diff <= dequant_tol_per_block_scale * scale;
            if (ok) continue;
            if (n_bad++ == 0) {
                char buf[200];
                std::snprintf(buf, sizeof buf, "first at element %zu%s (block scale %.6g): want %.9g, got %.9g", i,
                              where ? (" (" + where(i) + ")").c_str() : "", scale, want[i], got[i]);
                first = buf;
            }
            if (scale > 0) worst = std::max(worst, diff / scale);
        }
    }
    if (n_bad == 0) return {};
    return std::to_string(n_bad) + " of " + std::to_string(want.size()) + " values differ (" +
           (exact ? std::string("bit-exact required") : "worst |diff|/block scale " + std::to_string(worst)) + "); " + first;
}

}  // namespace holo::test
