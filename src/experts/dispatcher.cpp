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
    if (groups.empty()) return;
    // Row offset of each group in the stacked [n_ff, rows] buffers.
    std::vector<int64_t> first(groups.size() + 1, 0);
    for (size_t g = 0; g < groups.size(); ++g) first[g + 1] = first[g] + int64_t(groups[g].tokens.size());
    const int64_t n_rows = first.back();
    s.gate.resize(size_t(n_ff * n_rows));
    s.up.resize(size_t(n_ff * n_rows));
    s.act.resize(size_t(n_ff * n_rows));
    s.down.resize(size_t(n_embd * n_rows));

    // gate and up of every active expert: one conversion of x, one parallel region
    const expert_desc& e0 = layer.experts[size_t(groups.front().ie)];
    quantize_activations(traits_of(e0.gate.w.type).vec_dot_type, x, n_embd, r.n_tokens, s.xq, &pool);
    const bool up_same = traits_of(e0.up.w.type).vec_dot_type == s.xq.type;
    quantized_activations up_xq;
    if (!up_same) quantize_activations(traits_of(e0.up.w.type).vec_dot_type, x, n_embd, r.n_tokens, up_xq, &pool);
    s.tasks.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
        HOLO_ASSERT(groups[g].ie >= 0 && size_t(groups[g].ie) < layer.experts.size(), "group expert out of range");
        const expert_desc& e = layer.experts[size_t(groups[g].ie)];
        const int64_t n = int64_t(groups[g].tokens.size());
        s.tasks.push_back(matmul_task{e.gate.w, &s.xq, groups[g].tokens.data(), n, s.gate.data() + first[g] * n_ff});
        s.tasks.push_back(
            matmul_task{e.up.w, up_same ? &s.xq : &up_xq, groups[g].tokens.data(), n, s.up.data() + first[g] * n_ff});
    }
    matmul_batch(s.tasks.data(), int64_t(s.tasks.size()), pool);
    swiglu(s.gate.data(), s.up.data(), s.act.data(), n_ff * n_rows);

    // down of every active expert over its rows of the stacked activations
    quantize_activations(traits_of(e0.down.w.type).vec_dot_type, s.act.data(), n_ff, n_rows, s.actq, &pool);
    s.rows.resize(size_t(n_rows));
    for (int64_t i = 0; i < n_rows; ++i) s.rows[size_t(i)] = int32_t(i);
    s.tasks.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
        const expert_desc& e = layer.experts[size_t(groups[g].ie)];
        s.tasks.push_back(matmul_task{e.down.w, &s.actq, s.rows.data() + first[g], int64_t(groups[g].tokens.size()),
                                      s.down.data() + first[g] * n_embd});
    }
    matmul_batch(s.tasks.data(), int64_t(s.tasks.size()), pool);

    // scatter each row back to its (token, slot)
    for (size_t g = 0; g < groups.size(); ++g) {
        for (size_t j = 0; j < groups[g].tokens.size(); ++j) {
            const int64_t t = groups[g].tokens[j], k = groups[g].slots[j];
            const float* src = s.down.data() + (first[g] + int64_t(j)) * n_embd;
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
