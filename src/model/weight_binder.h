// Binds named GGUF tensors to a model's weight slots, checking presence, shape and
// type, and keeping the first error (so an arch file reads as a list of weights).
// Also the binding steps shared by architectures: embeddings, attention, dense
// FFN, routed experts, shared expert.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/weight_table.h"

namespace holo {

class weight_binder {
public:
    explicit weight_binder(model& m) : m_(m) {}

    model& target() { return m_; }
    const hparams& hp() const { return m_.hp_; }
    hparams& hp_mut() { return m_.hp_; }
    layer_weights& layer(int64_t il) { return m_.layers_[size_t(il)]; }

    // A matrix or 3-D stack with exactly the shape `ne` (innermost first). Absent:
    // an error when required, else an empty view.
    weight_view matrix(weight_kind k, int il, std::initializer_list<int64_t> ne, bool required = true);
    // A 1-D tensor of n elements, dequantized to f32. Absent: error when required,
    // else empty. suffix "weight" or "bias".
    std::vector<float> vec(weight_kind k, int il, int64_t n, bool required = true, const char* suffix = "weight");

    void fail(const std::string& what);  // keeps the first error
    bool ok() const { return !err_.has_value(); }
    const error& err() const { return *err_; }

    // --- binding steps shared by architectures ---
    // token_embd (sets n_vocab), output_norm, output (tied to token_embd when absent
    // and tie_allowed).
    void bind_embeddings(bool tie_allowed);
    // The optional rope_freqs tensor (llama.cpp reads it for llama).
    void bind_rope_freqs();
    // attn_norm, q/k/v/o with optional biases; q_norm/k_norm when qk_norm.
    void bind_attention(int il, bool qk_norm);
    // ffn_norm + dense SwiGLU FFN of width n_ff.
    void bind_dense_ffn(int il);
    // ffn_norm + router + the three expert stacks of width n_ff_exp, and the
    // per-expert descriptors the experts module gets.
    void bind_moe(int il);
    // The shared expert of width n_ff_shexp; its sigmoid gate vector when gated.
    void bind_shared_expert(int il, bool gated);

private:
    model& m_;
    std::optional<error> err_;
};

}  // namespace holo
