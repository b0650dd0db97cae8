#include "model/preset_metadata.h"

#include <string>

#include "gguf/gguf_writer.h"

namespace holo {

void set_preset_metadata(gguf_writer& w, const model_preset& p) {
    const std::string a = arch_name(p.arch);
    auto u32 = [](int64_t x) { return gguf_value::make_u32(static_cast<uint32_t>(x)); };
    w.set("general.architecture", gguf_value::make_string(a));
    w.set("general.type", gguf_value::make_string("model"));
    w.set("general.name", gguf_value::make_string(p.model_name));
    w.set(a + ".block_count", u32(p.n_layer));
    w.set(a + ".context_length", u32(p.n_ctx_train));
    w.set(a + ".embedding_length", u32(p.n_embd));
    w.set(a + ".feed_forward_length", u32(p.n_ff));
    w.set(a + ".attention.head_count", u32(p.n_head));
    w.set(a + ".attention.head_count_kv", u32(p.n_head_kv));
    w.set(a + ".rope.freq_base", gguf_value::make_f32(static_cast<float>(p.rope_freq_base)));
    w.set(a + ".attention.layer_norm_rms_epsilon", gguf_value::make_f32(static_cast<float>(p.rms_eps)));
    if (p.arch == synth_arch::llama) {
        w.set(a + ".vocab_size", u32(p.n_vocab));
        w.set(a + ".rope.dimension_count", u32(p.head_dim));
    }
    if (p.head_dim * p.n_head != p.n_embd || p.arch == synth_arch::qwen3 || p.arch == synth_arch::qwen3moe) {
        w.set(a + ".attention.key_length", u32(p.head_dim));
        w.set(a + ".attention.value_length", u32(p.head_dim));
    }
    if (p.is_moe()) {
        w.set(a + ".expert_count", u32(p.n_expert));
        w.set(a + ".expert_used_count", u32(p.n_expert_used));
        // llama (Mixtral) reads the expert width from feed_forward_length.
        if (p.arch != synth_arch::llama) w.set(a + ".expert_feed_forward_length", u32(p.n_ff_exp));
        if (p.n_ff_shexp > 0) w.set(a + ".expert_shared_feed_forward_length", u32(p.n_ff_shexp));
    }
}

}  // namespace holo
