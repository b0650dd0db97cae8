// rms_norm, swiglu, rope and attention against their reference twins on every
// instruction set this CPU has. Tolerances are relative to the data's scale and
// name their source (f32 rounding, the exp polynomial, float RoPE angles).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "kernel_test_util.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/reference/reference_ops.h"

namespace holo {
namespace {

using test::available_isas;
using test::isa_guard;

double max_rel_err(const std::vector<float>& ref, const std::vector<float>& got) {
    double scale = 0.0, err = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
        scale = std::max(scale, double(std::fabs(ref[i])));
        err = std::max(err, std::fabs(double(ref[i]) - got[i]));
    }
    return err / std::max(scale, 1e-30);
}

TEST(ops, rms_norm) {
    for (int64_t n : {1, 15, 64, 257, 2048}) {
        const auto x = test::random_floats(size_t(n * 3), uint32_t(n), 2.0f);
        const auto w = test::random_floats(size_t(n), uint32_t(n + 1));
        std::vector<float> ref = x;
        reference::rms_norm(ref.data(), w.data(), n, 3, 1e-6f);
        for (cpu_isa isa : available_isas()) {
            isa_guard g(isa);
            std::vector<float> got = x;
            rms_norm(got.data(), w.data(), n, 3, 1e-6f);
            EXPECT_LE(max_rel_err(ref, got), 1e-6) << "n=" << n << " " << cpu_isa_name(isa) << " (f32 rounding)";
        }
    }
}

TEST(ops, swiglu) {
    for (int64_t n : {1, 7, 16, 100, 3000}) {
        auto g = test::random_floats(size_t(n), uint32_t(n), 4.0f);
        if (n > 10) {
            g[0] = -95.0f;  // exp overflow territory: silu -> -0
            g[1] = 95.0f;   // silu -> x
        }
        const auto u = test::random_floats(size_t(n), uint32_t(n + 9));
        std::vector<float> ref(n);
        reference::swiglu(g.data(), u.data(), ref.data(), n);
        for (cpu_isa isa : available_isas()) {
            isa_guard gd(isa);
            std::vector<float> got(n);
            swiglu(g.data(), u.data(), got.data(), n);
            for (int64_t i = 0; i < n; ++i) {
                // The vector exp is a degree-6 polynomial: a few f32 ulps.
                EXPECT_NEAR(got[i], ref[i], 4e-6 * std::fabs(ref[i]) + 1e-30) << "i=" << i << " " << cpu_isa_name(isa);
            }
        }
    }
}

struct rope_case {
    const char* name;
    rope_params p;
    int head_dim;
};

TEST(ops, rope) {
    rope_params normal{64, false, 10000.0f, 1.0f};
    rope_params neox{128, true, 1000000.0f, 1.0f};
    rope_params partial{32, true, 10000.0f, 1.0f};   // n_rot < head_dim: the rest passes through
    rope_params linear{64, false, 10000.0f, 0.25f};  // linear scaling x4
    rope_params yarn{128, true, 1000000.0f, 0.25f, 32768, 1.0f, 1.0f, 32.0f, 1.0f};
    const rope_case cases[] = {{"normal", normal, 64},  {"neox", neox, 128},  {"partial", partial, 64},
                               {"linear", linear, 64}, {"yarn", yarn, 128}};
    for (const rope_case& c : cases) {
        for (int64_t pos : {0, 1, 17, 511}) {
            const int n_heads = 3;
            const auto x = test::random_floats(size_t(c.head_dim * n_heads), uint32_t(pos + 5));
            std::vector<float> ref = x;
            reference::rope(ref.data(), c.head_dim, n_heads, pos, c.p);
            for (cpu_isa isa : available_isas()) {
                isa_guard g(isa);
                std::vector<float> got = x;
                rope(got.data(), c.head_dim, n_heads, pos, c.p);
                // The fast path steps the angle in float as ggml does: relative angle
                // error ~ 1e-6 per pair, times pos radians.
                EXPECT_LE(max_rel_err(ref, got), 2e-6 * double(pos + 1) + 1e-6)
                    << c.name << " pos=" << pos << " " << cpu_isa_name(isa);
                if (c.p.n_rot < c.head_dim) {
                    for (int h = 0; h < n_heads; ++h) {
                        for (int i = c.p.n_rot; i < c.head_dim; ++i) {
                            EXPECT_EQ(got[h * c.head_dim + i], x[h * c.head_dim + i]);
                        }
                    }
                }
            }
        }
    }
}

// Position 0 is the identity and YaRN's magnitude factor is applied.
TEST(ops, rope_fixed_points) {
    rope_params p{8, false, 10000.0f, 1.0f};
    std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<float> got = x;
    rope(got.data(), 8, 1, 0, p);
    for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(got[i], x[i]);
    rope_params y{8, false, 10000.0f, 0.5f, 4096, 1.0f, 1.0f, 32.0f, 1.0f};
    got = x;
    rope(got.data(), 8, 1, 0, y);
    const float m = 1.0f + 0.1f * std::log(2.0f);
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(got[i], x[i] * m, 1e-6f * std::fabs(x[i]));
}

struct attn_case {
    int head_dim, n_head, n_head_kv;
    int64_t pos0, n_tokens;
};

TEST(ops, attention) {
    const attn_case cases[] = {
        {128, 8, 2, 0, 1},     // first token
        {128, 8, 2, 37, 1},    // decode
        {128, 32, 4, 300, 1},  // Qwen3-30B-A3B decode shape, more keys than one block
        {64, 4, 4, 0, 17},     // prefill, no GQA
        {128, 8, 1, 5, 40},    // prefill after a prefix, MQA, several token tiles
        {80, 6, 3, 70, 3},     // head size not a multiple of 16 (vector tails)
    };
    for (const attn_case& c : cases) {
        const int64_t n_ctx = c.pos0 + c.n_tokens;
        const auto q = test::random_floats(size_t(c.head_dim * c.n_head * c.n_tokens), 11);
        // Large keys make peaked softmaxes, where a max-subtraction bug would show.
        const auto k = test::random_floats(size_t(c.head_dim * c.n_head_kv * n_ctx), 12, 3.0f);
        const auto v = test::random_floats(size_t(c.head_dim * c.n_head_kv * n_ctx), 13);
        const float scale = 1.0f / std::sqrt(float(c.head_dim));
        std::vector<float> ref(q.size());
        reference::attention(q.data(), k.data(), v.data(), ref.data(), c.head_dim, c.n_head, c.n_head_kv, c.pos0,
                             c.n_tokens, scale);
        for (int threads : {1, 2}) {
            thread_pool pool(threads);
            for (cpu_isa isa : available_isas()) {
                isa_guard g(isa);
                std::vector<float> got(q.size(), NAN);
                attention(q.data(), k.data(), v.data(), got.data(), c.head_dim, c.n_head, c.n_head_kv, c.pos0,
                          c.n_tokens, scale, pool);
                // Outputs are convex combinations of values ~N(0,1): f32 sums over up
                // to a few hundred keys plus the exp polynomial.
                EXPECT_LE(test::max_abs_diff(ref, got), 2e-5)
                    << "head_dim=" << c.head_dim << " heads=" << c.n_head << "/" << c.n_head_kv << " pos0=" << c.pos0
                    << " n_tokens=" << c.n_tokens << " threads=" << threads << " " << cpu_isa_name(isa);
            }
        }
    }
}

}  // namespace
}  // namespace holo
