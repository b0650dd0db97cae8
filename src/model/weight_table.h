// The one table of weight names (llama.cpp's GGUF names) and their roles.
// Placement, mixed quantization, `holo inspect` and the expert store read the role
// from here; architecture files name weights only through `weight_kind`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace holo {

enum class weight_role {
    embedding,      // token_embd
    output,         // output (lm head)
    norm,           // every RMSNorm weight, including QK-norm
    attention,      // q/k/v/o projections and their biases
    router,         // ffn_gate_inp: the expert router
    dense_ffn,      // ffn_gate/up/down of a dense layer
    shared_expert,  // *_shexp and the shared expert's sigmoid gate
    routed_expert,  // *_exps: the experts the router chooses from
};

const char* role_name(weight_role r);

enum class weight_kind {
    token_embd, output_norm, output,
    attn_norm, attn_q, attn_k, attn_v, attn_output, attn_q_norm, attn_k_norm,
    ffn_norm, ffn_gate, ffn_up, ffn_down,
    ffn_gate_inp,                                   // [n_embd, n_expert]
    ffn_gate_exps, ffn_up_exps, ffn_down_exps,      // [n_embd, n_ff_exp, n_expert] / [n_ff_exp, n_embd, n_expert]
    ffn_gate_shexp, ffn_up_shexp, ffn_down_shexp,
    ffn_gate_inp_shexp,                             // [n_embd] (qwen2moe's shared-expert gate)
    rope_freqs,                                     // [n_rot/2] (Llama 3.1+: RoPE frequency divisors)
    count_,
};

struct weight_info {
    weight_kind kind;
    std::string_view stem;  // "attn_q" → "blk.<il>.attn_q.weight"; global stems have no "blk."
    bool per_layer;
    weight_role role;
};

const weight_info& info_of(weight_kind k);

// "blk.3.attn_q.weight" for (attn_q, 3); "token_embd.weight" for (token_embd, -1).
// suffix is "weight" or "bias".
std::string weight_name(weight_kind k, int il = -1, std::string_view suffix = "weight");

struct parsed_weight_name {
    weight_kind kind;
    int il;  // -1 for global weights
    std::string suffix;
};
// Parses a GGUF tensor name; nullopt for names outside the table.
std::optional<parsed_weight_name> parse_weight_name(std::string_view name);

// The role of a tensor by its GGUF name; nullopt when unknown.
std::optional<weight_role> role_of(std::string_view tensor_name);

}  // namespace holo
