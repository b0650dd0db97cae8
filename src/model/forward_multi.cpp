// forward_multi: the batched pass of forward.cpp with the attention split per
// sequence. Projections, norms, FFN / MoE and the output head see all sequences
// as columns of one batch; only RoPE, the KV append and the attention core run
// per sequence, at that sequence's position in its own cache.
#include "model/forward_multi.h"

#include <algorithm>
#include <cmath>

#include "core/thread_pool.h"
#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"
#include "model/kv_cache.h"

namespace holo {

namespace {

// attention_block of attention.cpp with one column per sequence.
void attention_multi(const model& m, int64_t il, std::span<const sequence_step> seqs, const float* x, float* out,
                     forward_scratch& s, thread_pool& pool) {
    const hparams& hp = m.hp();
    const layer_weights& L = m.layer(il);
    const int64_t n = int64_t(seqs.size());
    const int64_t n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), hd = hp.head_dim;
    s.q.resize(size_t(n_q * n));
    s.k.resize(size_t(n_kv * n));
    s.v.resize(size_t(n_kv * n));
    s.kqv.resize(size_t(n_q * n));
    // q: [n_embd_q, n_seq]; k, v: [n_embd_kv, n_seq]
    matmul_same_input({{L.wq.matrix(), s.q.data()}, {L.wk.matrix(), s.k.data()}, {L.wv.matrix(), s.v.data()}}, x, n,
                      s, pool);
    add_bias(s.q.data(), L.bq, n);
    add_bias(s.k.data(), L.bk, n);
    add_bias(s.v.data(), L.bv, n);
    if (m.plan().qk_norm) {
        rms_norm(s.q.data(), L.q_norm.data(), hd, hp.n_head * n, hp.rms_eps);
        rms_norm(s.k.data(), L.k_norm.data(), hd, hp.n_head_kv * n, hp.rms_eps);
    }
    const float scale = 1.0f / std::sqrt(float(hd));
    for (int64_t i = 0; i < n; ++i) {
        kv_cache& kv = *seqs[size_t(i)].kv;
        const int64_t pos = kv.n_pos();
        float* q = s.q.data() + i * n_q;
        float* k = s.k.data() + i * n_kv;
        const float* v = s.v.data() + i * n_kv;
        rope_qk(m, q, k, pos);
        std::copy(k, k + n_kv, kv.k(il) + pos * n_kv);
        std::copy(v, v + n_kv, kv.v(il) + pos * n_kv);
        attention(q, kv.k(il), kv.v(il), s.kqv.data() + i * n_q, int(hd), int(hp.n_head), int(hp.n_head_kv), pos, 1,
                  scale, pool);
    }
    matmul(L.wo.matrix(), s.kqv.data(), n, out, pool);  // [n_embd, n_seq]
    add_bias(out, L.bo, n);
}

}  // namespace

result<void> forward_multi(const model& m, std::span<const sequence_step> seqs, std::vector<float>& logits,
                           thread_pool& pool) {
    if (seqs.empty()) return error{"forward_multi: no sequences"};
    if (!m.rope_freqs().empty()) return error{"forward_multi: models with RoPE frequency factors use forward()"};
    for (size_t i = 0; i < seqs.size(); ++i) {
        const int32_t one[1] = {seqs[i].token};
        HOLO_TRY(check_forward_inputs(m, *seqs[i].kv, one, seqs[i].kv->n_pos()));
        for (size_t j = 0; j < i; ++j) {
            if (seqs[j].kv == seqs[i].kv) return error{"forward_multi: the same KV cache appears twice"};
        }
    }
    const hparams& hp = m.hp();
    const int64_t n_embd = hp.n_embd, n = int64_t(seqs.size());
    const tensor_sink sink{};
    forward_scratch s;

    // x: the residual stream [n_embd, n_seq]
    std::vector<float> x(size_t(n_embd * n)), cur(x.size()), out(x.size());
    const weight_view& te = m.tok_embd();
    const auto& te_traits = traits_of(te.type);
    for (int64_t i = 0; i < n; ++i)
        te_traits.dequantize_row(te.data + size_t(seqs[size_t(i)].token) * te.row_bytes, x.data() + i * n_embd, n_embd);

    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const layer_weights& L = m.layer(il);
        cur = x;
        rms_norm(cur.data(), L.attn_norm.data(), n_embd, n, hp.rms_eps);
        attention_multi(m, il, seqs, cur.data(), out.data(), s, pool);
        for (size_t i = 0; i < x.size(); ++i) x[i] += out[i];
        cur = x;
        rms_norm(cur.data(), L.ffn_norm.data(), n_embd, n, hp.rms_eps);
        if (L.is_moe()) moe_block(m, il, cur.data(), n, out.data(), s, pool, sink);
        else swiglu_ffn_block(L.ffn_gate, L.ffn_up, L.ffn_down, cur.data(), n, out.data(), s, pool);
        for (size_t i = 0; i < x.size(); ++i) x[i] += out[i];
    }
    for (const auto& sq : seqs) sq.kv->set_n_pos(sq.kv->n_pos() + 1);

    rms_norm(x.data(), m.output_norm().data(), n_embd, n, hp.rms_eps);
    logits.resize(size_t(hp.n_vocab * n));
    matmul(m.output().matrix(), x.data(), n, logits.data(), pool);  // [n_vocab, n_seq]
    return ok();
}

}  // namespace holo
