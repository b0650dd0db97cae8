// qwen3: dense Qwen3. NeoX RoPE, RMSNorm per head on q and k before RoPE.
#include "model/archs/arch.h"

namespace holo {

namespace {

result<void> configure(const gguf_file&, hparams& hp, block_plan& plan) {
    plan.rope = rope_kind::neox;
    plan.qk_norm = true;
    if (hp.n_expert > 0) return error{"qwen3: expert_count > 0 (use qwen3moe)"};
    return ok();
}

void bind(weight_binder& b) {
    b.bind_embeddings(/*tie_allowed=*/true);
    for (int il = 0; il < b.hp().n_layer; ++il) {
        b.bind_attention(il, /*qk_norm=*/true);
        b.bind_dense_ffn(il);
    }
}

}  // namespace

const arch_def& arch_qwen3() {
    static const arch_def d{"qwen3", configure, bind};
    return d;
}

}  // namespace holo
