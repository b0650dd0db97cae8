#include "model/presets.h"

namespace holo {

const char* arch_name(synth_arch a) {
    switch (a) {
        case synth_arch::llama: return "llama";
        case synth_arch::qwen2: return "qwen2";
        case synth_arch::qwen3: return "qwen3";
        case synth_arch::qwen2moe: return "qwen2moe";
        case synth_arch::qwen3moe: return "qwen3moe";
    }
    return "?";
}

namespace {

using A = synth_arch;

// Real models: numbers from each model's config.json (hidden_size, num_hidden_layers,
// num_attention_heads, num_key_value_heads, head_dim, intermediate_size,
// moe_intermediate_size, shared_expert_intermediate_size, num_experts(_per_tok),
// vocab_size, max_position_embeddings, rope_theta, rms_norm_eps, tie_word_embeddings).
//
// Tiny models: n_embd and every FFN width a multiple of 256 so every k-quant applies;
// GQA (n_head_kv < n_head), 3 layers so per-layer type rules differ between layers,
// >= 4 experts with >= 2 used (8 experts in tiny-mixtral and tiny-qwen2moe, where
// llama.cpp's mixes have Mixtral-specific rules; 16 in tiny-qwen3moe, where they do
// not, like the real 128). tiny-qwen3 ties its embeddings (as the small Qwen3
// models do) so the tied path is exercised too.
std::vector<model_preset> make_presets() {
    //        name, general.name, arch, n_vocab, n_ctx, n_embd, n_layer, n_head, n_head_kv, head_dim,
    //        n_ff, n_expert, n_expert_used, n_ff_exp, n_ff_shexp, rope_base, eps, qkv_bias, qk_norm, tied
    return {
        {"qwen3-30b-a3b", "Qwen3-30B-A3B (synthetic)", A::qwen3moe, 151936, 40960, 2048, 48, 32, 4, 128,
         6144, 128, 8, 768, 0, 1000000.0, 1e-6, false, true, false},
        {"qwen2-57b-a14b", "Qwen2-57B-A14B (synthetic)", A::qwen2moe, 151936, 131072, 3584, 28, 28, 4, 128,
         18944, 64, 8, 2560, 20480, 1000000.0, 1e-6, true, false, false},
        {"mixtral-8x7b", "Mixtral-8x7B (synthetic)", A::llama, 32000, 32768, 4096, 32, 32, 8, 128,
         14336, 8, 2, 14336, 0, 1000000.0, 1e-5, false, false, false},
        {"deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill-Qwen-7B (synthetic)", A::qwen2, 152064, 131072, 3584, 28,
         28, 4, 128, 18944, 0, 0, 0, 0, 10000.0, 1e-6, true, false, false},
        // Qwen3-30B-A3B's layer shape with 6 layers, 64 experts, a 32000-token vocabulary.
        {"qwen3moe-mini", "qwen3moe-mini (synthetic)", A::qwen3moe, 32000, 40960, 2048, 6, 32, 4, 128,
         6144, 64, 8, 768, 0, 1000000.0, 1e-6, false, true, false},
        {"tiny-llama", "tiny-llama (synthetic)", A::llama, 1024, 2048, 256, 3, 4, 2, 64,
         512, 0, 0, 0, 0, 10000.0, 1e-5, false, false, false},
        {"tiny-mixtral", "tiny-mixtral (synthetic)", A::llama, 1024, 2048, 256, 3, 4, 2, 64,
         256, 8, 2, 256, 0, 1000000.0, 1e-5, false, false, false},
        {"tiny-qwen2", "tiny-qwen2 (synthetic)", A::qwen2, 1024, 2048, 256, 3, 4, 2, 64,
         512, 0, 0, 0, 0, 1000000.0, 1e-6, true, false, false},
        {"tiny-qwen3", "tiny-qwen3 (synthetic)", A::qwen3, 1024, 2048, 256, 3, 4, 2, 128,
         512, 0, 0, 0, 0, 1000000.0, 1e-6, false, true, true},
        {"tiny-qwen2moe", "tiny-qwen2moe (synthetic)", A::qwen2moe, 1024, 2048, 256, 3, 4, 2, 64,
         512, 8, 2, 256, 512, 1000000.0, 1e-6, true, false, false},
        {"tiny-qwen3moe", "tiny-qwen3moe (synthetic)", A::qwen3moe, 1024, 2048, 256, 3, 4, 2, 128,
         512, 16, 4, 256, 0, 1000000.0, 1e-6, false, true, false},
    };
}

}  // namespace

const std::vector<model_preset>& all_presets() {
    static const std::vector<model_preset> presets = make_presets();
    return presets;
}

std::optional<model_preset> find_preset(std::string_view name) {
    for (const model_preset& p : all_presets()) {
        if (p.name == name) return p;
    }
    return std::nullopt;
}

std::string preset_names() {
    std::string s;
    for (const model_preset& p : all_presets()) {
        if (!s.empty()) s += ", ";
        s += p.name;
    }
    return s;
}

}  // namespace holo
