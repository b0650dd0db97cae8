#include "train/train_pass.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.h"
#include "train/train_ops.h"

namespace holo {

using namespace train_ops;

void seq_stats::reset(int64_t n_layer, int64_t n_expert) {
    ce_sum = 0;
    n_targets = 0;
    loss = 0;
    aux.assign(size_t(n_layer), 0.0);
    z.assign(size_t(n_layer), 0.0);
    max_logit.assign(size_t(n_layer), 0.0);
    load.assign(size_t(n_layer * n_expert), 0);
}

namespace {

// y = x * r * w with r = 1 / sqrt(mean(x^2) + eps); returns r.
template <typename T>
T rms_norm_fwd(const T* x, const T* w, int64_t n, double eps, T* y) {
    double ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += double(x[i]) * double(x[i]);
    const T r = T(1.0 / std::sqrt(ss / double(n) + eps));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * r * w[i];
    return r;
}

// Given dy for y = rms_norm(x) * w: dx += ..., dw += ...
template <typename T>
void rms_norm_bwd(const T* x, T r, const T* w, const T* dy, int64_t n, T* dx, T* dw) {
    double s = 0;
    for (int64_t i = 0; i < n; ++i) {
        dw[i] += dy[i] * x[i] * r;
        s += double(dy[i]) * double(w[i]) * double(x[i]);
    }
    const T c = T(double(r) * double(r) * double(r) * s / double(n));
    for (int64_t i = 0; i < n; ++i) dx[i] += r * dy[i] * w[i] - x[i] * c;
}

// NeoX rotation of one head: pairs (i, i + d/2); sign -1 applies the inverse.
template <typename T>
void rope_head(T* x, const T* c, const T* s, int64_t d, T sign) {
    const int64_t h = d / 2;
    for (int64_t i = 0; i < h; ++i) {
        const T x0 = x[i], x1 = x[i + h];
        const T sn = sign * s[i];
        x[i] = x0 * c[i] - x1 * sn;
        x[i + h] = x0 * sn + x1 * c[i];
    }
}

template <typename T>
T silu(T g) { return g / (T(1) + std::exp(-g)); }

}  // namespace

template <typename T>
seq_pass<T>::seq_pass(const param_layout& lay) : lay_(lay), acts_(size_t(lay.hp.n_layer)) {}

template <typename T>
void seq_pass<T>::forward(const T* P, std::span<const int32_t> tokens, const routing_options& ro, uint64_t noise_seed,
                          seq_stats& st) {
    const auto& hp = lay_.hp;
    const int64_t n = int64_t(tokens.size()) - 1;
    HOLO_ASSERT(n >= 1, "seq_pass::forward needs at least 2 tokens");
    const int64_t E = hp.n_embd, H = hp.n_head, Hkv = hp.n_head_kv, D = hp.head_dim, Q = hp.n_embd_q(),
                  KV = hp.n_embd_kv(), X = hp.n_expert, K = hp.n_expert_used, F = hp.n_ff_exp, V = hp.n_vocab;
    n_ = n;
    ro_ = ro;
    tokens_.assign(tokens.begin(), tokens.end());
    st.reset(hp.n_layer, X);
    std::mt19937_64 rng(noise_seed);
    std::normal_distribution<double> normal(0.0, 1.0);

    // RoPE tables: theta_i = pos * base^(-2i/D)
    const int64_t D2 = D / 2;
    cos_.resize(size_t(D2 * n));
    sin_.resize(size_t(D2 * n));
    for (int64_t t = 0; t < n; ++t)
        for (int64_t i = 0; i < D2; ++i) {
            const double th = double(t) * std::pow(hp.rope_freq_base, -2.0 * double(i) / double(D));
            cos_[size_t(t * D2 + i)] = T(std::cos(th));
            sin_[size_t(t * D2 + i)] = T(std::sin(th));
        }

    std::vector<T> x(static_cast<size_t>(n * E));
    for (int64_t t = 0; t < n; ++t) {
        const int32_t id = tokens[size_t(t)];
        HOLO_ASSERT(id >= 0 && id < V, "seq_pass: token id out of range");
        std::copy_n(P + lay_.tok_embd + size_t(id) * size_t(E), E, x.begin() + t * E);
    }
    const T scale = T(1.0 / std::sqrt(double(D)));
    std::vector<T> tmp(static_cast<size_t>(std::max(E, Q)));
    std::vector<T> score(static_cast<size_t>(X));

    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const layer_offsets& lo = lay_.layers[size_t(il)];
        layer_acts& A = acts_[size_t(il)];
        A.x_in = x;
        A.r1.resize(size_t(n));
        A.h1.resize(size_t(n * E));
        A.q_raw.resize(size_t(n * Q));
        A.k_raw.resize(size_t(n * KV));
        A.v.resize(size_t(n * KV));
        A.rq.resize(size_t(n * H));
        A.rk.resize(size_t(n * Hkv));
        A.q.resize(size_t(n * Q));
        A.k.resize(size_t(n * KV));
        for (int64_t t = 0; t < n; ++t) {
            T* h1 = &A.h1[size_t(t * E)];
            A.r1[size_t(t)] = rms_norm_fwd(&x[size_t(t * E)], P + lo.attn_norm, E, hp.rms_eps, h1);
            mat_vec(P + lo.wq, h1, E, Q, &A.q_raw[size_t(t * Q)]);
            mat_vec(P + lo.wk, h1, E, KV, &A.k_raw[size_t(t * KV)]);
            mat_vec(P + lo.wv, h1, E, KV, &A.v[size_t(t * KV)]);
            for (int64_t h = 0; h < H; ++h) {
                T* q = &A.q[size_t(t * Q + h * D)];
                A.rq[size_t(t * H + h)] = rms_norm_fwd(&A.q_raw[size_t(t * Q + h * D)], P + lo.q_norm, D, hp.rms_eps, q);
                rope_head(q, &cos_[size_t(t * D2)], &sin_[size_t(t * D2)], D, T(1));
            }
            for (int64_t h = 0; h < Hkv; ++h) {
                T* k = &A.k[size_t(t * KV + h * D)];
                A.rk[size_t(t * Hkv + h)] = rms_norm_fwd(&A.k_raw[size_t(t * KV + h * D)], P + lo.k_norm, D, hp.rms_eps, k);
                rope_head(k, &cos_[size_t(t * D2)], &sin_[size_t(t * D2)], D, T(1));
            }
        }
        // causal attention; att: [n (keys), n (queries), H], zero above the diagonal
        A.att.assign(size_t(H * n * n), T(0));
        A.o.assign(size_t(n * Q), T(0));
        const int64_t group = H / Hkv;
        for (int64_t h = 0; h < H; ++h) {
            const int64_t hk = h / group;
            for (int64_t t = 0; t < n; ++t) {
                T* p = &A.att[size_t((h * n + t) * n)];
                const T* q = &A.q[size_t(t * Q + h * D)];
                T m = -INFINITY;
                for (int64_t j = 0; j <= t; ++j) {
                    p[j] = dot(q, &A.k[size_t(j * KV + hk * D)], D) * scale;
                    m = std::max(m, p[j]);
                }
                double sum = 0;
                for (int64_t j = 0; j <= t; ++j) {
                    p[j] = std::exp(p[j] - m);
                    sum += double(p[j]);
                }
                const T inv = T(1.0 / sum);
                T* o = &A.o[size_t(t * Q + h * D)];
                for (int64_t j = 0; j <= t; ++j) {
                    p[j] *= inv;
                    axpy(p[j], &A.v[size_t(j * KV + hk * D)], o, D);
                }
            }
        }
        for (int64_t t = 0; t < n; ++t) {
            mat_vec(P + lo.wo, &A.o[size_t(t * Q)], Q, E, tmp.data());
            for (int64_t i = 0; i < E; ++i) x[size_t(t * E + i)] += tmp[size_t(i)];
        }
        A.x_mid = x;

        // router + experts
        A.r2.resize(size_t(n));
        A.h2.resize(size_t(n * E));
        A.prob.resize(size_t(n * X));
        A.lse.resize(size_t(n));
        A.sel.resize(size_t(n * K));
        A.wsel.resize(size_t(n * K));
        A.g.resize(size_t(n * K * F));
        A.u.resize(size_t(n * K * F));
        A.a.resize(size_t(n * K * F));
        A.y.resize(size_t(n * K * E));
        A.f.assign(size_t(X), 0.0);
        std::vector<double> pmean(static_cast<size_t>(X), 0.0);
        double zsum = 0;
        for (int64_t t = 0; t < n; ++t) {
            T* h2 = &A.h2[size_t(t * E)];
            A.r2[size_t(t)] = rms_norm_fwd(&x[size_t(t * E)], P + lo.ffn_norm, E, hp.rms_eps, h2);
            T* pr = &A.prob[size_t(t * X)];
            mat_vec(P + lo.router, h2, E, X, pr);
            T m = -INFINITY;
            for (int64_t e = 0; e < X; ++e) {
                m = std::max(m, pr[e]);
                st.max_logit[size_t(il)] = std::max(st.max_logit[size_t(il)], std::fabs(double(pr[e])));
                score[size_t(e)] = pr[e] + (ro.noise_std > 0 ? T(ro.noise_std * normal(rng)) : T(0));
            }
            double sum = 0;
            for (int64_t e = 0; e < X; ++e) {
                pr[e] = std::exp(pr[e] - m);
                sum += double(pr[e]);
            }
            const double lse = double(m) + std::log(sum);
            A.lse[size_t(t)] = T(lse);
            zsum += lse * lse;
            for (int64_t e = 0; e < X; ++e) {
                pr[e] = T(double(pr[e]) / sum);
                pmean[size_t(e)] += double(pr[e]);
            }
            // top-k by (noisy) score, ties to the lower index
            int32_t* sel = &A.sel[size_t(t * K)];
            for (int64_t s = 0; s < K; ++s) {
                int32_t best = -1;
                for (int32_t e = 0; e < X; ++e) {
                    bool taken = false;
                    for (int64_t j = 0; j < s; ++j) taken |= sel[j] == e;
                    if (!taken && (best < 0 || score[size_t(e)] > score[size_t(best)])) best = e;
                }
                sel[s] = best;
                A.f[size_t(best)] += 1.0;
                st.load[size_t(il * X + best)] += 1;
            }
            double ssel = 0;
            for (int64_t s = 0; s < K; ++s) ssel += double(pr[sel[s]]);
            for (int64_t s = 0; s < K; ++s) A.wsel[size_t(t * K + s)] = T(double(pr[sel[s]]) / ssel);
            for (int64_t s = 0; s < K; ++s) {
                const int64_t e = sel[s];
                const size_t ts = size_t(t * K + s);
                T* g = &A.g[ts * size_t(F)];
                T* u = &A.u[ts * size_t(F)];
                T* a = &A.a[ts * size_t(F)];
                T* y = &A.y[ts * size_t(E)];
                mat_vec(P + lo.gate_exps + size_t(e * F * E), h2, E, F, g);
                mat_vec(P + lo.up_exps + size_t(e * F * E), h2, E, F, u);
                for (int64_t i = 0; i < F; ++i) a[i] = silu(g[i]) * u[i];
                mat_vec(P + lo.down_exps + size_t(e * E * F), a, F, E, y);
                axpy(A.wsel[ts], y, &x[size_t(t * E)], E);
            }
        }
        double aux = 0;
        for (int64_t e = 0; e < X; ++e) {
            A.f[size_t(e)] /= double(n * K);
            aux += A.f[size_t(e)] * pmean[size_t(e)] / double(n);
        }
        st.aux[size_t(il)] = double(X) * aux;
        st.z[size_t(il)] = zsum / double(n);
    }

    // output
    x_fin_ = x;
    r_fin_.resize(size_t(n));
    h_fin_.resize(size_t(n * E));
    logits_.resize(size_t(n * V));
    probs_.resize(size_t(n * V));
    for (int64_t t = 0; t < n; ++t) {
        T* hf = &h_fin_[size_t(t * E)];
        r_fin_[size_t(t)] = rms_norm_fwd(&x[size_t(t * E)], P + lay_.output_norm, E, hp.rms_eps, hf);
        T* lg = &logits_[size_t(t * V)];
        mat_vec(P + lay_.output, hf, E, V, lg);
        T* pr = &probs_[size_t(t * V)];
        T m = -INFINITY;
        for (int64_t i = 0; i < V; ++i) m = std::max(m, lg[i]);
        double sum = 0;
        for (int64_t i = 0; i < V; ++i) sum += std::exp(double(lg[i] - m));
        for (int64_t i = 0; i < V; ++i) pr[i] = T(std::exp(double(lg[i] - m)) / sum);
        const int32_t target = tokens[size_t(t + 1)];
        HOLO_ASSERT(target >= 0 && target < V, "seq_pass: target id out of range");
        st.ce_sum += double(m) + std::log(sum) - double(lg[target]);
    }
    st.n_targets = n;
    st.loss = st.ce_sum / double(n);
    for (int64_t il = 0; il < hp.n_layer; ++il)
        st.loss += ro.aux_coef * st.aux[size_t(il)] + ro.z_coef * st.z[size_t(il)];
}

template <typename T>
void seq_pass<T>::backward(const T* P, T* G, double scale) {
    const auto& hp = lay_.hp;
    const int64_t n = n_;
    const int64_t E = hp.n_embd, H = hp.n_head, Hkv = hp.n_head_kv, D = hp.head_dim, Q = hp.n_embd_q(),
                  KV = hp.n_embd_kv(), X = hp.n_expert, K = hp.n_expert_used, F = hp.n_ff_exp, V = hp.n_vocab;
    const int64_t D2 = D / 2;
    std::vector<T> dx(static_cast<size_t>(n * E), T(0));
    {
        std::vector<T> dl(static_cast<size_t>(V)), dh(static_cast<size_t>(E));
        const T ce_scale = T(scale / double(n));
        for (int64_t t = 0; t < n; ++t) {
            const T* pr = &probs_[size_t(t * V)];
            for (int64_t i = 0; i < V; ++i) dl[size_t(i)] = pr[i] * ce_scale;
            dl[size_t(tokens_[size_t(t + 1)])] -= ce_scale;
            const T* hf = &h_fin_[size_t(t * E)];
            outer_acc(G + lay_.output, dl.data(), hf, E, V);
            std::fill(dh.begin(), dh.end(), T(0));
            mat_t_vec_acc(P + lay_.output, dl.data(), E, V, dh.data());
            rms_norm_bwd(&x_fin_[size_t(t * E)], r_fin_[size_t(t)], P + lay_.output_norm, dh.data(), E,
                         &dx[size_t(t * E)], G + lay_.output_norm);
        }
    }
    const T scale_t = T(1.0 / std::sqrt(double(D)));
    std::vector<T> dh2(static_cast<size_t>(E)), dy(static_cast<size_t>(E)), da(static_cast<size_t>(F)), dg(static_cast<size_t>(F)), du(static_cast<size_t>(F)), dprob(static_cast<size_t>(X)),
        dr(static_cast<size_t>(X));
    for (int64_t il = hp.n_layer - 1; il >= 0; --il) {
        const layer_offsets& lo = lay_.layers[size_t(il)];
        layer_acts& A = acts_[size_t(il)];
        // MoE: dx is the gradient at the layer output (= x_mid + moe)
        std::vector<T> dx_mid = dx;
        const double aux_g = ro_.aux_coef * scale * double(X) / double(n);
        const double z_g = ro_.z_coef * scale * 2.0 / double(n);
        for (int64_t t = 0; t < n; ++t) {
            const T* h2 = &A.h2[size_t(t * E)];
            const T* dout = &dx[size_t(t * E)];
            std::fill(dh2.begin(), dh2.end(), T(0));
            T dw[16];
            HOLO_ASSERT(K <= 16, "n_expert_used > 16");
            for (int64_t s = 0; s < K; ++s) {
                const int64_t e = A.sel[size_t(t * K + s)];
                const size_t ts = size_t(t * K + s);
                const T w = A.wsel[ts];
                const T* y = &A.y[ts * size_t(E)];
                dw[s] = dot(dout, y, E);
                for (int64_t i = 0; i < E; ++i) dy[size_t(i)] = w * dout[i];
                const T* a = &A.a[ts * size_t(F)];
                const T* g = &A.g[ts * size_t(F)];
                const T* u = &A.u[ts * size_t(F)];
                const size_t od = lo.down_exps + size_t(e * E * F), og = lo.gate_exps + size_t(e * F * E),
                             ou = lo.up_exps + size_t(e * F * E);
                outer_acc(G + od, dy.data(), a, F, E);
                std::fill(da.begin(), da.end(), T(0));
                mat_t_vec_acc(P + od, dy.data(), F, E, da.data());
                for (int64_t i = 0; i < F; ++i) {
                    const T sg = T(1) / (T(1) + std::exp(-g[i]));
                    du[size_t(i)] = da[size_t(i)] * g[i] * sg;
                    dg[size_t(i)] = da[size_t(i)] * u[i] * sg * (T(1) + g[i] * (T(1) - sg));
                }
                outer_acc(G + og, dg.data(), h2, E, F);
                outer_acc(G + ou, du.data(), h2, E, F);
                mat_t_vec_acc(P + og, dg.data(), E, F, dh2.data());
                mat_t_vec_acc(P + ou, du.data(), E, F, dh2.data());
            }
            // weights w_s = p_s / S over the selected; then the softmax
            const T* pr = &A.prob[size_t(t * X)];
            for (int64_t e = 0; e < X; ++e) dprob[size_t(e)] = T(aux_g * A.f[size_t(e)]);
            double ssel = 0, wdw = 0;
            for (int64_t s = 0; s < K; ++s) {
                ssel += double(pr[A.sel[size_t(t * K + s)]]);
                wdw += double(A.wsel[size_t(t * K + s)]) * double(dw[s]);
            }
            for (int64_t s = 0; s < K; ++s)
                dprob[size_t(A.sel[size_t(t * K + s)])] += T((double(dw[s]) - wdw) / ssel);
            double pdp = 0;
            for (int64_t e = 0; e < X; ++e) pdp += double(pr[e]) * double(dprob[size_t(e)]);
            const double zt = z_g * double(A.lse[size_t(t)]);
            for (int64_t e = 0; e < X; ++e)
                dr[size_t(e)] = T(double(pr[e]) * (double(dprob[size_t(e)]) - pdp) + zt * double(pr[e]));
            outer_acc(G + lo.router, dr.data(), h2, E, X);
            mat_t_vec_acc(P + lo.router, dr.data(), E, X, dh2.data());
            rms_norm_bwd(&A.x_mid[size_t(t * E)], A.r2[size_t(t)], P + lo.ffn_norm, dh2.data(), E,
                         &dx_mid[size_t(t * E)], G + lo.ffn_norm);
        }
        // attention output projection
        std::vector<T> d_o(static_cast<size_t>(n * Q), T(0));
        for (int64_t t = 0; t < n; ++t) {
            outer_acc(G + lo.wo, &dx_mid[size_t(t * E)], &A.o[size_t(t * Q)], Q, E);
            mat_t_vec_acc(P + lo.wo, &dx_mid[size_t(t * E)], Q, E, &d_o[size_t(t * Q)]);
        }
        std::vector<T> dq(static_cast<size_t>(n * Q), T(0)), dk(static_cast<size_t>(n * KV), T(0)), dv(static_cast<size_t>(n * KV), T(0)), dp(static_cast<size_t>(n));
        const int64_t group = H / Hkv;
        for (int64_t h = 0; h < H; ++h) {
            const int64_t hk = h / group;
            for (int64_t t = 0; t < n; ++t) {
                const T* p = &A.att[size_t((h * n + t) * n)];
                const T* dov = &d_o[size_t(t * Q + h * D)];
                double pdp_sum = 0;
                for (int64_t j = 0; j <= t; ++j) {
                    dp[size_t(j)] = dot(dov, &A.v[size_t(j * KV + hk * D)], D);
                    pdp_sum += double(p[j]) * double(dp[size_t(j)]);
                    axpy(p[j], dov, &dv[size_t(j * KV + hk * D)], D);
                }
                const T* q = &A.q[size_t(t * Q + h * D)];
                T* dqv = &dq[size_t(t * Q + h * D)];
                for (int64_t j = 0; j <= t; ++j) {
                    const T ds = T(double(p[j]) * (double(dp[size_t(j)]) - pdp_sum)) * scale_t;
                    if (ds == T(0)) continue;
                    axpy(ds, &A.k[size_t(j * KV + hk * D)], dqv, D);
                    axpy(ds, q, &dk[size_t(j * KV + hk * D)], D);
                }
            }
        }
        // RoPE and QK-norm backward, then the projections
        std::vector<T> draw(static_cast<size_t>(std::max(Q, KV)));
        std::vector<T> dh1(static_cast<size_t>(E));
        for (int64_t t = 0; t < n; ++t) {
            const T* c = &cos_[size_t(t * D2)];
            const T* s = &sin_[size_t(t * D2)];
            std::fill(draw.begin(), draw.end(), T(0));
            for (int64_t h = 0; h < H; ++h) {
                T* g = &dq[size_t(t * Q + h * D)];
                rope_head(g, c, s, D, T(-1));
                rms_norm_bwd(&A.q_raw[size_t(t * Q + h * D)], A.rq[size_t(t * H + h)], P + lo.q_norm, g, D,
                             &draw[size_t(h * D)], G + lo.q_norm);
            }
            std::fill(dh1.begin(), dh1.end(), T(0));
            const T* h1 = &A.h1[size_t(t * E)];
            outer_acc(G + lo.wq, draw.data(), h1, E, Q);
            mat_t_vec_acc(P + lo.wq, draw.data(), E, Q, dh1.data());
            std::fill(draw.begin(), draw.end(), T(0));
            for (int64_t h = 0; h < Hkv; ++h) {
                T* g = &dk[size_t(t * KV + h * D)];
                rope_head(g, c, s, D, T(-1));
                rms_norm_bwd(&A.k_raw[size_t(t * KV + h * D)], A.rk[size_t(t * Hkv + h)], P + lo.k_norm, g, D,
                             &draw[size_t(h * D)], G + lo.k_norm);
            }
            outer_acc(G + lo.wk, draw.data(), h1, E, KV);
            mat_t_vec_acc(P + lo.wk, draw.data(), E, KV, dh1.data());
            const T* dvt = &dv[size_t(t * KV)];
            outer_acc(G + lo.wv, dvt, h1, E, KV);
            mat_t_vec_acc(P + lo.wv, dvt, E, KV, dh1.data());
            rms_norm_bwd(&A.x_in[size_t(t * E)], A.r1[size_t(t)], P + lo.attn_norm, dh1.data(), E,
                         &dx_mid[size_t(t * E)], G + lo.attn_norm);
        }
        dx.swap(dx_mid);
    }
    for (int64_t t = 0; t < n; ++t)
        axpy(T(1), &dx[size_t(t * E)], G + lay_.tok_embd + size_t(tokens_[size_t(t)]) * size_t(E), E);
}

template class seq_pass<float>;
template class seq_pass<double>;

}  // namespace holo
