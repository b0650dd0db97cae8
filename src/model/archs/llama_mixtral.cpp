// llama: Llama 2/3, Mistral, and Mixtral (llama with expert_count > 0). Normal
// (non-NeoX) RoPE; MoE routing: softmax, top-k, renormalized (llama.cpp norm_w = true).
#include "model/archs/arch.h"

namespace holo {

namespace {

result<void> configure(const gguf_file&, hparams& hp, block_plan& plan) {
    plan.rope = rope_kind::normal;
    plan.moe_renormalize = true;
    hp.n_ff_exp = hp.n_expert > 0 ? hp.n_ff : 0;  // Mixtral's experts have the dense width
    return ok();
}

void bind(weight_binder& b) {
    b.bind_embeddings(/*tie_allowed=*/true);
    b.bind_rope_freqs();  // Llama 3.1+ frequency factors, when present
    for (int il = 0; il < b.hp().n_layer; ++il) {
        b.bind_attention(il, /*qk_norm=*/false);
        if (b.hp().n_expert > 0) b.bind_moe(il);
        else b.bind_dense_ffn(il);
    }
}

}  // namespace

const arch_def& arch_llama() {
    static const arch_def d{"llama", configure, bind};
    return d;
}

}  // namespace holo
