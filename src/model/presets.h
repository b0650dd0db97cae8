// Architecture presets for `holo synth`: the exact hyper-parameters of real models
// (Qwen3-30B-A3B, Qwen2-57B-A14B, Mixtral-8x7B, DeepSeek-R1-Distill-Qwen-7B), tiny
// ones that exercise every feature of an architecture in a few MB, and the mid-size
// qwen3moe-mini for CPU benchmarks. Values follow the models' HF config.json files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace holo {

// The architectures synth can write, by their `general.architecture` string.
enum class synth_arch { llama, qwen2, qwen3, qwen2moe, qwen3moe };

const char* arch_name(synth_arch a);

struct model_preset {
    std::string name;        // "qwen3-30b-a3b"
    std::string model_name;  // general.name
    synth_arch arch;
    int64_t n_vocab;
    int64_t n_ctx_train;
    int64_t n_embd;
    int64_t n_layer;
    int64_t n_head;
    int64_t n_head_kv;
    int64_t head_dim;        // n_embd_head_k == n_embd_head_v
    int64_t n_ff;            // dense FFN width (also written for MoE archs, as llama.cpp's converter does)
    int64_t n_expert;        // 0 for dense
    int64_t n_expert_used;
    int64_t n_ff_exp;        // routed expert FFN width (Mixtral: n_ff)
    int64_t n_ff_shexp;      // qwen2moe shared expert width, 0 when absent
    double rope_freq_base;
    double rms_eps;
    bool qkv_bias;           // qwen2 / qwen2moe
    bool qk_norm;            // qwen3 / qwen3moe
    bool tied_embeddings;    // no output.weight; the lm head reads token_embd

    bool is_moe() const { return n_expert > 0; }
    int64_t n_embd_q() const { return n_head * head_dim; }
    int64_t n_embd_kv() const { return n_head_kv * head_dim; }
};

// All presets, real ones first.
const std::vector<model_preset>& all_presets();
// By name (exact); nullopt when unknown.
std::optional<model_preset> find_preset(std::string_view name);
// "qwen3-30b-a3b, qwen2-57b-a14b, ..." for help texts and errors.
std::string preset_names();

}  // namespace holo
