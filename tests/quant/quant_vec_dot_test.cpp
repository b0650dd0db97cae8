// Reference dot products against dequantize-then-dot in double. The integer per-block
// sums are exact, so the only differences are f32 rounding of the per-block terms and
// their running sum (bounded below), plus, for q4_1 / q5_1, the f16 rounding of the
// activation's s = d * sum(q) that stands in for the exact sum (as in ggml).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant_test_helpers.h"

namespace holo {
namespace {

struct dot_case {
    double got, want, tol;
};

dot_case run_dot(tensor_type t, size_t n, uint32_t seed) {
    const type_traits& tx = traits_of(t);
    const std::vector<float> xf = test::gaussian(n, seed);
    const std::vector<float> yf = test::gaussian(n, seed + 1000);
    const std::vector<uint8_t> xq = test::quantize(t, xf);
    const std::vector<uint8_t> yq = test::quantize(tx.vec_dot_type, yf);
    const std::vector<float> xd = test::dequantize(t, xq, n);
    const std::vector<float> yd = test::dequantize(tx.vec_dot_type, yq, n);
    double want = 0, abs_sum = 0, partial_sums = 0;
    const size_t bs = size_t(tx.block_size);
    for (size_t i = 0; i < n; ++i) {
        want += double(xd[i]) * yd[i];
        abs_sum += std::fabs(double(xd[i]) * yd[i]);
        if ((i + 1) % bs == 0) partial_sums += std::fabs(want);
    }
    // f32 rounding (unit 2^-24). f32 / f16 / bf16: each product is rounded once and
    // summed in double. Quantized types: each block term takes a few roundings of
    // magnitude up to the block's sum |x_i y_i| (the K-quants' min part is of the same
    // order), and each step of the f32 running sum one rounding of the partial sum.
    double tol = tx.is_quantized ? 0x1p-24 * (8.0 * abs_sum + 2.0 * partial_sums) + 1e-6 : 0x1p-24 * 2.0 * abs_sum + 1e-9;
    if (tx.vec_dot_type == tensor_type::q8_1) {
        // The min term m_x * s_y uses s rounded to f16: up to 2^-11 of |m_x * s_y| per block.
        const size_t stride = tx.block_bytes;
        const auto* ys = reinterpret_cast<const block_q8_1*>(yq.data());
        for (size_t b = 0; b < n / 32; ++b) {
            uint16_t m_bits;
            std::memcpy(&m_bits, xq.data() + b * stride + 2, 2);  // q4_1 / q5_1: d then m
            tol += std::fabs(double(f16_to_f32(m_bits)) * f16_to_f32(ys[b].s)) * 0x1p-11;
        }
    }
    return {double(tx.vec_dot(int64_t(n), xq.data(), yq.data())), want, tol};
}

TEST(vec_dot, matches_dequantized_dot) {
    for (tensor_type t : test::all_types()) {
        const type_traits& tr = traits_of(t);
        if (!tr.vec_dot) continue;  // q8_1, q8_K: activation formats
        for (uint32_t seed : {1u, 2u, 3u}) {
            const dot_case c = run_dot(t, 4096, seed);
            EXPECT_NEAR(c.got, c.want, c.tol) << type_name(t) << " seed " << seed;
        }
    }
}

TEST(vec_dot, single_block_and_zero_rows) {
    for (tensor_type t : test::all_types()) {
        const type_traits& tr = traits_of(t);
        if (!tr.vec_dot) continue;
        const dot_case c = run_dot(t, size_t(tr.block_size == 1 ? 32 : tr.block_size), 42);
        EXPECT_NEAR(c.got, c.want, c.tol) << type_name(t) << " one block";
        const std::vector<float> zeros(256, 0.0f);
        const std::vector<float> ones = test::gaussian(256, 43);
        const auto xq = test::quantize(t, zeros);
        const auto yq = test::quantize(tr.vec_dot_type, ones);
        EXPECT_EQ(tr.vec_dot(256, xq.data(), yq.data()), 0.0f) << type_name(t) << " zero row";
    }
}

// The activation formats carry precomputed sums the dot products rely on.
TEST(vec_dot, activation_sums_are_consistent) {
    const std::vector<float> y = test::gaussian(1024, 5);
    const auto q8k = test::quantize(tensor_type::q8_k, y);
    const auto* bk = reinterpret_cast<const block_q8_k*>(q8k.data());
    for (int b = 0; b < 4; ++b) {
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += bk[b].qs[16 * j + l];
            EXPECT_EQ(bk[b].bsums[j], sum);
        }
        for (int l = 0; l < 256; ++l) EXPECT_LE(std::abs(int(bk[b].qs[l])), 127);
    }
    const auto q81 = test::quantize(tensor_type::q8_1, y);
    const auto* b1 = reinterpret_cast<const block_q8_1*>(q81.data());
    for (int b = 0; b < 32; ++b) {
        int sum = 0;
        for (int l = 0; l < 32; ++l) sum += b1[b].qs[l];
        const float d = f16_to_f32(b1[b].d);
        // s was computed from the unrounded d, then rounded to f16.
        EXPECT_NEAR(f16_to_f32(b1[b].s), d * float(sum), std::fabs(d * float(sum)) * 0x1p-10 + 1e-7) << b;
    }
}

}  // namespace
}  // namespace holo
