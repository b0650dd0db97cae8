#include "model/hparams.h"

#include <cmath>

#include "gguf/gguf_file.h"

namespace holo {

namespace {

std::string key_of(const hparams& hp, const char* suffix) { return hp.arch + "." + suffix; }

error bad(const gguf_file& f, const std::string& what) { return error{f.path() + ": " + what}; }

result<void> require(const gguf_file& f, const hparams& hp, const char* suffix, int64_t& out) {
    auto r = f.get_uint(key_of(hp, suffix));
    if (!r) return r.err();
    if (!r.value()) return bad(f, "missing metadata key '" + key_of(hp, suffix) + "'");
    out = int64_t(*r.value());
    return ok();
}

}  // namespace

result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, int64_t& out) {
    auto r = f.get_uint(key_of(hp, suffix));
    if (!r) return r.err();
    if (r.value()) {
        if (*r.value() > (uint64_t(1) << 40)) return bad(f, "metadata key '" + key_of(hp, suffix) + "' is implausibly large");
        out = int64_t(*r.value());
    }
    return ok();
}

result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, float& out) {
    auto r = f.get_float(key_of(hp, suffix));
    if (!r) return r.err();
    if (r.value()) out = float(*r.value());
    return ok();
}

result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, bool& out) {
    auto r = f.get_bool(key_of(hp, suffix));
    if (!r) return r.err();
    if (r.value()) out = *r.value();
    return ok();
}

result<hparams> read_common_hparams(const gguf_file& f, const std::string& arch) {
    hparams hp;
    hp.arch = arch;
    HOLO_TRY(require(f, hp, "context_length", hp.n_ctx_train));
    HOLO_TRY(require(f, hp, "embedding_length", hp.n_embd));
    HOLO_TRY(require(f, hp, "block_count", hp.n_layer));
    HOLO_TRY(read_key(f, hp, "feed_forward_length", hp.n_ff));
    HOLO_TRY(require(f, hp, "attention.head_count", hp.n_head));
    hp.n_head_kv = hp.n_head;
    HOLO_TRY(read_key(f, hp, "attention.head_count_kv", hp.n_head_kv));
    HOLO_TRY(read_key(f, hp, "expert_count", hp.n_expert));
    HOLO_TRY(read_key(f, hp, "expert_used_count", hp.n_expert_used));

    if (hp.n_embd <= 0 || hp.n_layer <= 0 || hp.n_head <= 0 || hp.n_head_kv <= 0)
        return bad(f, "embedding_length, block_count and head counts must be positive");
    if (hp.n_layer > 4096) return bad(f, "block_count " + std::to_string(hp.n_layer) + " is too large");
    if (hp.n_head % hp.n_head_kv != 0)
        return bad(f, "attention.head_count " + std::to_string(hp.n_head) + " is not a multiple of head_count_kv " +
                          std::to_string(hp.n_head_kv));
    if (hp.n_expert > 4096) return bad(f, "expert_count " + std::to_string(hp.n_expert) + " is too large");
    if (hp.n_expert_used > hp.n_expert) return bad(f, "expert_used_count exceeds expert_count");
    if (hp.n_expert > 0 && hp.n_expert_used == 0) return bad(f, "expert_count > 0 but expert_used_count is 0");

    hp.head_dim = hp.n_embd / hp.n_head;
    HOLO_TRY(read_key(f, hp, "attention.key_length", hp.head_dim));
    int64_t head_dim_v = hp.head_dim;
    HOLO_TRY(read_key(f, hp, "attention.value_length", head_dim_v));
    if (head_dim_v != hp.head_dim) return bad(f, "attention.key_length != attention.value_length is not supported");
    if (hp.head_dim <= 0 || hp.head_dim > 4096) return bad(f, "attention head size " + std::to_string(hp.head_dim) + " is invalid");
    hp.n_rot = hp.head_dim;
    HOLO_TRY(read_key(f, hp, "rope.dimension_count", hp.n_rot));
    if (hp.n_rot != hp.head_dim)  // every supported arch asserts this in llama.cpp
        return bad(f, "rope.dimension_count " + std::to_string(hp.n_rot) + " != head size " + std::to_string(hp.head_dim));

    HOLO_TRY(read_key(f, hp, "attention.layer_norm_rms_epsilon", hp.rms_eps));
    if (!(hp.rms_eps > 0.0f) || hp.rms_eps > 1.0f) return bad(f, "attention.layer_norm_rms_epsilon is out of range");

    // RoPE scaling: llama-model.cpp reads the training values, llama-context.cpp
    // turns them into what the rope op gets. We do both here (no user overrides).
    HOLO_TRY(read_key(f, hp, "rope.freq_base", hp.rope_freq_base));
    if (!(hp.rope_freq_base > 1.0f)) return bad(f, "rope.freq_base must be > 1");
    auto type = f.get_string(key_of(hp, "rope.scaling.type"));
    if (!type) return type.err();
    std::string scaling = type.value().value_or("linear");
    if (scaling == "none") hp.rope_scaling = rope_scaling_type::none;
    else if (scaling == "linear") hp.rope_scaling = rope_scaling_type::linear;
    else if (scaling == "yarn") hp.rope_scaling = rope_scaling_type::yarn;
    else return bad(f, "rope.scaling.type '" + scaling + "' is not supported (none, linear, yarn)");
    float factor = 0.0f;
    HOLO_TRY(read_key(f, hp, "rope.scaling.factor", factor));
    if (factor == 0.0f) HOLO_TRY(read_key(f, hp, "rope.scale_linear", factor));
    if (factor < 0.0f || !std::isfinite(factor)) return bad(f, "rope.scaling.factor is invalid");
    hp.rope_freq_scale = factor == 0.0f ? 1.0f : 1.0f / factor;
    if (hp.rope_scaling == rope_scaling_type::none) hp.rope_freq_scale = 1.0f;
    float rope_attn_factor = 1.0f;
    HOLO_TRY(read_key(f, hp, "rope.scaling.attn_factor", rope_attn_factor));
    hp.n_ctx_orig_yarn = hp.n_ctx_train;
    HOLO_TRY(read_key(f, hp, "rope.scaling.original_context_length", hp.n_ctx_orig_yarn));
    if (hp.n_ctx_orig_yarn <= 0) hp.n_ctx_orig_yarn = hp.n_ctx_train;

    hp.yarn_ext_factor = hp.rope_scaling == rope_scaling_type::yarn ? 1.0f : 0.0f;
    hp.yarn_attn_factor = 1.0f;
    if (hp.yarn_ext_factor != 0.0f) {
        const float s = 1.0f / hp.rope_freq_scale;
        const float mscale = s <= 1.0f ? 1.0f : 0.1f * std::log(s) + 1.0f;
        // The rope op multiplies by (1 + 0.1 ln s) itself; llama.cpp cancels it here.
        hp.yarn_attn_factor = mscale / (1.0f + 0.1f * std::log(s));
    }
    hp.yarn_attn_factor *= rope_attn_factor;
    return hp;
}

}  // namespace holo
