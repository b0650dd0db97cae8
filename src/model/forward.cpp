// The optimized forward pass: the whole batch goes through each layer together
// (every matmul sees n_tokens columns, so weights stream from the map once per
// batch), built from the blocks in blocks.h and the kernels in kernels/cpu.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"
#include "model/forward.h"
#include "model/kv_cache.h"

namespace holo {

result<void> forward(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0, bool all_logits,
                     std::vector<float>& logits, thread_pool& pool, const tensor_callback* on_tensor) {
    HOLO_TRY(check_forward_inputs(m, kv, tokens, pos0));
    const hparams& hp = m.hp();
    const int64_t n_embd = hp.n_embd, n_tok = int64_t(tokens.size());
    const tensor_sink sink{on_tensor, pos0};
    forward_scratch s;

    // x: the residual stream [n_embd, n_tokens]
    std::vector<float> x(static_cast<size_t>(n_embd * n_tok)), cur(x.size()), out(x.size());
    const weight_view& te = m.tok_embd();
    const auto& te_traits = traits_of(te.type);
    for (int64_t t = 0; t < n_tok; ++t)
        te_traits.dequantize_row(te.data + size_t(tokens[size_t(t)]) * te.row_bytes, x.data() + t * n_embd, n_embd);
    sink(-1, "inp_embd", n_embd, n_tok, x.data());

    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const layer_weights& L = m.layer(il);
        cur = x;
        rms_norm(cur.data(), L.attn_norm.data(), n_embd, n_tok, hp.rms_eps);
        sink(il, "attn_norm", n_embd, n_tok, cur.data());
        attention_block(m, il, kv, cur.data(), pos0, n_tok, out.data(), s, pool, sink);
        sink(il, "attn_out", n_embd, n_tok, out.data());
        for (size_t i = 0; i < x.size(); ++i) x[i] += out[i];
        sink(il, "ffn_inp", n_embd, n_tok, x.data());

        cur = x;
        rms_norm(cur.data(), L.ffn_norm.data(), n_embd, n_tok, hp.rms_eps);
        sink(il, "ffn_norm", n_embd, n_tok, cur.data());
        if (L.is_moe()) moe_block(m, il, cur.data(), n_tok, out.data(), s, pool, sink);
        else swiglu_ffn_block(L.ffn_gate, L.ffn_up, L.ffn_down, cur.data(), n_tok, out.data(), s, pool);
        sink(il, "ffn_out", n_embd, n_tok, out.data());
        for (size_t i = 0; i < x.size(); ++i) x[i] += out[i];
        sink(il, "l_out", n_embd, n_tok, x.data());
    }
    kv.set_n_pos(pos0 + n_tok);

    // Only the rows whose logits are wanted go through the output norm and head.
    const int64_t n_out = all_logits ? n_tok : 1;
    const float* rows = x.data() + (all_logits ? 0 : (n_tok - 1) * n_embd);
    cur.assign(rows, rows + n_out * n_embd);
    rms_norm(cur.data(), m.output_norm().data(), n_embd, n_out, hp.rms_eps);
    const tensor_sink out_sink{on_tensor, pos0 + (all_logits ? 0 : n_tok - 1)};
    out_sink(-1, "result_norm", n_embd, n_out, cur.data());
    logits.resize(size_t(hp.n_vocab * n_out));
    matmul(m.output().matrix(), cur.data(), n_out, logits.data(), pool);  // [n_vocab, n_out]
    out_sink(-1, "result_output", hp.n_vocab, n_out, logits.data());
    return ok();
}

}  // namespace holo
