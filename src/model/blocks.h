// The building blocks of the optimized forward pass, each over a whole batch of
// n_tokens (weights are read once per batch). Architectures differ only in the
// block_plan these read. Shapes innermost first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "experts/dispatcher.h"
#include "model/forward.h"
#include "model/model.h"

namespace holo {

class kv_cache;
class thread_pool;

// Emits named intermediates to the optional debug hook.
struct tensor_sink {
    const tensor_callback* cb = nullptr;
    int64_t pos0 = 0;
    bool active() const { return cb && *cb; }
    void operator()(int64_t il, const char* name, int64_t row_len, int64_t n_tokens, const float* data) const {
        if (!active()) return;
        const std::string full = il < 0 ? std::string(name) : "l" + std::to_string(il) + "." + name;
        (*cb)(full, pos0, n_tokens, row_len, data);
    }
};

// Scratch reused across layers within one forward call.
struct forward_scratch {
    std::vector<float> q, k, v, kqv, gate, up, act, logits, probs, y, shexp, shgate;
    quantized_activations xq, xq2;
    std::vector<matmul_task> tasks;
    expert_routing routing;
    expert_scratch experts;
};

// Several products of the same input (q/k/v; gate/up): x is converted to the
// weights' activation format once and all products run in one parallel region.
// x: [n_cols, n_tokens]; each y: [w.n_rows, n_tokens].
struct product {
    weight_matrix w;
    float* y;
};
void matmul_same_input(std::initializer_list<product> products, const float* x, int64_t n_tokens, forward_scratch& s,
                       thread_pool& pool);

// Adds a bias [n] to each of n_tokens columns of y (no-op when the bias is absent).
void add_bias(float* y, const std::vector<float>& b, int64_t n_tokens);

// RoPE of one token's q [head_dim, n_head] and k [head_dim, n_head_kv] at `pos`,
// with the model's rope kind, scaling and (Llama 3.1+) frequency factors.
void rope_qk(const model& m, float* q, float* k, int64_t pos);

// Self-attention of layer il: q/k/v projections (+biases), optional per-head
// QK-norm, RoPE, append k/v to the cache at [pos0, pos0 + n_tokens), causal GQA,
// output projection. x: [n_embd, n_tokens] (normed input); out: [n_embd, n_tokens].
void attention_block(const model& m, int64_t il, kv_cache& kv, const float* x, int64_t pos0, int64_t n_tokens,
                     float* out, forward_scratch& s, thread_pool& pool, const tensor_sink& sink);

// SwiGLU FFN: out = down(silu(gate x) * up x). x: [n_cols(gate), n_tokens];
// out: [n_rows(down), n_tokens].
void swiglu_ffn_block(const weight_view& gate, const weight_view& up, const weight_view& down, const float* x,
                      int64_t n_tokens, float* out, forward_scratch& s, thread_pool& pool);

// MoE FFN: route → dispatch → experts → combine, plus the (gated) shared expert.
// x: [n_embd, n_tokens]; out: [n_embd, n_tokens].
void moe_block(const model& m, int64_t il, const float* x, int64_t n_tokens, float* out, forward_scratch& s,
               thread_pool& pool, const tensor_sink& sink);

// The "route" stage on its own (tested against a plain version): softmax over
// logits [n_expert, n_tokens], top-k per token in descending order (ties: lower
// index first), optional renormalization and scale, as llama.cpp's build_moe_ffn.
void route_experts(const float* logits, int64_t n_expert, int64_t n_tokens, int64_t n_used, bool renormalize,
                   float scale, expert_routing& out);

}  // namespace holo
