#include "model/synth.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/progress.h"
#include "core/thread_pool.h"
#include "gguf/gguf_writer.h"
#include "model/preset_metadata.h"
#include "model/requantize_stream.h"
#include "model/synth_layout.h"
#include "model/synth_vocab.h"
#include "model/synth_weights.h"

namespace holo {

namespace {

// llama.cpp's metadata for the preset (keys from src/llama-arch.cpp; the set the HF
// converter writes for these architectures).
void set_metadata(gguf_writer& w, const model_preset& p, const type_mix& mix, const synth_options& opt) {
    auto u32 = [](int64_t x) { return gguf_value::make_u32(static_cast<uint32_t>(x)); };
    set_preset_metadata(w, p);
    w.set("general.file_type", gguf_value::make_u32(mix.file_type));
    w.set("general.quantization_version", gguf_value::make_u32(2));

    synth_vocab v = build_synth_vocab(p.n_vocab);
    w.set("tokenizer.ggml.model", gguf_value::make_string("gpt2"));
    w.set("tokenizer.ggml.pre", gguf_value::make_string("qwen2"));
    w.set("tokenizer.ggml.tokens", gguf_value::make_string_array(v.tokens));
    w.set("tokenizer.ggml.token_type", gguf_value::make_i32_array(v.token_types));
    w.set("tokenizer.ggml.merges", gguf_value::make_string_array(v.merges));
    w.set("tokenizer.ggml.bos_token_id", u32(v.bos_id));
    w.set("tokenizer.ggml.eos_token_id", u32(v.eos_id));
    w.set("tokenizer.ggml.padding_token_id", u32(v.pad_id));
    w.set("tokenizer.ggml.add_bos_token", gguf_value::make_bool(false));
    w.set("tokenizer.chat_template", gguf_value::make_string(v.chat_template));

    // Provenance, so a file says how to make it again.
    w.set("holo.synth.preset", gguf_value::make_string(p.name));
    w.set("holo.synth.seed", gguf_value::make_u64(opt.seed));
    w.set("holo.synth.routing_skew", gguf_value::make_f32(static_cast<float>(opt.routing_skew)));
    if (opt.row_pool > 0) w.set("holo.synth.row_pool", gguf_value::make_u64(static_cast<uint64_t>(opt.row_pool)));
}

// Row-pool mode (synth_options::row_pool): quantize `pool` generated rows once, then
// write each row as a seeded pick from them, a bounded batch at a time.
result<void> write_pooled(gguf_writer& w, const synth_weight_source& weights, const planned_tensor& t,
                          tensor_type type, int64_t pool, uint64_t seed, progress_bar& bar) {
    const int64_t n = t.row_length();
    const uint64_t rb = *row_bytes(type, static_cast<uint64_t>(n));
    std::vector<float> f32(static_cast<size_t>(pool * n));
    weights.fill(t, 0, pool, f32.data());
    std::vector<uint8_t> pooled(static_cast<size_t>(pool) * rb);
    for (int64_t r = 0; r < pool; ++r) traits_of(type).quantize_row(f32.data() + r * n, pooled.data() + r * rb, n);
    uint64_t h = seed ^ 0x9E3779B97F4A7C15ull;
    for (char c : t.name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
    const int64_t batch = std::max<int64_t>(1, static_cast<int64_t>((uint64_t(16) << 20) / rb));
    std::vector<uint8_t> out(static_cast<size_t>(std::min(batch, t.n_rows())) * rb);
    for (int64_t b0 = 0; b0 < t.n_rows(); b0 += batch) {
        const int64_t nb = std::min(batch, t.n_rows() - b0);
        for (int64_t r = 0; r < nb; ++r) {
            uint64_t z = h + static_cast<uint64_t>(b0 + r) * 0xD1B54A32D192ED03ull;
            z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
            z ^= z >> 29;
            const uint64_t pick = z % static_cast<uint64_t>(pool);
            std::copy_n(pooled.data() + pick * rb, rb, out.data() + static_cast<uint64_t>(r) * rb);
        }
        HOLO_TRY(w.write_tensor_data(std::span<const uint8_t>(out.data(), static_cast<size_t>(nb) * rb)));
        bar.add(static_cast<uint64_t>(nb * n));
    }
    return ok();
}

mix_model_info model_info(const model_preset& p) {
    return {p.n_layer, p.n_expert, p.n_head, p.n_head_kv, p.tied_embeddings};
}

}  // namespace

result<model_preset> resolve_preset(const synth_options& opt) {
    auto p = find_preset(opt.preset);
    if (!p) return error{"unknown preset '" + opt.preset + "' (expected one of: " + preset_names() + ")"};
    if (opt.n_layer) {
        if (*opt.n_layer < 1 || *opt.n_layer > 4096) {
            return error{"--layers " + std::to_string(*opt.n_layer) + ": must be between 1 and 4096"};
        }
        p->n_layer = *opt.n_layer;
    }
    return *p;
}

result<synth_report> write_synth_model(const synth_options& opt) {
    auto t0 = std::chrono::steady_clock::now();
    auto preset = resolve_preset(opt);
    if (!preset) return preset.err();
    const model_preset& p = *preset;
    auto mix = find_type_mix(opt.type);
    if (!mix) return mix.err();

    gguf_writer w;
    set_metadata(w, p, *mix, opt);

    const std::vector<planned_tensor> plan = plan_tensors(p);
    const mix_model_info info = model_info(p);
    std::vector<tensor_type> types;
    uint64_t total_elements = 0;
    for (const planned_tensor& t : plan) {
        // The HF converter writes 1-D tensors, norms and routers as f32; the mix then
        // decides the rest exactly as llama.cpp's quantizer would.
        const mix_tensor mt{t.name, t.kind, t.il, t.ne};
        const tensor_type source = mix_allows_quantization(mt) ? mix->base : tensor_type::f32;
        types.push_back(choose_tensor_type(*mix, opt.overrides, info, mt, source));
        HOLO_TRY(w.add_tensor(t.name, types.back(), t.ne));
        total_elements += static_cast<uint64_t>(t.n_elements());
    }
    if (auto r = w.begin(opt.output_path); !r) return r.err();

    const int n_threads = opt.n_threads > 0 ? opt.n_threads : std::max(1u, std::thread::hardware_concurrency());
    thread_pool pool(n_threads);
    progress_bar bar("synth " + p.name, total_elements, opt.progress && progress_bar::stderr_is_terminal());
    tensor_streamer streamer(pool, &bar);
    synth_weight_source weights(p, opt.seed, opt.routing_skew);

    synth_report rep;
    rep.preset = p.name;
    for (size_t i = 0; i < plan.size(); ++i) {
        const planned_tensor& t = plan[i];
        bar.set_detail(t.name);
        if (opt.row_pool > 0 && traits_of(types[i]).is_quantized && t.n_rows() > opt.row_pool) {
            if (auto r = write_pooled(w, weights, t, types[i], opt.row_pool, opt.seed, bar); !r) {
                return error{opt.output_path + ": " + r.message()};
            }
            rep.tensor_bytes += *row_bytes(types[i], static_cast<uint64_t>(t.row_length())) * static_cast<uint64_t>(t.n_rows());
            continue;
        }
        stream_job job{types[i], t.row_length(), t.n_rows(),
                       [&weights, &t](int64_t row0, int64_t n, float* dst) { weights.fill(t, row0, n, dst); }};
        if (auto r = streamer.write(w, job); !r) return error{opt.output_path + ": " + r.message()};
        rep.tensor_bytes += *row_bytes(types[i], static_cast<uint64_t>(t.row_length())) * static_cast<uint64_t>(t.n_rows());
    }
    if (auto r = w.finish(); !r) return r.err();
    bar.finish();

    rep.n_tensors = plan.size();
    std::error_code ec;
    rep.file_bytes = std::filesystem::file_size(opt.output_path, ec);
    rep.peak_buffer_bytes = streamer.peak_buffer_bytes();
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

}  // namespace holo
