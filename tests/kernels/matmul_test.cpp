// matmul against its reference twin for every weight type, several shapes and token
// counts, on every instruction set this CPU has. Two checks per case:
//  1. end to end vs reference::matmul (f32 activations, f64 sums): the error comes
//     from quantizing the activations, so the bound is k * ||w_r|| * ||x_t|| * e / sqrt(n)
//     with e the activation format's typical relative rounding (statistical, not
//     worst-case: a wrong scale or bit gives errors ~ ||w|| ||x|| / sqrt(n), 10-50x more);
//  2. the SIMD dot alone vs the quant reference's vec_dot on the same quantized
//     activations: integer math in both, so only float summation order differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernel_test_util.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/reference/reference_ops.h"
#include "quant/tensor_type.h"

namespace holo {
namespace {

using test::available_isas;
using test::isa_guard;

struct quantized_weights {
    std::vector<uint8_t> bytes;
    std::vector<float> dequant;  // [n_cols, n_rows]
    weight_matrix w;
};

quantized_weights make_weights(tensor_type type, int64_t n_cols, int64_t n_rows, uint32_t seed) {
    const type_traits& tr = traits_of(type);
    quantized_weights q;
    const std::vector<float> f = test::random_floats(size_t(n_cols * n_rows), seed, 0.5f);
    const size_t rb = *row_bytes(type, n_cols);
    q.bytes.resize(rb * n_rows);
    q.dequant.resize(f.size());
    for (int64_t r = 0; r < n_rows; ++r) {
        tr.quantize_row(f.data() + r * n_cols, q.bytes.data() + r * rb, n_cols);
        tr.dequantize_row(q.bytes.data() + r * rb, q.dequant.data() + r * n_cols, n_cols);
    }
    q.w = weight_matrix{type, q.bytes.data(), n_cols, n_rows, rb};
    return q;
}

// Typical relative rounding of one activation value in each vec_dot_type, times the
// statistical margin.
double activation_eps(tensor_type vt) {
    switch (vt) {
        case tensor_type::f32: return 1e-6;
        case tensor_type::f16: return 1e-3;
        case tensor_type::bf16: return 8e-3;
        default: return 0.03;  // q8_*: |e| <= amax / 254, amax ~ 3 sigma per block
    }
}

const tensor_type k_weight_types[] = {tensor_type::f32,  tensor_type::f16,  tensor_type::bf16, tensor_type::q4_0,
                                      tensor_type::q4_1, tensor_type::q5_0, tensor_type::q5_1, tensor_type::q8_0,
                                      tensor_type::q2_k, tensor_type::q3_k, tensor_type::q4_k, tensor_type::q5_k,
                                      tensor_type::q6_k};

struct shape {
    int64_t n_cols, n_rows;
};

std::vector<shape> shapes_for(tensor_type t) {
    // 4352: 17 blocks, more than one slice of the batched K-quant kernels; 19 rows: a
    // 16-row tile plus rows done one at a time.
    if (traits_of(t).block_size == 256) return {{256, 7}, {512, 33}, {4352, 19}};
    if (traits_of(t).block_size == 32) return {{32, 3}, {96, 9}, {512, 33}};  // 96: an odd block count
    return {{37, 5}, {256, 33}, {300, 4}};
}

class matmul_types : public ::testing::TestWithParam<tensor_type> {};

TEST_P(matmul_types, matches_reference_on_every_isa) {
    const tensor_type type = GetParam();
    const tensor_type vt = traits_of(type).vec_dot_type;
    thread_pool pool(2);
    uint32_t seed = 1;
    for (const shape& s : shapes_for(type)) {
        const quantized_weights q = make_weights(type, s.n_cols, s.n_rows, seed++);
        for (int64_t n_tokens : {1, 3, 17, 33}) {  // 33: the row-tile path of large batches
            const std::vector<float> x = test::random_floats(size_t(s.n_cols * n_tokens), seed++);
            std::vector<float> ref(size_t(s.n_rows * n_tokens));
            reference::matmul(q.w, x.data(), n_tokens, ref.data());
            for (cpu_isa isa : available_isas()) {
                isa_guard guard(isa);
                SCOPED_TRACE(::testing::Message() << type_name(type) << " " << s.n_cols << "x" << s.n_rows
                                                  << " n_tokens=" << n_tokens << " isa=" << cpu_isa_name(isa));
                std::vector<float> got(ref.size(), NAN);
                matmul(q.w, x.data(), n_tokens, got.data(), pool);

                quantized_activations xq;
                quantize_activations(vt, x.data(), s.n_cols, n_tokens, xq);
                double worst1 = 0.0, worst2 = 0.0;
                for (int64_t t = 0; t < n_tokens; ++t) {
                    const double xn = test::norm2(x.data() + t * s.n_cols, s.n_cols);
                    for (int64_t r = 0; r < s.n_rows; ++r) {
                        const double wn = test::norm2(q.dequant.data() + r * s.n_cols, s.n_cols);
                        const double scale = wn * xn + 1e-30;
                        const double y = got[t * s.n_rows + r];
                        const double e1 = std::fabs(y - ref[t * s.n_rows + r]) / scale;
                        worst1 = std::max(worst1, e1);
                        const double exact =
                            traits_of(type).vec_dot(s.n_cols, q.w.data + r * q.w.row_bytes, xq.row(t));
                        worst2 = std::max(worst2, std::fabs(y - exact) / scale);
                    }
                }
                const double bound1 = activation_eps(vt) / std::sqrt(double(s.n_cols)) * 4.0;
                if (std::getenv("HOLO_TEST_VERBOSE")) {  // the margins, for tuning the bounds
                    std::printf("%s %ldx%ld nt=%ld %s: e1=%.3g (bound %.3g) e2=%.3g\n",
                                std::string(type_name(type)).c_str(), long(s.n_cols), long(s.n_rows), long(n_tokens),
                                std::string(cpu_isa_name(isa)).c_str(), worst1, bound1, worst2);
                }
                EXPECT_LE(worst1, bound1)
                    << "vs reference::matmul, relative to ||w|| ||x||";
                EXPECT_LE(worst2, 2e-6) << "vs the quant reference vec_dot on the same activations";
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(all, matmul_types, ::testing::ValuesIn(k_weight_types),
                         [](const auto& info) { return std::string(type_name(info.param)); });

// The MoE entry point: several tasks in one region, tokens picked by index.
TEST(matmul_batch, tasks_with_token_indices_match_single_matmuls) {
    thread_pool pool(2);
    const int64_t n_cols = 512, n_avail = 9;
    const std::vector<float> x = test::random_floats(size_t(n_cols * n_avail), 77);
    const quantized_weights a = make_weights(tensor_type::q4_k, n_cols, 40, 5);
    const quantized_weights b = make_weights(tensor_type::q6_k, n_cols, 24, 6);
    for (cpu_isa isa : available_isas()) {
        isa_guard guard(isa);
        quantized_activations xq;
        quantize_activations(tensor_type::q8_k, x.data(), n_cols, n_avail, xq, &pool);
        const int32_t ids_a[] = {0, 1, 2, 3, 4, 8};  // a consecutive run, then a jump
        const int32_t ids_b[] = {7, 2, 5};
        std::vector<float> ya(40 * 6), yb(24 * 3);
        matmul_task tasks[] = {{a.w, &xq, ids_a, 6, ya.data()}, {b.w, &xq, ids_b, 3, yb.data()}};
        matmul_batch(tasks, 2, pool);
        for (int i = 0; i < 6; ++i) {
            std::vector<float> want(40);
            matmul(a.w, x.data() + ids_a[i] * n_cols, 1, want.data(), pool);
            for (int r = 0; r < 40; ++r) EXPECT_FLOAT_EQ(ya[i * 40 + r], want[r]) << cpu_isa_name(isa);
        }
        for (int i = 0; i < 3; ++i) {
            std::vector<float> want(24);
            matmul(b.w, x.data() + ids_b[i] * n_cols, 1, want.data(), pool);
            for (int r = 0; r < 24; ++r) EXPECT_FLOAT_EQ(yb[i * 24 + r], want[r]) << cpu_isa_name(isa);
        }
    }
}

// The fast q8_K quantizer follows the reference's rule (scale from the signed
// extreme, nearest-even rounding), so both give the same blocks.
TEST(quantize_activations, q8_k_matches_reference_quantizer) {
    const int64_t n = 1024;
    std::vector<float> x = test::random_floats(n, 3);
    x[300] = -9.0f;  // a negative extreme
    x[700] = 9.0f;   // a positive extreme, in another block
    std::vector<uint8_t> want(*row_bytes(tensor_type::q8_k, n));
    traits_of(tensor_type::q8_k).quantize_row(x.data(), want.data(), n);
    for (cpu_isa isa : available_isas()) {
        isa_guard guard(isa);
        quantized_activations xq;
        quantize_activations(tensor_type::q8_k, x.data(), n, 1, xq);
        EXPECT_EQ(0, std::memcmp(xq.data.data(), want.data(), want.size())) << cpu_isa_name(isa);
    }
}

}  // namespace
}  // namespace holo
