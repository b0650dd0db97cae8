#include "server/model_info.h"

#include <cstdio>
#include <map>

#include "gguf/gguf_file.h"
#include "model/model_stats.h"
#include "quant/tensor_type.h"

namespace holo::server {

result<model_details> read_model_details(const std::string& path) {
    auto f = gguf_file::open(path);
    if (!f.ok()) return f.err();
    auto st = compute_model_stats(f.value());
    if (!st.ok()) return st.err();
    model_details d;
    d.architecture = st->architecture;
    d.display_name = st->name;
    d.n_params = st->n_params;
    d.n_ctx_train = st->n_ctx_train;
    d.n_expert = st->n_expert;
    d.n_expert_used = st->n_expert_used;
    char buf[32];
    const double p = double(d.n_params);
    if (p >= 1e9) std::snprintf(buf, sizeof buf, "%.1fB", p / 1e9);
    else if (p >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", p / 1e6);
    else std::snprintf(buf, sizeof buf, "%.1fK", p / 1e3);
    d.parameter_size = buf;
    std::map<std::string, uint64_t> bytes_by_type;
    for (const auto& t : st->tensors) bytes_by_type[std::string(type_name(t.type))] += t.n_bytes;
    uint64_t best = 0;
    for (const auto& [name, bytes] : bytes_by_type) {
        if (bytes > best) {
            best = bytes;
            d.quantization_level = name;
        }
    }
    for (auto& c : d.quantization_level) c = char(std::toupper(static_cast<unsigned char>(c)));
    auto tmpl = f->get_string("tokenizer.chat_template");
    if (tmpl.ok() && tmpl.value()) d.chat_template = *tmpl.value();
    d.model_info = nlohmann::json::object();
    for (const auto& kv : f->metadata()) {
        if (kv.key == "tokenizer.chat_template") continue;
        if (auto u = f->get_uint(kv.key); u.ok() && u.value()) {
            d.model_info[kv.key] = *u.value();
        } else if (auto x = f->get_float(kv.key); x.ok() && x.value()) {
            d.model_info[kv.key] = *x.value();
        } else if (auto s = f->get_string(kv.key); s.ok() && s.value()) {
            d.model_info[kv.key] = s.value()->size() > 1024 ? s.value()->substr(0, 1024) + "..." : *s.value();
        } else if (auto b = f->get_bool(kv.key); b.ok() && b.value()) {
            d.model_info[kv.key] = *b.value();
        } else {
            d.model_info[kv.key] = nullptr;  // arrays (vocabularies): too large to show
        }
    }
    return d;
}

nlohmann::json details_json(const model_details& d) {
    return {{"parent_model", ""},
            {"format", "gguf"},
            {"family", d.architecture},
            {"families", nlohmann::json::array({d.architecture})},
            {"parameter_size", d.parameter_size},
            {"quantization_level", d.quantization_level}};
}

}  // namespace holo::server
