// The trainable MoE model: hyper-parameters and one flat parameter vector laid out
// tensor by tensor exactly as the exported qwen3moe GGUF stores them (names and
// shapes from synth_layout's plan), so export is a copy and offsets are shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/presets.h"
#include "model/synth_layout.h"

namespace holo {

struct train_hparams {
    int64_t n_vocab = 1024;
    int64_t n_ctx = 128;       // training sequence length (also written as context_length)
    int64_t n_embd = 128;
    int64_t n_layer = 4;
    int64_t n_head = 4;
    int64_t n_head_kv = 2;
    int64_t head_dim = 32;
    int64_t n_expert = 8;
    int64_t n_expert_used = 2;
    int64_t n_ff_exp = 128;
    double rope_freq_base = 10000.0;
    double rms_eps = 1e-6;

    int64_t n_embd_q() const { return n_head * head_dim; }
    int64_t n_embd_kv() const { return n_head_kv * head_dim; }
    // The qwen3moe preset these dimensions describe (export and layout use it).
    model_preset preset() const;
};

// Offsets (in elements) of one layer's tensors inside the parameter vector.
struct layer_offsets {
    size_t attn_norm, wq, wk, wv, wo, q_norm, k_norm, ffn_norm;
    size_t router;                          // [n_embd, n_expert]
    size_t gate_exps, up_exps, down_exps;   // [n_embd, n_ff_exp, n_expert] x2, [n_ff_exp, n_embd, n_expert]
};

struct param_layout {
    train_hparams hp;
    std::vector<planned_tensor> tensors;  // file order
    std::vector<size_t> offset;           // per tensor
    size_t n_params = 0;
    size_t tok_embd = 0, output_norm = 0, output = 0;
    std::vector<layer_offsets> layers;
};

param_layout make_layout(const train_hparams& hp);

// Deterministic initialization: norms 1, matrices N(0, 1/sqrt(fan_in)) scaled down
// for the residual outputs, router small so routing starts near uniform.
template <typename T>
void init_params(const param_layout& lay, uint64_t seed, std::vector<T>& params);

}  // namespace holo
