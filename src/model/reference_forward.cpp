// The plain twin of forward.cpp: one token at a time, every weight row dequantized
// with the reference block formats, sums in double, no kernels/ code at all, so it
// is an independent check of the optimized pass. Semantics follow llama.cpp's
// graphs (llama-graph.cpp build_attn / build_ffn / build_moe_ffn, ggml's rope).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "model/forward.h"
#include "model/reference_forward.h"
#include "model/kv_cache.h"
#include "model/model.h"

namespace holo {

namespace {

// Dequantized weights, kept for the duration of one call (bounded, so a large
// model falls back to dequantizing rows as it goes): the reference then spends its
// time on the plain products, not on re-decoding the same blocks every token.
class dequant_cache {
public:
    const float* get(const weight_matrix& w) {
        if (auto it = cache_.find(w.data); it != cache_.end()) return it->second.data();
        const size_t n = size_t(w.n_rows) * size_t(w.n_cols);
        if ((used_ + n) * sizeof(float) > k_budget_bytes) return nullptr;
        std::vector<float>& v = cache_[w.data];
        v.resize(n);
        for (int64_t r = 0; r < w.n_rows; ++r)
            traits_of(w.type).dequantize_row(w.data + size_t(r) * w.row_bytes, v.data() + r * w.n_cols, w.n_cols);
        used_ += n;
        return v.data();
    }

private:
    static constexpr size_t k_budget_bytes = size_t(1) << 30;
    std::unordered_map<const uint8_t*, std::vector<float>> cache_;
    size_t used_ = 0;
};

// y[r] = sum_c W[r, c] x[c] for a 2-D weight, summed in double.
void matvec(const weight_matrix& w, const float* x, float* y, dequant_cache& dc) {
    const float* all = dc.get(w);
    std::vector<float> row(all ? 0 : static_cast<size_t>(w.n_cols));
    for (int64_t r = 0; r < w.n_rows; ++r) {
        const float* wr = all ? all + r * w.n_cols : row.data();
        if (!all) traits_of(w.type).dequantize_row(w.data + size_t(r) * w.row_bytes, row.data(), w.n_cols);
        double s = 0;
        for (int64_t c = 0; c < w.n_cols; ++c) s += double(wr[c]) * x[c];
        y[r] = float(s);
    }
}

std::vector<float> matvec(const weight_matrix& w, const std::vector<float>& x, dequant_cache& dc) {
    std::vector<float> y(static_cast<size_t>(w.n_rows));
    matvec(w, x.data(), y.data(), dc);
    return y;
}

void add_bias(std::vector<float>& y, const std::vector<float>& b) {
    if (b.empty()) return;
    for (size_t i = 0; i < y.size(); ++i) y[i] += b[i];
}

// x[0..n) = x / sqrt(mean(x^2) + eps) * w
void rms_norm(float* x, const float* w, int64_t n, float eps) {
    double ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += double(x[i]) * x[i];
    const double scale = 1.0 / std::sqrt(ss / double(n) + double(eps));
    for (int64_t i = 0; i < n; ++i) x[i] = float(double(x[i]) * scale) * w[i];
}

double yarn_corr_dim(int n_dims, int64_t n_ctx_orig, double n_rot, double base) {
    return n_dims * std::log(double(n_ctx_orig) / (n_rot * 2 * M_PI)) / (2 * std::log(base));
}

// ggml's rope (modes NORMAL and NEOX) with linear and YaRN scaling, for one head.
// freq_factors: [n_rot/2] divisors of each pair's angle (Llama 3.1+), or null.
void rope_head(float* x, const hparams& hp, rope_kind kind, int64_t pos, const float* freq_factors) {
    const int n_dims = int(hp.n_rot);
    double corr[2] = {0, 0};
    if (hp.yarn_ext_factor != 0.0f) {
        corr[0] = std::max(0.0, std::floor(yarn_corr_dim(n_dims, hp.n_ctx_orig_yarn, hp.yarn_beta_fast, hp.rope_freq_base)));
        corr[1] = std::min(double(n_dims - 1),
                           std::ceil(yarn_corr_dim(n_dims, hp.n_ctx_orig_yarn, hp.yarn_beta_slow, hp.rope_freq_base)));
    }
    for (int i0 = 0; i0 < n_dims; i0 += 2) {
        const double ff = freq_factors ? freq_factors[i0 / 2] : 1.0;
        const double theta_extrap = double(pos) * std::pow(double(hp.rope_freq_base), -double(i0) / n_dims) / ff;
        const double theta_interp = hp.rope_freq_scale * theta_extrap;
        double theta = theta_interp, mscale = hp.yarn_attn_factor;
        if (hp.yarn_ext_factor != 0.0f) {
            const double y = (i0 / 2 - corr[0]) / std::max(0.001, corr[1] - corr[0]);
            const double ramp = (1 - std::min(1.0, std::max(0.0, y))) * hp.yarn_ext_factor;
            theta = theta_interp * (1 - ramp) + theta_extrap * ramp;
            mscale *= 1.0 + 0.1 * std::log(1.0 / hp.rope_freq_scale);
        }
        const double c = std::cos(theta) * mscale, s = std::sin(theta) * mscale;
        const int a = kind == rope_kind::neox ? i0 / 2 : i0;
        const int b = kind == rope_kind::neox ? i0 / 2 + n_dims / 2 : i0 + 1;
        const double x0 = x[a], x1 = x[b];
        x[a] = float(x0 * c - x1 * s);
        x[b] = float(x0 * s + x1 * c);
    }
}

float silu(float x) { return float(double(x) / (1.0 + std::exp(-double(x)))); }

// down(silu(gate x) * up x)
std::vector<float> swiglu_ffn(const weight_matrix& gate, const weight_matrix& up, const weight_matrix& down,
                              const std::vector<float>& x, dequant_cache& dc) {
    std::vector<float> g = matvec(gate, x, dc), u = matvec(up, x, dc);
    for (size_t i = 0; i < g.size(); ++i) g[i] = silu(g[i]) * u[i];
    return matvec(down, g, dc);
}

struct emitter {
    const tensor_callback* cb;
    int64_t pos;
    void operator()(const std::string& name, const std::vector<float>& v) const {
        if (cb && *cb) (*cb)(name, pos, 1, int64_t(v.size()), v.data());
    }
};

}  // namespace

result<void> check_forward_inputs(const model& m, const kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0) {
    const std::string& path = m.file().path();
    if (tokens.empty()) return error{path + ": forward called with no tokens"};
    if (kv.n_layer() != m.hp().n_layer || kv.row_size() != m.hp().n_embd_kv())
        return error{path + ": the KV cache was made for a different model"};
    if (pos0 != kv.n_pos())
        return error{path + ": forward at position " + std::to_string(pos0) + " but the KV cache holds " +
                     std::to_string(kv.n_pos()) + " positions"};
    if (pos0 + int64_t(tokens.size()) > kv.n_ctx())
        return error{path + ": context overflow: " + std::to_string(pos0) + " + " + std::to_string(tokens.size()) +
                     " tokens exceed the context size " + std::to_string(kv.n_ctx())};
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] < 0 || tokens[i] >= m.hp().n_vocab)
            return error{path + ": token id " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                         " is outside the vocabulary [0, " + std::to_string(m.hp().n_vocab) + ")"};
    }
    return ok();
}

result<void> forward_reference(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                               bool all_logits, std::vector<float>& logits, const tensor_callback* on_tensor) {
    reference_options opt;
    opt.on_tensor = on_tensor;
    return forward_reference_with(m, kv, tokens, pos0, all_logits, logits, opt);
}

result<void> forward_reference_with(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                                    bool all_logits, std::vector<float>& logits, const reference_options& opt) {
    const tensor_callback* on_tensor = opt.on_tensor;
    dequant_cache dc;
    HOLO_TRY(check_forward_inputs(m, kv, tokens, pos0));
    const hparams& hp = m.hp();
    const block_plan& plan = m.plan();
    const int64_t n_embd = hp.n_embd, hd = hp.head_dim, n_kv = hp.n_embd_kv();
    const int64_t group = hp.n_head / hp.n_head_kv;
    const int64_t n_tok = int64_t(tokens.size());
    const float* ff = m.rope_freqs().empty() ? nullptr : m.rope_freqs().data();
    logits.assign(size_t(hp.n_vocab * (all_logits ? n_tok : 1)), 0.0f);

    for (int64_t t = 0; t < n_tok; ++t) {
        const int64_t pos = pos0 + t;
        const emitter emit{on_tensor, pos};
        std::vector<float> x(static_cast<size_t>(n_embd));
        const weight_view& te = m.tok_embd();
        traits_of(te.type).dequantize_row(te.data + size_t(tokens[size_t(t)]) * te.row_bytes, x.data(), n_embd);
        emit("inp_embd", x);

        for (int64_t il = 0; il < hp.n_layer; ++il) {
            const layer_weights& L = m.layer(il);
            const std::string p = "l" + std::to_string(il) + ".";
            // --- attention ---
            std::vector<float> cur = x;
            rms_norm(cur.data(), L.attn_norm.data(), n_embd, hp.rms_eps);
            emit(p + "attn_norm", cur);
            std::vector<float> q = matvec(L.wq.matrix(), cur, dc), k = matvec(L.wk.matrix(), cur, dc),
                               v = matvec(L.wv.matrix(), cur, dc);
            add_bias(q, L.bq);
            add_bias(k, L.bk);
            add_bias(v, L.bv);
            for (int64_t h = 0; h < hp.n_head; ++h) {
                if (plan.qk_norm) rms_norm(q.data() + h * hd, L.q_norm.data(), hd, hp.rms_eps);
                rope_head(q.data() + h * hd, hp, plan.rope, pos, ff);
            }
            for (int64_t h = 0; h < hp.n_head_kv; ++h) {
                if (plan.qk_norm) rms_norm(k.data() + h * hd, L.k_norm.data(), hd, hp.rms_eps);
                rope_head(k.data() + h * hd, hp, plan.rope, pos, ff);
            }
            emit(p + "q", q);
            emit(p + "k", k);
            emit(p + "v", v);
            std::copy(k.begin(), k.end(), kv.k(il) + pos * n_kv);
            std::copy(v.begin(), v.end(), kv.v(il) + pos * n_kv);

            std::vector<float> kqv(static_cast<size_t>(hp.n_embd_q()));
            const double scale = 1.0 / std::sqrt(double(hd));
            std::vector<double> w(static_cast<size_t>(pos + 1));
            for (int64_t h = 0; h < hp.n_head; ++h) {
                const int64_t hk = h / group;  // GQA: consecutive query heads share a KV head
                const float* qh = q.data() + h * hd;
                double mx = -INFINITY;
                for (int64_t j = 0; j <= pos; ++j) {
                    const float* kj = kv.k(il) + j * n_kv + hk * hd;
                    double s = 0;
                    for (int64_t d = 0; d < hd; ++d) s += double(qh[d]) * kj[d];
                    w[size_t(j)] = s * scale;
                    mx = std::max(mx, w[size_t(j)]);
                }
                double sum = 0;
                for (int64_t j = 0; j <= pos; ++j) sum += (w[size_t(j)] = std::exp(w[size_t(j)] - mx));
                for (int64_t d = 0; d < hd; ++d) {
                    double acc = 0;
                    for (int64_t j = 0; j <= pos; ++j) acc += w[size_t(j)] * kv.v(il)[j * n_kv + hk * hd + d];
                    kqv[size_t(h * hd + d)] = float(acc / sum);
                }
            }
            emit(p + "kqv", kqv);
            std::vector<float> attn_out = matvec(L.wo.matrix(), kqv, dc);
            add_bias(attn_out, L.bo);
            emit(p + "attn_out", attn_out);
            for (int64_t i = 0; i < n_embd; ++i) x[size_t(i)] += attn_out[size_t(i)];
            emit(p + "ffn_inp", x);

            // --- feed-forward ---
            cur = x;
            rms_norm(cur.data(), L.ffn_norm.data(), n_embd, hp.rms_eps);
            emit(p + "ffn_norm", cur);
            std::vector<float> ffn_out(static_cast<size_t>(n_embd), 0.0f);
            if (!L.is_moe()) {
                ffn_out = swiglu_ffn(L.ffn_gate.matrix(), L.ffn_up.matrix(), L.ffn_down.matrix(), cur, dc);
            } else {
                // route: softmax over the router logits, top-k, optional renormalization
                std::vector<float> lg = matvec(L.gate_inp.matrix(), cur, dc);
                emit(p + "moe_logits", lg);
                const double mx = *std::max_element(lg.begin(), lg.end());
                std::vector<double> prob(lg.size());
                double sum = 0;
                for (size_t e = 0; e < lg.size(); ++e) sum += (prob[e] = std::exp(lg[e] - mx));
                for (double& pe : prob) pe /= sum;
                std::vector<int> order(lg.size());
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return prob[size_t(a)] > prob[size_t(b)]; });
                order.resize(size_t(hp.n_expert_used));
                if (opt.forced_experts && size_t(il) < opt.forced_experts->size() &&
                    !(*opt.forced_experts)[size_t(il)].empty()) {
                    const std::vector<int32_t>& f = (*opt.forced_experts)[size_t(il)];
                    if (int64_t(f.size()) < (pos + 1) * hp.n_expert_used)
                        return error{"forward_reference: forced experts of layer " + std::to_string(il) +
                                     " do not cover position " + std::to_string(pos)};
                    for (int64_t k = 0; k < hp.n_expert_used; ++k) {
                        const int32_t ie = f[size_t(pos * hp.n_expert_used + k)];
                        if (ie < 0 || ie >= hp.n_expert) return error{"forward_reference: forced expert id out of range"};
                        order[size_t(k)] = ie;
                    }
                }
                emit(p + "moe_ids", std::vector<float>(order.begin(), order.end()));
                std::vector<double> wsel;
                double wsum = 0;
                for (int e : order) wsum += wsel.emplace_back(prob[size_t(e)]);
                if (plan.moe_renormalize)
                    for (double& ws : wsel) ws /= std::max(wsum, 6.103515625e-5);
                if (plan.moe_weights_scale != 0.0f && plan.moe_weights_scale != 1.0f)
                    for (double& ws : wsel) ws *= plan.moe_weights_scale;
                for (size_t k = 0; k < order.size(); ++k) {
                    const int ie = order[k];
                    std::vector<float> y = swiglu_ffn(L.gate_exps.matrix(ie), L.up_exps.matrix(ie),
                                                      L.down_exps.matrix(ie), cur, dc);
                    for (int64_t i = 0; i < n_embd; ++i) ffn_out[size_t(i)] += float(wsel[k] * y[size_t(i)]);
                }
                if (L.has_shared_expert()) {
                    std::vector<float> sh =
                        swiglu_ffn(L.gate_shexp.matrix(), L.up_shexp.matrix(), L.down_shexp.matrix(), cur, dc);
                    double g = 1.0;
                    if (!L.gate_inp_shexp.empty()) {
                        double z = 0;
                        for (int64_t i = 0; i < n_embd; ++i) z += double(L.gate_inp_shexp[size_t(i)]) * cur[size_t(i)];
                        g = 1.0 / (1.0 + std::exp(-z));
                    }
                    for (int64_t i = 0; i < n_embd; ++i) ffn_out[size_t(i)] += float(g * sh[size_t(i)]);
                }
            }
            emit(p + "ffn_out", ffn_out);
            for (int64_t i = 0; i < n_embd; ++i) x[size_t(i)] += ffn_out[size_t(i)];
            emit(p + "l_out", x);
        }
        kv.set_n_pos(pos + 1);

        if (all_logits || t == n_tok - 1) {
            rms_norm(x.data(), m.output_norm().data(), n_embd, hp.rms_eps);
            emit("result_norm", x);
            float* dst = logits.data() + (all_logits ? t : 0) * hp.n_vocab;
            matvec(m.output().matrix(), x.data(), dst, dc);
            if (on_tensor && *on_tensor) (*on_tensor)("result_output", pos, 1, hp.n_vocab, dst);
        }
    }
    return ok();
}

}  // namespace holo
