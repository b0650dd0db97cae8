// The middle stages of a MoE layer (route → dispatch → experts → combine): given
// each token's chosen experts and weights (the router's output), group the batch's
// tokens by expert (dispatch), run each active expert once over all its tokens
// (experts, CPU here; other tiers plug in at dispatch), then sum each token's
// weighted expert outputs (combine).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "experts/expert_descriptor.h"

namespace holo {

class thread_pool;

// The router's decision for a batch: n_used experts per token.
struct expert_routing {
    int64_t n_tokens = 0;
    int64_t n_used = 0;
    std::vector<int32_t> ids;     // [n_used, n_tokens] chosen expert per slot
    std::vector<float> weights;   // [n_used, n_tokens] their mixing weights
};

// Tokens grouped by expert: for expert groups[g].ie, the (token, slot) pairs that
// chose it, in token order.
struct expert_group {
    int32_t ie;
    std::vector<int32_t> tokens;  // token index in the batch
    std::vector<int32_t> slots;   // which of the token's n_used choices
};

// Groups by expert, in ascending expert order; experts nobody chose are absent.
// Asserts that ids are in [0, n_expert).
std::vector<expert_group> group_by_expert(const expert_routing& r, int64_t n_expert);

// Scratch buffers reused between layers and steps (no allocation per layer).
struct expert_scratch {
    quantized_activations xq, actq;  // the layer input and the SwiGLU output, converted once
    std::vector<float> gate, up, act, down;
    std::vector<int32_t> rows;       // [0, n_rows) for the down projection's tasks
    std::vector<matmul_task> tasks;
};

// Computes y[:, k, t] = down_e(silu(gate_e x_t) * up_e x_t) for every token t and
// slot k with e = ids[k, t] (SwiGLU experts), reading each active expert's slices
// once: all experts' gate and up products run in one parallel region over the
// input converted once to the weights' activation format, each expert reading
// only its tokens' rows; then SwiGLU and all down products. x: [n_embd, n_tokens];
// y: [n_embd, n_used, n_tokens] (overwritten, unweighted).
void run_experts_cpu(const expert_layer& layer, const expert_routing& r, std::span<const expert_group> groups,
                     const float* x, float* y, expert_scratch& scratch, thread_pool& pool);

// out[:, t] = sum_k weights[k, t] * y[:, k, t], summed in slot order as llama.cpp
// does. y: [n_embd, n_used, n_tokens]; out: [n_embd, n_tokens] (overwritten).
void combine_experts(const expert_routing& r, int64_t n_embd, const float* y, float* out);

}  // namespace holo
