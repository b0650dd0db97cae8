#include "model/requantize.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/progress.h"
#include "core/thread_pool.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/requantize_stream.h"
#include "model/weight_table.h"

namespace holo {

namespace {

mix_tensor describe(const gguf_tensor_info& t) {
    mix_tensor m{t.name, std::nullopt, -1, t.ne};
    if (auto p = parse_weight_name(t.name)) {
        m.kind = p->kind;
        m.il = p->il;
    }
    return m;
}

}  // namespace

result<mix_model_info> mix_info_from_file(const gguf_file& f) {
    auto arch = f.get_string("general.architecture");
    if (!arch) return arch.err();
    if (!*arch) return error{f.path() + ": no general.architecture"};
    const std::string a = **arch;
    mix_model_info m;
    auto get = [&](const std::string& key, int64_t& out, bool required) -> result<void> {
        auto v = f.get_uint(a + "." + key);
        if (!v) return v.err();
        if (*v) out = static_cast<int64_t>(**v);
        else if (required) return error{f.path() + ": missing " + a + "." + key};
        return ok();
    };
    HOLO_TRY(get("block_count", m.n_layer, true));
    HOLO_TRY(get("expert_count", m.n_expert, false));
    HOLO_TRY(get("attention.head_count", m.n_head, false));
    m.n_head_kv = m.n_head;
    HOLO_TRY(get("attention.head_count_kv", m.n_head_kv, false));
    m.tied_embeddings = f.find_tensor(weight_name(weight_kind::output)) == nullptr;
    return m;
}

result<requantize_report> requantize_model(const requantize_options& opt) {
    auto t0 = std::chrono::steady_clock::now();
    auto mix = find_type_mix(opt.type);
    if (!mix) return mix.err();
    std::error_code ec;
    if (std::filesystem::exists(opt.output_path, ec) && std::filesystem::equivalent(opt.input_path, opt.output_path, ec)) {
        return error{opt.output_path + ": output is the input file (it is read while the output is written)"};
    }
    auto in = gguf_file::open(opt.input_path);
    if (!in) return in.err();
    const gguf_file& f = *in;
    auto info = mix_info_from_file(f);
    if (!info) return info.err();

    gguf_writer w;
    for (const gguf_kv& kv : f.metadata()) {
        if (kv.key == "general.alignment") continue;  // the writer sets its own
        w.set(kv.key, kv.value);
    }
    w.set("general.file_type", gguf_value::make_u32(mix->file_type));
    w.set("general.quantization_version", gguf_value::make_u32(2));

    std::vector<tensor_type> types;
    uint64_t total_elements = 0;
    for (const gguf_tensor_info& t : f.tensors()) {
        // An empty tensor has no rows to convert: keep its type.
        types.push_back(t.n_elements() == 0 ? t.type : choose_tensor_type(*mix, opt.overrides, *info, describe(t), t.type));
        if (auto r = w.add_tensor(t.name, types.back(), t.ne); !r) {
            return error{opt.input_path + ": tensor '" + t.name + "': " + r.message()};
        }
        total_elements += t.n_elements();
    }
    if (auto r = w.begin(opt.output_path); !r) return r.err();

    const int n_threads = opt.n_threads > 0 ? opt.n_threads : std::max(1u, std::thread::hardware_concurrency());
    thread_pool pool(n_threads);
    progress_bar bar("quantize", total_elements, opt.progress && progress_bar::stderr_is_terminal());
    tensor_streamer streamer(pool, &bar);

    requantize_report rep;
    rep.input_bytes = f.file_size();
    for (size_t i = 0; i < f.tensors().size(); ++i) {
        const gguf_tensor_info& t = f.tensors()[i];
        bar.set_detail(t.name);
        const std::span<const uint8_t> src = f.tensor_data(t);
        if (types[i] == t.type) {
            // Unchanged: copy in slices so a huge tensor is not touched all at once.
            const size_t step = size_t(64) << 20;
            for (size_t off = 0; off < src.size(); off += step) {
                HOLO_TRY(w.write_tensor_data(src.subspan(off, std::min(step, src.size() - off))));
            }
            bar.add(t.n_elements());
            continue;
        }
        const type_traits& from = traits_of(t.type);
        const int64_t row_length = t.ne[0];
        const uint64_t src_row_bytes = *row_bytes(t.type, static_cast<uint64_t>(row_length));
        const int64_t n_rows = static_cast<int64_t>(t.n_elements() / static_cast<uint64_t>(row_length));
        stream_job job{types[i], row_length, n_rows, [&](int64_t row0, int64_t n, float* dst) {
                           for (int64_t r = 0; r < n; ++r) {
                               from.dequantize_row(src.data() + static_cast<uint64_t>(row0 + r) * src_row_bytes,
                                                   dst + r * row_length, row_length);
                           }
                       }};
        if (auto r = streamer.write(w, job); !r) return error{opt.output_path + ": " + r.message()};
        ++rep.n_converted;
    }
    if (auto r = w.finish(); !r) return r.err();
    bar.finish();

    rep.n_tensors = f.tensors().size();
    rep.output_bytes = std::filesystem::file_size(opt.output_path, ec);
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

}  // namespace holo
