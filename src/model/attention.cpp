// Self-attention block of the optimized pass (see blocks.h).
#include <algorithm>
#include <cmath>

#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"
#include "model/kv_cache.h"

namespace holo {

namespace {

rope_params rope_of(const hparams& hp, rope_kind kind) {
    rope_params p{};
    p.n_rot = int(hp.n_rot);
    p.neox = kind == rope_kind::neox;
    p.freq_base = hp.rope_freq_base;
    p.freq_scale = hp.rope_freq_scale;
    p.n_ctx_orig = int(hp.n_ctx_orig_yarn);
    p.ext_factor = hp.yarn_ext_factor;
    p.attn_factor = hp.yarn_attn_factor;
    p.beta_fast = hp.yarn_beta_fast;
    p.beta_slow = hp.yarn_beta_slow;
    return p;
}

// RoPE whose per-pair angles are divided by freq_factors (Llama 3.1+'s rope_freqs),
// which the kernel's rope does not take; as ggml's rope with freq factors. Cheap
// next to the projections, so it stays plain.
void rope_with_factors(float* x, int head_dim, int n_heads, int64_t pos, const rope_params& p, const float* ff) {
    const int n = p.n_rot;
    float lo = 0.0f, hi = 0.0f, mscale = p.attn_factor;
    if (p.ext_factor != 0.0f) {
        auto corr = [&](float turns) {
            return float(n) * std::log(float(p.n_ctx_orig) / (turns * 2.0f * float(M_PI))) / (2.0f * std::log(p.freq_base));
        };
        lo = std::max(0.0f, std::floor(corr(p.beta_fast)));
        hi = std::min(float(n - 1), std::ceil(corr(p.beta_slow)));
        mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
    }
    std::vector<float> c(size_t(n / 2)), sn(size_t(n / 2));
    for (int i = 0; i < n / 2; ++i) {
        const float extrap = float(pos) * std::pow(p.freq_base, -2.0f * float(i) / float(n)) / ff[i];
        float theta = p.freq_scale * extrap;
        if (p.ext_factor != 0.0f) {
            const float y = (float(i) - lo) / std::max(0.001f, hi - lo);
            const float ramp = (1.0f - std::min(1.0f, std::max(0.0f, y))) * p.ext_factor;
            theta = theta * (1.0f - ramp) + extrap * ramp;
        }
        c[size_t(i)] = std::cos(theta) * mscale;
        sn[size_t(i)] = std::sin(theta) * mscale;
    }
    for (int h = 0; h < n_heads; ++h) {
        float* v = x + int64_t(h) * head_dim;
        for (int i = 0; i < n / 2; ++i) {
            const int a = p.neox ? i : 2 * i, b = p.neox ? i + n / 2 : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c[size_t(i)] - x1 * sn[size_t(i)];
            v[b] = x0 * sn[size_t(i)] + x1 * c[size_t(i)];
        }
    }
}

}  // namespace

void add_bias(float* y, const std::vector<float>& b, int64_t n_tokens) {
    if (b.empty()) return;
    const int64_t n = int64_t(b.size());
    for (int64_t t = 0; t < n_tokens; ++t)
        for (int64_t i = 0; i < n; ++i) y[t * n + i] += b[size_t(i)];
}

void rope_qk(const model& m, float* q, float* k, int64_t pos) {
    const hparams& hp = m.hp();
    const rope_params rp = rope_of(hp, m.plan().rope);
    const int hd = int(hp.head_dim);
    if (!m.rope_freqs().empty()) {
        rope_with_factors(q, hd, int(hp.n_head), pos, rp, m.rope_freqs().data());
        rope_with_factors(k, hd, int(hp.n_head_kv), pos, rp, m.rope_freqs().data());
    } else {
        rope(q, hd, int(hp.n_head), pos, rp);
        rope(k, hd, int(hp.n_head_kv), pos, rp);
    }
}

void attention_block(const model& m, int64_t il, kv_cache& kv, const float* x, int64_t pos0, int64_t n_tokens,
                     float* out, forward_scratch& s, thread_pool& pool, const tensor_sink& sink) {
    const hparams& hp = m.hp();
    const layer_weights& L = m.layer(il);
    const int64_t n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), hd = hp.head_dim;
    s.q.resize(size_t(n_q * n_tokens));
    s.k.resize(size_t(n_kv * n_tokens));
    s.v.resize(size_t(n_kv * n_tokens));
    s.kqv.resize(size_t(n_q * n_tokens));
    // q: [n_embd_q, n_tokens]; k, v: [n_embd_kv, n_tokens]
    matmul_same_input({{L.wq.matrix(), s.q.data()}, {L.wk.matrix(), s.k.data()}, {L.wv.matrix(), s.v.data()}}, x,
                      n_tokens, s, pool);
    add_bias(s.q.data(), L.bq, n_tokens);
    add_bias(s.k.data(), L.bk, n_tokens);
    add_bias(s.v.data(), L.bv, n_tokens);
    if (m.plan().qk_norm) {
        rms_norm(s.q.data(), L.q_norm.data(), hd, hp.n_head * n_tokens, hp.rms_eps);
        rms_norm(s.k.data(), L.k_norm.data(), hd, hp.n_head_kv * n_tokens, hp.rms_eps);
    }
    for (int64_t t = 0; t < n_tokens; ++t) rope_qk(m, s.q.data() + t * n_q, s.k.data() + t * n_kv, pos0 + t);
    sink(il, "q", n_q, n_tokens, s.q.data());
    sink(il, "k", n_kv, n_tokens, s.k.data());
    sink(il, "v", n_kv, n_tokens, s.v.data());
    std::copy(s.k.begin(), s.k.end(), kv.k(il) + pos0 * n_kv);
    std::copy(s.v.begin(), s.v.end(), kv.v(il) + pos0 * n_kv);

    attention(s.q.data(), kv.k(il), kv.v(il), s.kqv.data(), int(hd), int(hp.n_head), int(hp.n_head_kv), pos0, n_tokens,
              1.0f / std::sqrt(float(hd)), pool);
    sink(il, "kqv", n_q, n_tokens, s.kqv.data());
    matmul(L.wo.matrix(), s.kqv.data(), n_tokens, out, pool);  // [n_embd, n_tokens]
    add_bias(out, L.bo, n_tokens);
}

}  // namespace holo
