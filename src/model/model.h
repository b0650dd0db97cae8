// A loaded model: hyper-parameters from GGUF metadata and typed views of its weights
// inside the memory map. Immutable once loaded and shared by every session
// (DESIGN invariant 4); per-request state (KV cache) lives elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "experts/expert_descriptor.h"
#include "gguf/gguf_file.h"
#include "kernels/cpu/cpu_ops.h"
#include "model/hparams.h"

namespace holo {

struct model_load_options {
    bool mlock = false;  // lock the mapped weights in RAM (--mlock)
};

// A weight as it lies in the map (zero copy). Absent optional weights have data == nullptr.
struct weight_view {
    std::string name;
    tensor_type type = tensor_type::f32;
    const uint8_t* data = nullptr;
    std::array<int64_t, 3> ne = {0, 1, 1};  // innermost first
    size_t row_bytes = 0;                   // bytes of one row of ne[0] elements

    explicit operator bool() const { return data != nullptr; }
    // The 2-D matrix (ne[2] must be 1), or the i2-th matrix of a 3-D stack.
    weight_matrix matrix(int64_t i2 = 0) const;
};

// How an architecture composes the shared blocks. Arch files fill this in; the
// forward passes (fast and reference) read it, so they stay arch-agnostic.
enum class rope_kind { normal, neox };  // pairs (2i, 2i+1) vs (i, i + n_rot/2)
struct block_plan {
    rope_kind rope = rope_kind::normal;
    bool qk_norm = false;             // RMSNorm per head on q and k before RoPE (qwen3)
    bool moe_renormalize = false;     // renormalize the top-k softmax weights to sum 1
    float moe_weights_scale = 0.0f;   // multiply expert weights (0 or 1: no scaling)
    bool shared_expert_gated = false; // shared expert output *= sigmoid(gate_inp_shexp · x)
};

// Per-layer weights. Vectors (norms, biases) are small: kept as f32 copies; the
// matrices stay in the map. Shapes innermost first.
struct layer_weights {
    std::vector<float> attn_norm;      // [n_embd]
    weight_view wq, wk, wv, wo;        // [n_embd, n_embd_q], [n_embd, n_embd_kv] x2, [n_embd_q, n_embd]
    std::vector<float> bq, bk, bv, bo; // optional biases, empty when absent
    std::vector<float> q_norm, k_norm; // [head_dim], qk_norm only
    std::vector<float> ffn_norm;       // [n_embd]

    // dense FFN (empty in MoE layers)
    weight_view ffn_gate, ffn_up;      // [n_embd, n_ff]
    weight_view ffn_down;              // [n_ff, n_embd]

    // routed experts
    weight_view gate_inp;              // [n_embd, n_expert]
    weight_view gate_exps, up_exps;    // [n_embd, n_ff_exp, n_expert]
    weight_view down_exps;             // [n_ff_exp, n_embd, n_expert]
    expert_layer experts;              // per-expert descriptors into the three stacks

    // shared expert (optional)
    weight_view gate_shexp, up_shexp;  // [n_embd, n_ff_shexp]
    weight_view down_shexp;            // [n_ff_shexp, n_embd]
    std::vector<float> gate_inp_shexp; // [n_embd], when shared_expert_gated

    bool is_moe() const { return bool(gate_inp); }
    bool has_shared_expert() const { return bool(down_shexp); }
};

class model {
public:
    const hparams& hp() const { return hp_; }
    const block_plan& plan() const { return plan_; }
    const gguf_file& file() const { return file_; }

    const weight_view& tok_embd() const { return tok_embd_; }  // [n_embd, n_vocab]
    const std::vector<float>& output_norm() const { return output_norm_; }  // [n_embd]
    // [n_rot/2] divisors of the RoPE frequencies (Llama 3.1+); empty when absent.
    const std::vector<float>& rope_freqs() const { return rope_freqs_; }
    const weight_view& output() const { return output_; }      // [n_embd, n_vocab]; token_embd when tied
    const layer_weights& layer(int64_t il) const { return layers_[size_t(il)]; }
    const std::vector<layer_weights>& layers() const { return layers_; }

    model(const model&) = delete;
    model& operator=(const model&) = delete;

private:
    friend result<std::shared_ptr<const model>> load_model(const std::string&, const struct model_load_options&);
    friend class weight_binder;
    explicit model(gguf_file f) : file_(std::move(f)) {}

    gguf_file file_;
    hparams hp_;
    block_plan plan_;
    weight_view tok_embd_, output_;
    std::vector<float> output_norm_, rope_freqs_;
    std::vector<layer_weights> layers_;
};

// Maps the file, reads the hyper-parameters for its architecture, binds every
// weight the architecture needs (shape- and type-checked), and loads nothing else:
// pages come in as the forward pass touches them.
result<std::shared_ptr<const model>> load_model(const std::string& path, const model_load_options& opts = {});

// The architectures load_model knows ("llama, qwen2, ...").
std::string supported_archs();

}  // namespace holo
