// The MoE stages on their own: route (softmax, top-k, renormalisation, scale) against
// a plain version, dispatch (grouping covers every choice exactly once), and the CPU
// expert runner + combine against a per-token computation with the reference ops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "experts/dispatcher.h"
#include "kernels/reference/reference_ops.h"
#include "model/blocks.h"
#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo {
namespace {

std::vector<float> random_vec(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

TEST(moe_route, softmax_top_k_renormalize_and_scale) {
    const int64_t n_expert = 8, n_used = 3, n_tokens = 5;
    const auto logits = random_vec(size_t(n_expert * n_tokens), 1);
    for (bool renorm : {false, true}) {
        for (float scale : {0.0f, 2.5f}) {
            expert_routing r;
            route_experts(logits.data(), n_expert, n_tokens, n_used, renorm, scale, r);
            ASSERT_EQ(r.ids.size(), size_t(n_used * n_tokens));
            for (int64_t t = 0; t < n_tokens; ++t) {
                const float* lg = logits.data() + t * n_expert;
                std::vector<double> p(static_cast<size_t>(n_expert));
                double mx = *std::max_element(lg, lg + n_expert), s = 0;
                for (int64_t e = 0; e < n_expert; ++e) s += (p[size_t(e)] = std::exp(double(lg[e]) - mx));
                for (double& x : p) x /= s;
                std::vector<int> order(static_cast<size_t>(n_expert));
                std::iota(order.begin(), order.end(), 0);
                std::sort(order.begin(), order.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
                double sel = 0;
                for (int64_t k = 0; k < n_used; ++k) sel += p[size_t(order[size_t(k)])];
                for (int64_t k = 0; k < n_used; ++k) {
                    EXPECT_EQ(r.ids[size_t(t * n_used + k)], order[size_t(k)]) << "best first";
                    double want = p[size_t(order[size_t(k)])];
                    if (renorm) want /= sel;
                    if (scale != 0.0f) want *= scale;
                    EXPECT_NEAR(r.weights[size_t(t * n_used + k)], want, 1e-6);
                }
            }
        }
    }
}

TEST(moe_dispatch, groups_cover_every_choice_once_in_expert_then_token_order) {
    expert_routing r;
    r.n_tokens = 6;
    r.n_used = 2;
    r.ids = {3, 1, 1, 0, 3, 2, 0, 1, 3, 0, 2, 3};
    r.weights.assign(r.ids.size(), 0.5f);
    const auto groups = group_by_expert(r, 5);
    ASSERT_EQ(groups.size(), 4u);  // expert 4 is unused
    std::vector<int> seen(r.ids.size(), 0);
    for (size_t g = 0; g < groups.size(); ++g) {
        if (g) EXPECT_LT(groups[g - 1].ie, groups[g].ie);
        EXPECT_TRUE(std::is_sorted(groups[g].tokens.begin(), groups[g].tokens.end()));
        for (size_t j = 0; j < groups[g].tokens.size(); ++j) {
            const int32_t t = groups[g].tokens[j], k = groups[g].slots[j];
            EXPECT_EQ(r.ids[size_t(t * 2 + k)], groups[g].ie);
            ++seen[size_t(t * 2 + k)];
        }
    }
    for (int s : seen) EXPECT_EQ(s, 1);
}

// Experts stored as one 3-D stack per projection, like a *_exps tensor.
struct expert_stack {
    std::vector<uint8_t> gate, up, down;
};

TEST(moe_experts, cpu_runner_and_combine_match_per_token_reference) {
    const int64_t n_embd = 256, n_ff = 256, n_expert = 6, n_used = 2, n_tokens = 9;
    thread_pool pool(2);
    for (tensor_type type : {tensor_type::f32, tensor_type::q8_0, tensor_type::q4_k}) {
        const type_traits& tr = traits_of(type);
        const size_t rb_in = *row_bytes(type, n_embd), rb_ff = *row_bytes(type, n_ff);
        expert_stack st;
        st.gate.resize(rb_in * n_ff * n_expert);
        st.up.resize(rb_in * n_ff * n_expert);
        st.down.resize(rb_ff * n_embd * n_expert);
        const auto wg = random_vec(size_t(n_embd * n_ff * n_expert), 2, 0.1f);
        const auto wu = random_vec(size_t(n_embd * n_ff * n_expert), 3, 0.1f);
        const auto wd = random_vec(size_t(n_ff * n_embd * n_expert), 4, 0.1f);
        for (int64_t r = 0; r < n_ff * n_expert; ++r) {
            tr.quantize_row(wg.data() + r * n_embd, st.gate.data() + r * rb_in, n_embd);
            tr.quantize_row(wu.data() + r * n_embd, st.up.data() + r * rb_in, n_embd);
        }
        for (int64_t r = 0; r < n_embd * n_expert; ++r) tr.quantize_row(wd.data() + r * n_ff, st.down.data() + r * rb_ff, n_ff);
        expert_layer layer;
        layer.il = 0;
        layer.n_embd = n_embd;
        layer.n_ff_exp = n_ff;
        for (int64_t ie = 0; ie < n_expert; ++ie) {
            auto slice = [&](const std::vector<uint8_t>& s, int64_t cols, int64_t rows, size_t rb) {
                const uint8_t* p = s.data() + size_t(ie) * rb * size_t(rows);
                return expert_slice{weight_matrix{type, p, cols, rows, rb}, 0, rb * uint64_t(rows)};
            };
            layer.experts.push_back(expert_desc{0, int(ie), slice(st.gate, n_embd, n_ff, rb_in),
                                                slice(st.up, n_embd, n_ff, rb_in), slice(st.down, n_ff, n_embd, rb_ff)});
        }
        const auto x = random_vec(size_t(n_embd * n_tokens), 5);
        const auto logits = random_vec(size_t(n_expert * n_tokens), 6);
        expert_routing r;
        route_experts(logits.data(), n_expert, n_tokens, n_used, true, 0.0f, r);
        const auto groups = group_by_expert(r, n_expert);
        std::vector<float> y(static_cast<size_t>(n_embd * n_used * n_tokens)), out(size_t(n_embd * n_tokens));
        expert_scratch scratch;
        run_experts_cpu(layer, r, groups, x.data(), y.data(), scratch, pool);
        combine_experts(r, n_embd, y.data(), out.data());

        std::vector<float> want(out.size(), 0.0f), g(static_cast<size_t>(n_ff)), u(static_cast<size_t>(n_ff)), a(static_cast<size_t>(n_ff)), d(static_cast<size_t>(n_embd));
        for (int64_t t = 0; t < n_tokens; ++t) {
            for (int64_t k = 0; k < n_used; ++k) {
                const expert_desc& e = layer.experts[size_t(r.ids[size_t(t * n_used + k)])];
                reference::matmul(e.gate.w, x.data() + t * n_embd, 1, g.data());
                reference::matmul(e.up.w, x.data() + t * n_embd, 1, u.data());
                reference::swiglu(g.data(), u.data(), a.data(), n_ff);
                reference::matmul(e.down.w, a.data(), 1, d.data());
                for (int64_t i = 0; i < n_embd; ++i) want[size_t(t * n_embd + i)] += r.weights[size_t(t * n_used + k)] * d[size_t(i)];
            }
        }
        // F32 differs by summation order; quantized types add Q8 activation rounding.
        const double tol = type == tensor_type::f32 ? 1e-5 : 2e-2;
        EXPECT_LE(test::relative_rmse(want, out), tol) << type_name(type);
    }
}

}  // namespace
}  // namespace holo
