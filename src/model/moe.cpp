// The MoE block of the optimized pass, as four stages read top to bottom:
// route (router logits → softmax → top-k → weights), dispatch (group the batch's
// tokens by expert), experts (each active expert once over its tokens), combine
// (weighted sum per token); then the shared expert. Expert tiers plug in at dispatch.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"

namespace holo {

void route_experts(const float* logits, int64_t n_expert, int64_t n_tokens, int64_t n_used, bool renormalize,
                   float scale, expert_routing& r) {
    r.n_tokens = n_tokens;
    r.n_used = n_used;
    r.ids.resize(size_t(n_used * n_tokens));
    r.weights.resize(size_t(n_used * n_tokens));
    std::vector<float> prob(static_cast<size_t>(n_expert));
    std::vector<int32_t> order(static_cast<size_t>(n_expert));
    for (int64_t t = 0; t < n_tokens; ++t) {
        const float* lg = logits + t * n_expert;
        const float mx = *std::max_element(lg, lg + n_expert);
        float sum = 0.0f;
        for (int64_t e = 0; e < n_expert; ++e) sum += (prob[size_t(e)] = std::exp(lg[e] - mx));
        for (float& p : prob) p /= sum;
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + n_used, order.end(), [&](int32_t a, int32_t b) {
            return prob[size_t(a)] > prob[size_t(b)] || (prob[size_t(a)] == prob[size_t(b)] && a < b);
        });
        float wsum = 0.0f;
        for (int64_t k = 0; k < n_used; ++k) wsum += prob[size_t(order[size_t(k)])];
        // llama.cpp clamps the sum to the smallest normal f16 before dividing.
        const float div = renormalize ? std::max(wsum, 6.103515625e-5f) : 1.0f;
        const float mul = (scale != 0.0f && scale != 1.0f) ? scale : 1.0f;
        for (int64_t k = 0; k < n_used; ++k) {
            r.ids[size_t(t * n_used + k)] = order[size_t(k)];
            r.weights[size_t(t * n_used + k)] = prob[size_t(order[size_t(k)])] / div * mul;
        }
    }
}

void moe_block(const model& m, int64_t il, const float* x, int64_t n_tokens, float* out, forward_scratch& s,
               thread_pool& pool, const tensor_sink& sink) {
    const hparams& hp = m.hp();
    const layer_weights& L = m.layer(il);
    const int64_t n_embd = hp.n_embd;

    // 1. route
    s.logits.resize(size_t(hp.n_expert * n_tokens));
    matmul(L.gate_inp.matrix(), x, n_tokens, s.logits.data(), pool);  // [n_expert, n_tokens]
    sink(il, "moe_logits", hp.n_expert, n_tokens, s.logits.data());
    route_experts(s.logits.data(), hp.n_expert, n_tokens, hp.n_expert_used, m.plan().moe_renormalize,
                  m.plan().moe_weights_scale, s.routing);
    if (sink.active()) {
        const std::vector<float> ids(s.routing.ids.begin(), s.routing.ids.end());
        sink(il, "moe_ids", hp.n_expert_used, n_tokens, ids.data());
    }

    // 2. dispatch
    const std::vector<expert_group> groups = group_by_expert(s.routing, hp.n_expert);

    // 3. experts
    s.y.resize(size_t(n_embd * hp.n_expert_used * n_tokens));
    run_experts_cpu(L.experts, s.routing, groups, x, s.y.data(), s.experts, pool);  // [n_embd, n_used, n_tokens]

    // 4. combine
    combine_experts(s.routing, n_embd, s.y.data(), out);

    // shared expert, scaled by sigmoid(gate_inp_shexp · x) when gated
    if (L.has_shared_expert()) {
        s.shexp.resize(size_t(n_embd * n_tokens));
        swiglu_ffn_block(L.gate_shexp, L.up_shexp, L.down_shexp, x, n_tokens, s.shexp.data(), s, pool);
        for (int64_t t = 0; t < n_tokens; ++t) {
            float g = 1.0f;
            if (!L.gate_inp_shexp.empty()) {
                float z = 0.0f;
                for (int64_t i = 0; i < n_embd; ++i) z += L.gate_inp_shexp[size_t(i)] * x[t * n_embd + i];
                g = 1.0f / (1.0f + std::exp(-z));
            }
            for (int64_t i = 0; i < n_embd; ++i) out[t * n_embd + i] += g * s.shexp[size_t(t * n_embd + i)];
        }
    }
}

}  // namespace holo
