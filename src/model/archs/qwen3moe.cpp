// qwen3moe: Qwen3-30B-A3B, Qwen3-235B-A22B. NeoX RoPE, per-head q/k RMSNorm;
// routed experts with softmax top-k renormalized. llama.cpp always renormalizes
// here (norm_w = true), whatever expert_weights_norm / norm_topk_prob says.
#include "model/archs/arch.h"

namespace holo {

namespace {

result<void> configure(const gguf_file& f, hparams& hp, block_plan& plan) {
    plan.rope = rope_kind::neox;
    plan.qk_norm = true;
    plan.moe_renormalize = true;
    if (hp.n_expert <= 0) return error{f.path() + ": qwen3moe needs expert_count > 0"};
    HOLO_TRY(read_key(f, hp, "expert_feed_forward_length", hp.n_ff_exp));
    if (hp.n_ff_exp == 0) hp.n_ff_exp = hp.n_ff / hp.n_expert_used;
    return ok();
}

void bind(weight_binder& b) {
    b.bind_embeddings(/*tie_allowed=*/true);
    for (int il = 0; il < b.hp().n_layer; ++il) {
        b.bind_attention(il, /*qk_norm=*/true);
        b.bind_moe(il);
    }
}

}  // namespace

const arch_def& arch_qwen3moe() {
    static const arch_def d{"qwen3moe", configure, bind};
    return d;
}

}  // namespace holo
