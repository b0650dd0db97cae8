#include "train/train_export.h"

#include <cstring>

#include "gguf/gguf_writer.h"
#include "model/preset_metadata.h"
#include "quant/half.h"
#include "train/train_vocab.h"

namespace holo {

result<void> export_gguf(const param_layout& lay, const std::vector<float>& params, const synth_vocab& vocab,
                         const std::string& path, const export_options& opt) {
    if (opt.matrix_type != tensor_type::f32 && opt.matrix_type != tensor_type::f16)
        return error{"export " + path + ": matrices can be f32 or f16 only"};
    if (int64_t(vocab.tokens.size()) != lay.hp.n_vocab)
        return error{"export " + path + ": vocabulary has " + std::to_string(vocab.tokens.size()) +
                     " tokens, the model " + std::to_string(lay.hp.n_vocab)};
    const model_preset p = lay.hp.preset();
    auto u32 = [](int64_t x) { return gguf_value::make_u32(uint32_t(x)); };
    gguf_writer w;
    set_preset_metadata(w, p);
    // llama_ftype: 0 = all f32, 1 = mostly f16
    w.set("general.file_type", u32(opt.matrix_type == tensor_type::f16 ? 1 : 0));
    w.set("general.quantization_version", u32(2));
    for (auto& kv : vocab_metadata(vocab)) w.set(kv.key, kv.value);
    for (auto& kv : opt.provenance) w.set(kv.key, kv.value);

    auto type_of = [&](const planned_tensor& t) {
        return t.role() == weight_role::norm ? tensor_type::f32 : opt.matrix_type;
    };
    for (const auto& t : lay.tensors) HOLO_TRY(w.add_tensor(t.name, type_of(t), t.ne));
    HOLO_TRY(w.begin(path));
    std::vector<uint16_t> half;
    for (size_t i = 0; i < lay.tensors.size(); ++i) {
        const auto& t = lay.tensors[i];
        const float* src = params.data() + lay.offset[i];
        const size_t n = size_t(t.n_elements());
        if (type_of(t) == tensor_type::f32) {
            HOLO_TRY(w.write_tensor_data({reinterpret_cast<const uint8_t*>(src), n * sizeof(float)}));
        } else {
            half.resize(n);
            for (size_t j = 0; j < n; ++j) half[j] = f32_to_f16(src[j]);
            HOLO_TRY(w.write_tensor_data({reinterpret_cast<const uint8_t*>(half.data()), n * sizeof(uint16_t)}));
        }
    }
    return w.finish();
}

result<train_hparams> hparams_from_gguf(const gguf_file& f) {
    auto arch = f.get_string("general.architecture");
    if (!arch.ok()) return arch.err();
    if (!arch->has_value() || **arch != "qwen3moe") return error{f.path() + ": not a qwen3moe model"};
    train_hparams hp;
    auto get = [&](const std::string& key, int64_t& dst) -> result<void> {
        auto v = f.get_uint("qwen3moe." + key);
        if (!v.ok()) return v.err();
        if (!v->has_value()) return error{f.path() + ": missing qwen3moe." + key};
        dst = int64_t(**v);
        return ok();
    };
    HOLO_TRY(get("context_length", hp.n_ctx));
    HOLO_TRY(get("embedding_length", hp.n_embd));
    HOLO_TRY(get("block_count", hp.n_layer));
    HOLO_TRY(get("attention.head_count", hp.n_head));
    HOLO_TRY(get("attention.head_count_kv", hp.n_head_kv));
    HOLO_TRY(get("attention.key_length", hp.head_dim));
    HOLO_TRY(get("expert_count", hp.n_expert));
    HOLO_TRY(get("expert_used_count", hp.n_expert_used));
    HOLO_TRY(get("expert_feed_forward_length", hp.n_ff_exp));
    const gguf_tensor_info* emb = f.find_tensor("token_embd.weight");
    if (!emb || emb->ne.size() < 2) return error{f.path() + ": no token_embd.weight"};
    hp.n_vocab = emb->ne[1];
    if (auto b = f.get_float("qwen3moe.rope.freq_base"); b.ok() && b->has_value()) hp.rope_freq_base = **b;
    if (auto e = f.get_float("qwen3moe.attention.layer_norm_rms_epsilon"); e.ok() && e->has_value())
        hp.rms_eps = **e;
    return hp;
}

result<std::vector<float>> import_params(const param_layout& lay, const gguf_file& f) {
    std::vector<float> params(lay.n_params);
    for (size_t i = 0; i < lay.tensors.size(); ++i) {
        const auto& t = lay.tensors[i];
        const gguf_tensor_info* ti = f.find_tensor(t.name);
        if (!ti) return error{f.path() + ": missing tensor " + t.name};
        if (ti->ne != t.ne) return error{f.path() + ": tensor " + t.name + " has another shape"};
        const auto data = f.tensor_data(*ti);
        float* dst = params.data() + lay.offset[i];
        const size_t n = size_t(t.n_elements());
        if (ti->type == tensor_type::f32) {
            std::memcpy(dst, data.data(), n * sizeof(float));
        } else if (ti->type == tensor_type::f16) {
            for (size_t j = 0; j < n; ++j) {
                uint16_t h;
                std::memcpy(&h, data.data() + 2 * j, 2);
                dst[j] = f16_to_f32(h);
            }
        } else {
            return error{f.path() + ": tensor " + t.name + " is neither f32 nor f16"};
        }
    }
    return params;
}

}  // namespace holo
