// The slow twins: plain loops, f64 accumulation, angles and softmax computed directly
// from their definitions (no online softmax, no shared helpers with the fast path).
#include "kernels/reference/reference_ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace holo::reference {

void matmul(const weight_matrix& w, const float* x, int64_t n_tokens, float* y) {
    const type_traits& tr = traits_of(w.type);
    std::vector<float> row(w.n_cols);
    for (int64_t r = 0; r < w.n_rows; ++r) {
        tr.dequantize_row(w.data + r * w.row_bytes, row.data(), w.n_cols);
        for (int64_t t = 0; t < n_tokens; ++t) {
            const float* xt = x + t * w.n_cols;
            double s = 0.0;
            for (int64_t c = 0; c < w.n_cols; ++c) s += double(row[c]) * double(xt[c]);
            y[t * w.n_rows + r] = float(s);
        }
    }
}

void rms_norm(float* x, const float* weight, int64_t n, int64_t n_tokens, float eps) {
    for (int64_t t = 0; t < n_tokens; ++t) {
        float* xt = x + t * n;
        double ss = 0.0;
        for (int64_t i = 0; i < n; ++i) ss += double(xt[i]) * xt[i];
        const double inv = 1.0 / std::sqrt(ss / double(n) + eps);
        for (int64_t i = 0; i < n; ++i) xt[i] = float(xt[i] * inv * weight[i]);
    }
}

void swiglu(const float* gate, const float* up, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const double g = gate[i];
        out[i] = float(g / (1.0 + std::exp(-g)) * up[i]);
    }
}

void rope(float* x, int head_dim, int n_heads, int64_t pos, const rope_params& p) {
    HOLO_ASSERT(p.n_rot % 2 == 0 && p.n_rot <= head_dim, "rope: n_rot must be even and <= head_dim");
    const int half = p.n_rot / 2;
    // YaRN correction range and magnitude (see kernels/cpu/rope_angles.cpp).
    double lo = 0.0, hi = 0.0, mscale = p.attn_factor;
    if (p.ext_factor != 0.0f) {
        const auto corr_dim = [&](double turns) {
            return p.n_rot * std::log(p.n_ctx_orig / (turns * 2.0 * M_PI)) / (2.0 * std::log(double(p.freq_base)));
        };
        lo = std::max(0.0, std::floor(corr_dim(p.beta_fast)));
        hi = std::min(double(p.n_rot - 1), std::ceil(corr_dim(p.beta_slow)));
        mscale *= 1.0 + 0.1 * std::log(1.0 / p.freq_scale);
    }
    for (int i = 0; i < half; ++i) {
        const double extrap = double(pos) * std::pow(double(p.freq_base), -2.0 * i / p.n_rot);
        const double interp = p.freq_scale * extrap;
        double theta = interp;
        if (p.ext_factor != 0.0f) {
            const double ramp = (1.0 - std::clamp((i - lo) / std::max(0.001, hi - lo), 0.0, 1.0)) * p.ext_factor;
            theta = interp * (1.0 - ramp) + extrap * ramp;
        }
        const double c = std::cos(theta) * mscale, s = std::sin(theta) * mscale;
        for (int h = 0; h < n_heads; ++h) {
            float* xh = x + int64_t(h) * head_dim;
            const int ia = p.neox ? i : 2 * i;
            const int ib = p.neox ? i + half : 2 * i + 1;
            const double a = xh[ia], b = xh[ib];
            xh[ia] = float(a * c - b * s);
            xh[ib] = float(a * s + b * c);
        }
    }
}

void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int head_dim, int n_head,
               int n_head_kv, int64_t pos0, int64_t n_tokens, float scale) {
    HOLO_ASSERT(n_head_kv > 0 && n_head % n_head_kv == 0, "attention: n_head must be a multiple of n_head_kv");
    const int group = n_head / n_head_kv;
    const int64_t stride = int64_t(head_dim) * n_head_kv;
    std::vector<double> w;
    for (int64_t t = 0; t < n_tokens; ++t) {
        const int64_t n_kv = pos0 + t + 1;
        w.assign(n_kv, 0.0);
        for (int h = 0; h < n_head; ++h) {
            const int hk = h / group;
            const float* qh = q + (t * n_head + h) * head_dim;
            double mx = -INFINITY;
            for (int64_t p = 0; p < n_kv; ++p) {
                const float* kp = k_cache + p * stride + int64_t(hk) * head_dim;
                double s = 0.0;
                for (int c = 0; c < head_dim; ++c) s += double(qh[c]) * kp[c];
                w[p] = s * scale;
                mx = std::max(mx, w[p]);
            }
            double sum = 0.0;
            for (int64_t p = 0; p < n_kv; ++p) {
                w[p] = std::exp(w[p] - mx);
                sum += w[p];
            }
            float* oh = out + (t * n_head + h) * head_dim;
            for (int c = 0; c < head_dim; ++c) {
                double o = 0.0;
                for (int64_t p = 0; p < n_kv; ++p) o += w[p] * v_cache[p * stride + int64_t(hk) * head_dim + c];
                oh[c] = float(o / sum);
            }
        }
    }
}

}  // namespace holo::reference
