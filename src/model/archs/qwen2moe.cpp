// qwen2moe: Qwen1.5-MoE, Qwen2-57B-A14B. NeoX RoPE, q/k/v biases; routed experts
// with softmax top-k NOT renormalized (llama.cpp norm_w = false), plus a shared
// expert scaled by sigmoid(ffn_gate_inp_shexp · x). output.weight is required.
#include "model/archs/arch.h"

namespace holo {

namespace {

result<void> configure(const gguf_file& f, hparams& hp, block_plan& plan) {
    plan.rope = rope_kind::neox;
    plan.moe_renormalize = false;
    plan.shared_expert_gated = true;
    if (hp.n_expert <= 0) return error{f.path() + ": qwen2moe needs expert_count > 0"};
    HOLO_TRY(read_key(f, hp, "expert_feed_forward_length", hp.n_ff_exp));
    if (hp.n_ff_exp == 0) hp.n_ff_exp = hp.n_ff / hp.n_expert_used;
    HOLO_TRY(read_key(f, hp, "expert_shared_feed_forward_length", hp.n_ff_shexp));
    if (hp.n_ff_shexp == 0) hp.n_ff_shexp = hp.n_ff;
    return ok();
}

void bind(weight_binder& b) {
    b.bind_embeddings(/*tie_allowed=*/false);
    for (int il = 0; il < b.hp().n_layer; ++il) {
        b.bind_attention(il, /*qk_norm=*/false);
        b.bind_moe(il);
        b.bind_shared_expert(il, /*gated=*/true);
    }
}

}  // namespace

const arch_def& arch_qwen2moe() {
    static const arch_def d{"qwen2moe", configure, bind};
    return d;
}

}  // namespace holo
