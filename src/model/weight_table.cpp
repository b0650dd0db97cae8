#include "model/weight_table.h"

#include <array>
#include <charconv>

namespace holo {

namespace {

constexpr std::array<weight_info, static_cast<size_t>(weight_kind::count_)> k_weights = {{
    {weight_kind::token_embd, "token_embd", false, weight_role::embedding},
    {weight_kind::output_norm, "output_norm", false, weight_role::norm},
    {weight_kind::output, "output", false, weight_role::output},
    {weight_kind::attn_norm, "attn_norm", true, weight_role::norm},
    {weight_kind::attn_q, "attn_q", true, weight_role::attention},
    {weight_kind::attn_k, "attn_k", true, weight_role::attention},
    {weight_kind::attn_v, "attn_v", true, weight_role::attention},
    {weight_kind::attn_output, "attn_output", true, weight_role::attention},
    {weight_kind::attn_q_norm, "attn_q_norm", true, weight_role::norm},
    {weight_kind::attn_k_norm, "attn_k_norm", true, weight_role::norm},
    {weight_kind::ffn_norm, "ffn_norm", true, weight_role::norm},
    {weight_kind::ffn_gate, "ffn_gate", true, weight_role::dense_ffn},
    {weight_kind::ffn_up, "ffn_up", true, weight_role::dense_ffn},
    {weight_kind::ffn_down, "ffn_down", true, weight_role::dense_ffn},
    {weight_kind::ffn_gate_inp, "ffn_gate_inp", true, weight_role::router},
    {weight_kind::ffn_gate_exps, "ffn_gate_exps", true, weight_role::routed_expert},
    {weight_kind::ffn_up_exps, "ffn_up_exps", true, weight_role::routed_expert},
    {weight_kind::ffn_down_exps, "ffn_down_exps", true, weight_role::routed_expert},
    {weight_kind::ffn_gate_shexp, "ffn_gate_shexp", true, weight_role::shared_expert},
    {weight_kind::ffn_up_shexp, "ffn_up_shexp", true, weight_role::shared_expert},
    {weight_kind::ffn_down_shexp, "ffn_down_shexp", true, weight_role::shared_expert},
    {weight_kind::ffn_gate_inp_shexp, "ffn_gate_inp_shexp", true, weight_role::shared_expert},
    {weight_kind::rope_freqs, "rope_freqs", false, weight_role::attention},
}};

}  // namespace

const char* role_name(weight_role r) {
    switch (r) {
        case weight_role::embedding: return "embedding";
        case weight_role::output: return "output";
        case weight_role::norm: return "norm";
        case weight_role::attention: return "attention";
        case weight_role::router: return "router";
        case weight_role::dense_ffn: return "dense_ffn";
        case weight_role::shared_expert: return "shared_expert";
        case weight_role::routed_expert: return "routed_expert";
    }
    return "?";
}

const weight_info& info_of(weight_kind k) { return k_weights[static_cast<size_t>(k)]; }

std::string weight_name(weight_kind k, int il, std::string_view suffix) {
    const weight_info& w = info_of(k);
    std::string s;
    if (w.per_layer) s = "blk." + std::to_string(il) + ".";
    s += w.stem;
    s += '.';
    s += suffix;
    return s;
}

std::optional<parsed_weight_name> parse_weight_name(std::string_view name) {
    int il = -1;
    if (name.starts_with("blk.")) {
        name.remove_prefix(4);
        auto dot = name.find('.');
        if (dot == std::string_view::npos || dot == 0) return std::nullopt;
        auto [p, ec] = std::from_chars(name.data(), name.data() + dot, il);
        if (ec != std::errc() || p != name.data() + dot || il < 0) return std::nullopt;
        name.remove_prefix(dot + 1);
    }
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    std::string_view stem = name.substr(0, dot), suffix = name.substr(dot + 1);
    for (const weight_info& w : k_weights) {
        if (w.stem == stem && w.per_layer == (il >= 0)) {
            return parsed_weight_name{w.kind, il, std::string(suffix)};
        }
    }
    return std::nullopt;
}

std::optional<weight_role> role_of(std::string_view tensor_name) {
    auto p = parse_weight_name(tensor_name);
    if (!p) return std::nullopt;
    return info_of(p->kind).role;
}

}  // namespace holo
