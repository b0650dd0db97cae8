#include "experts/dispatcher.h"

#include <algorithm>

#include "core/error.h"

namespace holo {

std::vector<expert_group> group_by_expert(const expert_routing& r, int64_t n_expert) {
    HOLO_ASSERT(int64_t(r.ids.size()) == r.n_used * r.n_tokens, "routing ids size");
    std::vector<int32_t> count(static_cast<size_t>(n_expert), 0);
    for (int32_t ie : r.ids) {
        HOLO_ASSERT(ie >= 0 && ie < n_expert, "expert id out of range");
        ++count[size_t(ie)];
    }
    std::vector<int32_t> group_of(static_cast<size_t>(n_expert), -1);
    std::vector<expert_group> groups;
    for (int32_t ie = 0; ie < n_expert; ++ie) {
        if (count[size_t(ie)] == 0) continue;
        group_of[size_t(ie)] = int32_t(groups.size());
        expert_group g;
        g.ie = ie;
        g.tokens.reserve(size_t(count[size_t(ie)]));
        g.slots.reserve(size_t(count[size_t(ie)]));
        groups.push_back(std::move(g));
    }
    for (int64_t t = 0; t < r.n_tokens; ++t) {
        for (int64_t k = 0; k < r.n_used; ++k) {
            expert_group& g = groups[size_t(group_of[size_t(r.ids[size_t(t * r.n_used + k)])])];
            g.tokens.push_back(int32_t(t));
            g.slots.push_back(int32_t(k));
        }
    }
    return groups;
}

void run_experts_cpu(const expert_layer& layer, const expert_routing& r, std::span<const expert_group> groups,
                     const float* x, float* y, expert_scratch& s, thread_pool& pool) {
    const int64_t n_embd = layer.n_embd, n_ff = layer.n_ff_exp;
    for (const expert_group& g : groups) {
        HOLO_ASSERT(g.ie >= 0 && size_t(g.ie) < layer.experts.size(), "group expert out of range");
        const expert_desc& e = layer.experts[size_t(g.ie)];
        const int64_t n = int64_t(g.tokens.size());
        // Gather this expert's tokens into one contiguous batch so gate/up/down are
        // each one matmul with n tokens: the expert's weights stream through once.
        s.xg.resize(size_t(n_embd * n));
        for (int64_t j = 0; j < n; ++j) {
            const float* src = x + int64_t(g.tokens[size_t(j)]) * n_embd;
            std::copy(src, src + n_embd, s.xg.begin() + j * n_embd);
        }
        s.gate.resize(size_t(n_ff * n));
        s.up.resize(size_t(n_ff * n));
        s.act.resize(size_t(n_ff * n));
        s.down.resize(size_t(n_embd * n));
        matmul(e.gate.w, s.xg.data(), n, s.gate.data(), pool);  // [n_ff, n]
        matmul(e.up.w, s.xg.data(), n, s.up.data(), pool);      // [n_ff, n]
        swiglu(s.gate.data(), s.up.data(), s.act.data(), n_ff * n);
        matmul(e.down.w, s.act.data(), n, s.down.data(), pool);  // [n_embd, n]
        // scatter each row back to its (token, slot)
        for (int64_t j = 0; j < n; ++j) {
            const int64_t t = g.tokens[size_t(j)], k = g.slots[size_t(j)];
            const float* src = s.down.data() + j * n_embd;
            std::copy(src, src + n_embd, y + (t * r.n_used + k) * n_embd);
        }
    }
}

void combine_experts(const expert_routing& r, int64_t n_embd, const float* y, float* out) {
    for (int64_t t = 0; t < r.n_tokens; ++t) {
        float* dst = out + t * n_embd;
        for (int64_t k = 0; k < r.n_used; ++k) {
            const float w = r.weights[size_t(t * r.n_used + k)];
            const float* src = y + (t * r.n_used + k) * n_embd;
            if (k == 0) {
                for (int64_t i = 0; i < n_embd; ++i) dst[i] = w * src[i];
            } else {
                for (int64_t i = 0; i < n_embd; ++i) dst[i] += w * src[i];
            }
        }
    }
}

}  // namespace holo
