#include "train/train_model.h"

#include <cmath>
#include <random>

#include "core/error.h"

namespace holo {

model_preset train_hparams::preset() const {
    model_preset p;
    p.name = "holo-train";
    p.model_name = "holo-train";
    p.arch = synth_arch::qwen3moe;
    p.n_vocab = n_vocab;
    p.n_ctx_train = n_ctx;
    p.n_embd = n_embd;
    p.n_layer = n_layer;
    p.n_head = n_head;
    p.n_head_kv = n_head_kv;
    p.head_dim = head_dim;
    p.n_ff = n_ff_exp * n_expert_used;
    p.n_expert = n_expert;
    p.n_expert_used = n_expert_used;
    p.n_ff_exp = n_ff_exp;
    p.n_ff_shexp = 0;
    p.rope_freq_base = rope_freq_base;
    p.rms_eps = rms_eps;
    p.qkv_bias = false;
    p.qk_norm = true;
    p.tied_embeddings = false;
    return p;
}

param_layout make_layout(const train_hparams& hp) {
    HOLO_ASSERT(hp.n_head % hp.n_head_kv == 0, "n_head must be a multiple of n_head_kv");
    HOLO_ASSERT(hp.head_dim % 2 == 0, "head_dim must be even (RoPE pairs)");
    HOLO_ASSERT(hp.n_expert_used >= 1 && hp.n_expert_used <= hp.n_expert, "need 1 <= n_expert_used <= n_expert");
    param_layout lay;
    lay.hp = hp;
    lay.tensors = plan_tensors(hp.preset());
    lay.layers.resize(size_t(hp.n_layer));
    for (const auto& t : lay.tensors) {
        const size_t off = lay.n_params;
        lay.offset.push_back(off);
        lay.n_params += size_t(t.n_elements());
        using K = weight_kind;
        if (t.il < 0) {
            if (t.kind == K::token_embd) lay.tok_embd = off;
            else if (t.kind == K::output_norm) lay.output_norm = off;
            else if (t.kind == K::output) lay.output = off;
            continue;
        }
        layer_offsets& l = lay.layers[size_t(t.il)];
        switch (t.kind) {
            case K::attn_norm: l.attn_norm = off; break;
            case K::attn_q: l.wq = off; break;
            case K::attn_k: l.wk = off; break;
            case K::attn_v: l.wv = off; break;
            case K::attn_output: l.wo = off; break;
            case K::attn_q_norm: l.q_norm = off; break;
            case K::attn_k_norm: l.k_norm = off; break;
            case K::ffn_norm: l.ffn_norm = off; break;
            case K::ffn_gate_inp: l.router = off; break;
            case K::ffn_gate_exps: l.gate_exps = off; break;
            case K::ffn_up_exps: l.up_exps = off; break;
            case K::ffn_down_exps: l.down_exps = off; break;
            default: HOLO_ASSERT(false, "make_layout: unexpected tensor in the qwen3moe plan");
        }
    }
    return lay;
}

template <typename T>
void init_params(const param_layout& lay, uint64_t seed, std::vector<T>& params) {
    params.assign(lay.n_params, T(0));
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const double resid_scale = 1.0 / std::sqrt(2.0 * double(lay.hp.n_layer));
    for (size_t i = 0; i < lay.tensors.size(); ++i) {
        const auto& t = lay.tensors[i];
        T* p = params.data() + lay.offset[i];
        const int64_t n = t.n_elements();
        if (t.role() == weight_role::norm) {
            for (int64_t j = 0; j < n; ++j) p[j] = T(1);
            continue;
        }
        double std = 1.0 / std::sqrt(double(t.row_length()));
        using K = weight_kind;
        if (t.kind == K::token_embd) std = 1.0;
        if (t.kind == K::attn_output || t.kind == K::ffn_down_exps) std *= resid_scale;
        if (t.kind == K::ffn_gate_inp) std *= 0.1;
        for (int64_t j = 0; j < n; ++j) p[j] = T(normal(rng) * std);
    }
}

template void init_params<float>(const param_layout&, uint64_t, std::vector<float>&);
template void init_params<double>(const param_layout&, uint64_t, std::vector<double>&);

}  // namespace holo
