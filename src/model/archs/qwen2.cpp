// qwen2: dense Qwen2 / Qwen2.5 and the DeepSeek-R1 Qwen distills. NeoX RoPE,
// q/k/v biases (bound by the shared attention step when present).
#include "model/archs/arch.h"

namespace holo {

namespace {

result<void> configure(const gguf_file&, hparams& hp, block_plan& plan) {
    plan.rope = rope_kind::neox;
    if (hp.n_expert > 0) return error{"qwen2: expert_count > 0 (use qwen2moe)"};
    return ok();
}

void bind(weight_binder& b) {
    b.bind_embeddings(/*tie_allowed=*/true);
    for (int il = 0; il < b.hp().n_layer; ++il) {
        b.bind_attention(il, /*qk_norm=*/false);
        b.bind_dense_ffn(il);
    }
}

}  // namespace

const arch_def& arch_qwen2() {
    static const arch_def d{"qwen2", configure, bind};
    return d;
}

}  // namespace holo
