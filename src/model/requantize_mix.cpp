#include "model/requantize_mix.h"

#include <array>
#include <cctype>

namespace holo {

namespace {

using T = tensor_type;

// llama.cpp's file types (include/llama.h, llama_ftype) and their base tensor types
// (llama_ftype_get_default_type in src/llama-quant.cpp).
struct mix_entry {
    std::string_view name;
    uint32_t file_type;
    T base;
};
constexpr std::array<mix_entry, 17> k_mixes = {{
    {"f32", 0, T::f32},      {"f16", 1, T::f16},       {"bf16", 32, T::bf16},    {"q8_0", 7, T::q8_0},
    {"q4_0", 2, T::q4_0},    {"q4_1", 3, T::q4_1},     {"q5_0", 8, T::q5_0},     {"q5_1", 9, T::q5_1},
    {"q2_k", 10, T::q2_k},   {"q3_k_s", 11, T::q3_k},  {"q3_k_m", 12, T::q3_k},  {"q3_k_l", 13, T::q3_k},
    {"q4_k_s", 14, T::q4_k}, {"q4_k_m", 15, T::q4_k},  {"q5_k_s", 16, T::q5_k},  {"q5_k_m", 17, T::q5_k},
    {"q6_k", 18, T::q6_k},
}};

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// The broad tensor classes llama.cpp's rules distinguish.
enum class category { token_embd, output, attn_q, attn_k, attn_v, attn_output, ffn_up, ffn_gate, ffn_down, other };

category category_of(const mix_tensor& t) {
    if (!t.kind) return category::other;
    switch (*t.kind) {
        case weight_kind::token_embd: return category::token_embd;
        case weight_kind::output: return category::output;
        case weight_kind::attn_q: return category::attn_q;
        case weight_kind::attn_k: return category::attn_k;
        case weight_kind::attn_v: return category::attn_v;
        case weight_kind::attn_output: return category::attn_output;
        case weight_kind::ffn_up: case weight_kind::ffn_up_exps: case weight_kind::ffn_up_shexp:
            return category::ffn_up;
        case weight_kind::ffn_gate: case weight_kind::ffn_gate_exps: case weight_kind::ffn_gate_shexp:
            return category::ffn_gate;
        case weight_kind::ffn_down: case weight_kind::ffn_down_exps: case weight_kind::ffn_down_shexp:
            return category::ffn_down;
        default: return category::other;
    }
}

// The layers that get more bits in the *_M mixes: the first and last eighth, and
// every third layer in between.
bool use_more_bits(int64_t il, int64_t n) {
    return il < n / 8 || il >= 7 * n / 8 || (il - n / 8) % 3 == 2;
}

int n_dims(const std::vector<int64_t>& ne) {
    int n = 1;
    for (size_t i = 1; i < ne.size(); ++i) if (ne[i] > 1) n = static_cast<int>(i) + 1;
    return n;
}

// llama.cpp's per-category rules for the k-quant and legacy mixes (no imatrix).
T mix_rule(const type_mix& mix, const mix_model_info& m, const mix_tensor& t, category cat) {
    const std::string_view f = mix.name;
    const T base = mix.base;
    const int64_t il = t.il < 0 ? 0 : t.il, n_layer = m.n_layer;
    const int64_t n_gqa = m.n_head_kv > 0 ? m.n_head / m.n_head_kv : 1;

    if (cat == category::output || (m.tied_embeddings && cat == category::token_embd)) {
        if (t.ne[0] % traits_of(base).block_size != 0) return T::q8_0;
        return base == T::q8_0 ? T::q8_0 : T::q6_k;
    }
    switch (cat) {
        case category::attn_v: {
            T r = base;
            if (f == "q2_k") r = n_gqa >= 4 ? T::q4_k : T::q3_k;
            else if (f == "q3_k_m") r = il < 2 ? T::q5_k : T::q4_k;
            else if (f == "q3_k_l") r = T::q5_k;
            else if ((f == "q4_k_m" || f == "q5_k_m") && use_more_bits(il, n_layer)) r = T::q6_k;
            else if (f == "q4_k_s" && il < 4) r = T::q5_k;
            if (m.n_expert == 8) r = T::q8_0;  // Mixtral-style: 8 experts, attn_v costs little
            return r;
        }
        case category::attn_k:
            return m.n_expert == 8 ? T::q8_0 : base;
        case category::ffn_down:
            if (f == "q2_k") return T::q3_k;
            if (f == "q3_k_m") return il < n_layer / 16 ? T::q5_k : T::q4_k;
            if (f == "q3_k_l") return T::q5_k;
            if ((f == "q4_k_m" || f == "q5_k_m") && use_more_bits(il, n_layer)) return T::q6_k;
            if (f == "q4_k_s" && il < n_layer / 8) return T::q5_k;
            return base;
        case category::attn_output:
            if (m.n_expert == 8) {
                if (f == "q2_k" || f == "q3_k_s" || f == "q3_k_m" || f == "q4_k_s" || f == "q4_k_m") return T::q5_k;
                return base;
            }
            if (f == "q2_k") return T::q3_k;
            if (f == "q3_k_m") return T::q4_k;
            if (f == "q3_k_l") return T::q5_k;
            return base;
        default:
            return base;
    }
}

// A type whose block does not divide the row length falls back to a 32-block type,
// then to f16 (llama.cpp's tensor_type_fallback).
T fallback(T want, int64_t row_length) {
    if (row_length % traits_of(want).block_size == 0) return want;
    T r = want;
    switch (want) {
        case T::q2_k: case T::q3_k: r = T::q4_0; break;
        case T::q4_k: r = T::q5_0; break;
        case T::q5_k: r = T::q5_1; break;
        case T::q6_k: r = T::q8_0; break;
        default: break;
    }
    if (row_length % traits_of(r).block_size != 0) r = T::f16;
    return r;
}

std::optional<tensor_type> override_for(const role_types& o, const mix_tensor& t) {
    if (!t.kind) return std::nullopt;
    switch (info_of(*t.kind).role) {
        case weight_role::attention: return o.attention;
        case weight_role::shared_expert: return o.shared_expert;
        case weight_role::routed_expert: return o.routed_expert;
        case weight_role::embedding: return o.embedding;
        case weight_role::output: return o.output;
        default: return std::nullopt;
    }
}

}  // namespace

result<type_mix> find_type_mix(std::string_view name) {
    const std::string n = lower(name);
    for (const mix_entry& e : k_mixes) {
        if (e.name == n) return type_mix{std::string(e.name), e.file_type, e.base, false};
    }
    // A bare k-quant type name ("q4_k"): that type everywhere, no rules. The file type
    // recorded is the matching *_M mix, as llama.cpp's --pure does.
    static constexpr std::array<std::pair<std::string_view, uint32_t>, 5> k_pure = {{
        {"q2_k", 10}, {"q3_k", 12}, {"q4_k", 15}, {"q5_k", 17}, {"q6_k", 18}}};
    for (const auto& [pn, ft] : k_pure) {
        if (pn == n) return type_mix{n, ft, *type_from_name(n), true};
    }
    return error{"unknown type '" + std::string(name) + "' (expected one of: " + type_mix_names() + ", q3_k, q4_k, q5_k)"};
}

std::string type_mix_names() {
    std::string s;
    for (const mix_entry& e : k_mixes) {
        if (!s.empty()) s += ", ";
        s += e.name;
    }
    return s;
}

result<role_types> parse_role_types(const role_type_names& n) {
    role_types r;
    auto one = [](const std::string& flag, const std::string& v, std::optional<tensor_type>& out) -> result<void> {
        if (v.empty()) return ok();
        auto t = type_from_name(v);
        if (!t || *t == T::q8_k || *t == T::q8_1) {
            return error{flag + " " + v + ": not a tensor type (expected f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, "
                         "q5_1, q2_k, q3_k, q4_k, q5_k, q6_k)"};
        }
        out = *t;
        return ok();
    };
    HOLO_TRY(one("--attn", n.attention, r.attention));
    HOLO_TRY(one("--shared", n.shared_expert, r.shared_expert));
    HOLO_TRY(one("--experts", n.routed_expert, r.routed_expert));
    HOLO_TRY(one("--embed", n.embedding, r.embedding));
    HOLO_TRY(one("--output", n.output, r.output));
    return r;
}

bool mix_allows_quantization(const mix_tensor& t) {
    if (t.ne.empty() || n_dims(t.ne) < 2) return false;
    if (!t.name.ends_with("weight")) return false;
    if (t.name.find("_norm.weight") != std::string_view::npos) return false;
    if (t.kind == weight_kind::ffn_gate_inp || t.kind == weight_kind::ffn_gate_inp_shexp) return false;
    return true;
}

tensor_type choose_tensor_type(const type_mix& mix, const role_types& overrides, const mix_model_info& model,
                               const mix_tensor& t, tensor_type source) {
    if (!mix_allows_quantization(t)) return source;
    if (auto o = override_for(overrides, t)) return fallback(*o, t.ne[0]);
    if (!traits_of(mix.base).is_quantized) return mix.base;  // f32 / f16 / bf16: no rules
    T r = mix.pure ? mix.base : mix_rule(mix, model, t, category_of(t));
    return fallback(r, t.ne[0]);
}

}  // namespace holo
