// Type mixes: llama.cpp's file types (`q4_k_m`, `q3_k_s`, `q8_0`, ...) and the rules
// that pick each tensor's type inside a mix (output q6_K, attn_v / ffn_down of some
// layers one step up, ...), so that a file we write has the same per-tensor types as
// one written by llama.cpp's quantizer; plus per-role overrides (attention, shared
// experts, routed experts, embedding, output) on top. Used by synth and quantize.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/weight_table.h"
#include "quant/tensor_type.h"

namespace holo {

struct type_mix {
    std::string name;    // "q4_k_m"
    uint32_t file_type;  // llama.cpp's llama_ftype number, written as general.file_type
    tensor_type base;    // the type most tensors get
    bool pure = false;   // a bare tensor type ("q4_k"): no per-tensor rules
};

// A mix by name, case-insensitive: the llama.cpp file types above, or a bare tensor
// type name (pure: every quantizable tensor gets it).
result<type_mix> find_type_mix(std::string_view name);
// "f32, f16, bf16, q8_0, ..." for help texts.
std::string type_mix_names();

// Per-role overrides; unset roles follow the mix.
struct role_types {
    std::optional<tensor_type> attention;      // q/k/v/o projections
    std::optional<tensor_type> shared_expert;  // *_shexp
    std::optional<tensor_type> routed_expert;  // *_exps
    std::optional<tensor_type> embedding;      // token_embd
    std::optional<tensor_type> output;         // output (lm head)
};

// Role overrides from the command line (`--attn q6_k --experts q3_k ...`); empty
// strings leave a role to the mix. Error names the flag and the bad type.
struct role_type_names {
    std::string attention, shared_expert, routed_expert, embedding, output;
};
result<role_types> parse_role_types(const role_type_names& names);

// What the rules need to know about the model.
struct mix_model_info {
    int64_t n_layer = 0;
    int64_t n_expert = 0;   // 0 for dense models
    int64_t n_head = 1;
    int64_t n_head_kv = 1;
    bool tied_embeddings = false;  // no output.weight in the file
};

// One tensor, as the rules see it.
struct mix_tensor {
    std::string_view name;
    std::optional<weight_kind> kind;  // nullopt for names outside the weight table
    int il = -1;
    std::vector<int64_t> ne;          // innermost first
};

// True when llama.cpp's quantizer would quantize this tensor at all: a 2-D or 3-D
// ".weight" that is not a norm and not the expert router; everything else keeps its
// type (f32 in files from llama.cpp's converter).
bool mix_allows_quantization(const mix_tensor& t);

// The type `t` gets under `mix` and `overrides` (already checked against the row
// length: a type whose block does not divide ne[0] falls back as llama.cpp does).
// `source` is the type the tensor has now; non-quantizable tensors keep it.
tensor_type choose_tensor_type(const type_mix& mix, const role_types& overrides, const mix_model_info& model,
                               const mix_tensor& t, tensor_type source);

}  // namespace holo
