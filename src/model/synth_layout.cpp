#include "model/synth_layout.h"

namespace holo {

int64_t planned_tensor::n_rows() const {
    int64_t n = 1;
    for (size_t i = 1; i < ne.size(); ++i) n *= ne[i];
    return n;
}

std::vector<planned_tensor> plan_tensors(const model_preset& p) {
    using K = weight_kind;
    std::vector<planned_tensor> out;
    auto add = [&](K kind, int il, std::vector<int64_t> ne, bool bias = false) {
        out.push_back({weight_name(kind, il, bias ? "bias" : "weight"), kind, il, bias, std::move(ne)});
    };
    const int64_t n_embd = p.n_embd, n_vocab = p.n_vocab;

    add(K::token_embd, -1, {n_embd, n_vocab});
    for (int il = 0; il < static_cast<int>(p.n_layer); ++il) {
        add(K::attn_norm, il, {n_embd});
        add(K::attn_q, il, {n_embd, p.n_embd_q()});
        if (p.qkv_bias) add(K::attn_q, il, {p.n_embd_q()}, true);
        add(K::attn_k, il, {n_embd, p.n_embd_kv()});
        if (p.qkv_bias) add(K::attn_k, il, {p.n_embd_kv()}, true);
        add(K::attn_v, il, {n_embd, p.n_embd_kv()});
        if (p.qkv_bias) add(K::attn_v, il, {p.n_embd_kv()}, true);
        add(K::attn_output, il, {p.n_embd_q(), n_embd});
        if (p.qk_norm) {
            add(K::attn_q_norm, il, {p.head_dim});
            add(K::attn_k_norm, il, {p.head_dim});
        }
        add(K::ffn_norm, il, {n_embd});
        if (!p.is_moe()) {
            add(K::ffn_gate, il, {n_embd, p.n_ff});
            add(K::ffn_up, il, {n_embd, p.n_ff});
            add(K::ffn_down, il, {p.n_ff, n_embd});
            continue;
        }
        add(K::ffn_gate_inp, il, {n_embd, p.n_expert});
        add(K::ffn_gate_exps, il, {n_embd, p.n_ff_exp, p.n_expert});
        add(K::ffn_up_exps, il, {n_embd, p.n_ff_exp, p.n_expert});
        add(K::ffn_down_exps, il, {p.n_ff_exp, n_embd, p.n_expert});
        if (p.n_ff_shexp > 0) {
            add(K::ffn_gate_inp_shexp, il, {n_embd});
            add(K::ffn_gate_shexp, il, {n_embd, p.n_ff_shexp});
            add(K::ffn_up_shexp, il, {n_embd, p.n_ff_shexp});
            add(K::ffn_down_shexp, il, {p.n_ff_shexp, n_embd});
        }
    }
    add(K::output_norm, -1, {n_embd});
    if (!p.tied_embeddings) add(K::output, -1, {n_embd, n_vocab});
    return out;
}

}  // namespace holo
