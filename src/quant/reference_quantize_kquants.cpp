// Reference quantizers for q2_K .. q6_K (no importance matrix). Each sub-block gets
// its own (scale[, min]) from a small search: several candidate scales are tried, for
// each the quants are rounded and the scale (and min) refit by weighted least squares,
// and the fit with the lowest weighted error is kept. The per-sub-block scales are then
// themselves quantized against the super-block scale and the quants recomputed with the
// scales the decoder will actually see. Same algorithms and search grids as ggml's
// reference quantizers, so the error matches llama.cpp's on the same data.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
#include <cstring>

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/quant_math.h"
#include "quant/reference.h"

namespace holo {

namespace {

using quant_detail::clamp_int;
using quant_detail::nearest_int;

constexpr float k_all_zero_eps = 1e-15f;

// Candidate inverse scales (nmax + first + step * k) / (max - min), k = 0 .. count.
struct scale_grid {
    float first;
    float step;
    int count;
};

// Fits x ~= scale * L - min with L in 0..nmax and min >= 0 (the offset only ever
// shifts values down, so a sub-block of positive values keeps 0 exactly), minimizing
// sum w * |err| (abs_err) or sum w * err^2. Returns scale; writes L and min.
float fit_scale_min(const float* x, const float* w, int n, int nmax, scale_grid grid, bool abs_err,
                    uint8_t* L, float* min_out) {
    float lo = x[0], hi = x[0], sum_w = 0, sum_wx = 0;
    for (int i = 0; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
        sum_w += w[i];
        sum_wx += w[i] * x[i];
    }
    if (lo > 0) lo = 0;
    if (hi == lo) {
        std::memset(L, 0, size_t(n));
        *min_out = -lo;
        return 0;
    }
    auto error_of = [&](float scale, float offset, const uint8_t* q) {
        float err = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = scale * float(q[i]) + offset - x[i];
            err += w[i] * (abs_err ? std::fabs(diff) : diff * diff);
        }
        return err;
    };

    // Start from the plain min/max mapping.
    float iscale = float(nmax) / (hi - lo);
    float best_scale = 1 / iscale, best_offset = lo;
    for (int i = 0; i < n; ++i) L[i] = uint8_t(clamp_int(nearest_int(iscale * (x[i] - lo)), 0, nmax));
    float best_err = error_of(best_scale, best_offset, L);

    // Each candidate maps [best_offset, hi] onto the levels, so once a fit with a
    // lower offset wins, the remaining candidates are placed around that offset.
    uint8_t cand[32];
    for (int k = 0; k <= grid.count; ++k) {
        iscale = (grid.first + grid.step * float(k) + float(nmax)) / (hi - best_offset);
        float s_l = 0, s_l2 = 0, s_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * (x[i] - best_offset)), 0, nmax);
            cand[i] = uint8_t(l);
            s_l += w[i] * float(l);
            s_l2 += w[i] * float(l) * float(l);
            s_xl += w[i] * float(l) * x[i];
        }
        // Weighted least squares for x ~= scale * l + offset (2x2 normal equations).
        const float det = sum_w * s_l2 - s_l * s_l;
        if (det <= 0) continue;
        float scale = (sum_w * s_xl - sum_wx * s_l) / det;
        float offset = (s_l2 * sum_wx - s_l * s_xl) / det;
        if (offset > 0) {  // a positive offset is not representable: refit through zero
            offset = 0;
            scale = s_xl / s_l2;
        }
        const float err = error_of(scale, offset, cand);
        if (err < best_err) {
            std::memcpy(L, cand, size_t(n));
            best_err = err;
            best_scale = scale;
            best_offset = offset;
        }
    }
    *min_out = -best_offset;
    return best_scale;
}

// The element of largest magnitude, with its sign.
float signed_absmax(const float* x, int n) {
    float amax = 0, max = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    return max;
}

// Fits x ~= scale * (L - nmax), L - nmax in -nmax..nmax-1, weights x^2. The largest
// element is aimed at -nmax (the level without a mirror). Tries inverse scales
// -(nmax + 0.1 k) / max for k = -9..9, refits the scale by least squares for each and
// keeps the one that explains most of the weighted signal (max (sum wxl)^2 / sum wl^2),
// which is the one with the least weighted squared error.
float fit_symmetric_grid(const float* x, int n, int nmax, uint8_t* L) {
    const float max = signed_absmax(x, n);
    if (std::fabs(max) < k_all_zero_eps) {
        std::memset(L, 0, size_t(n));
        return 0;
    }
    // The plain mapping (k = 0) first, then the others; a later candidate must be
    // strictly better. Scores compare s_xl^2 / s_l2 without dividing.
    float best_scale = 0, best_score = 0;
    bool have = false;
    for (int t = 0; t <= 18; ++t) {
        const int k = t == 0 ? 0 : (t <= 9 ? t - 10 : t - 9);
        const float iscale = -(float(nmax) + 0.1f * float(k)) / max;
        float s_xl = 0, s_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            s_xl += w * x[i] * float(l);
            s_l2 += w * float(l) * float(l);
        }
        if (s_l2 <= 0) continue;
        if (!have || s_xl * s_xl > best_score * s_l2) {
            have = true;
            best_scale = s_xl / s_l2;
            best_score = best_scale * s_xl;
            for (int i = 0; i < n; ++i) L[i] = uint8_t(clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1) + nmax);
        }
    }
    if (!have) {
        std::memset(L, 0, size_t(n));
        return 0;
    }
    return best_scale;
}

// Like fit_symmetric_grid but, from the plain max mapping, improves the quants one
// at a time (coordinate descent, up to 5 sweeps): each element gets the level that is
// optimal for the scale fitted on the others, kept only if the overall fit improves.
float fit_symmetric_descent(const float* x, int n, int nmax, uint8_t* L) {
    const float max = signed_absmax(x, n);
    if (std::fabs(max) < k_all_zero_eps) {
        std::memset(L, 0, size_t(n));
        return 0;
    }
    const float iscale = -float(nmax) / max;
    int q[32];
    float s_xl = 0, s_l2 = 0;
    for (int i = 0; i < n; ++i) {
        q[i] = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        const float w = x[i] * x[i];
        s_xl += w * x[i] * float(q[i]);
        s_l2 += w * float(q[i]) * float(q[i]);
    }
    for (int sweep = 0; sweep < 5; ++sweep) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            float xl = s_xl - w * x[i] * float(q[i]);
            if (xl <= 0) continue;
            float l2 = s_l2 - w * float(q[i]) * float(q[i]);
            const int l = clamp_int(nearest_int(x[i] * l2 / xl), -nmax, nmax - 1);
            if (l == q[i]) continue;
            xl += w * x[i] * float(l);
            l2 += w * float(l) * float(l);
            if (l2 > 0 && xl * xl * s_l2 > s_xl * s_xl * l2) {
                q[i] = l;
                s_xl = xl;
                s_l2 = l2;
                ++changed;
            }
        }
        if (changed == 0) break;
    }
    for (int i = 0; i < n; ++i) L[i] = uint8_t(q[i] + nmax);
    return s_l2 > 0 ? s_xl / s_l2 : 0;
}

// Packs 2-bit quants L[0..255] the way q2_K / q3_K store them.
void pack_two_bits(const uint8_t* L, uint8_t* qs) {
    std::memset(qs, 0, qk_k / 4);
    for (int e = 0; e < qk_k; ++e) qs[32 * (e / 128) + e % 32] |= uint8_t((L[e] & 3) << (2 * (e % 128 / 32)));
}

// Packs 4-bit quants L[0..255] (low nibbles only) the way q4_K / q5_K store them.
void pack_k4_nibbles(const uint8_t* L, uint8_t* qs) {
    std::memset(qs, 0, qk_k / 2);
    for (int e = 0; e < qk_k; ++e) qs[32 * (e / 64) + e % 32] |= uint8_t((L[e] & 0xf) << (e % 64 < 32 ? 0 : 4));
}

// Inverse of k4_scale_min.
void pack_k4_scales(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
    std::memset(scales, 0, k_scale_size);
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            scales[j] |= ls[j];
            scales[j + 4] |= lm[j];
        } else {
            scales[j + 4] = uint8_t((ls[j] & 0xf) | ((lm[j] & 0xf) << 4));
            scales[j - 4] |= uint8_t((ls[j] >> 4) << 6);
            scales[j] |= uint8_t((lm[j] >> 4) << 6);
        }
    }
}

// Shared by q4_K and q5_K: 8 sub-blocks of 32, 6-bit scales and mins.
// Fills d, dmin, scales and the final quants L (0..nmax).
void quantize_k4_superblock(const float* x, int nmax, scale_grid grid, uint16_t* d_out, uint16_t* dmin_out,
                            uint8_t* scales_out, uint8_t* L) {
    float scales[8], mins[8], w[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float* xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        // Weight large values more, but never ignore small ones.
        const float rms = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) w[l] = rms + std::fabs(xs[l]);
        scales[j] = fit_scale_min(xs, w, 32, nmax, grid, false, L + 32 * j, &mins[j]);
        // Plain comparisons, not fmax: a -0 min must not become the super-block's (-0) dmin.
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
        ls[j] = uint8_t(clamp_int(nearest_int(inv_scale * scales[j]), 0, 63));
        lm[j] = uint8_t(clamp_int(nearest_int(inv_min * mins[j]), 0, 63));
    }
    pack_k4_scales(ls, lm, scales_out);
    *d_out = f32_to_f16(max_scale / 63.0f);
    *dmin_out = f32_to_f16(max_min / 63.0f);

    const float d = f16_to_f32(*d_out), dmin = f16_to_f32(*dmin_out);
    for (int j = 0; j < 8; ++j) {
        const float dl = d * float(ls[j]);
        if (dl == 0) continue;
        const float ml = dmin * float(lm[j]);
        for (int l = 0; l < 32; ++l) L[32 * j + l] = uint8_t(clamp_int(nearest_int((x[32 * j + l] + ml) / dl), 0, nmax));
    }
}

}  // namespace

void quantize_row_q2_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q2_k*>(dst);
    uint8_t L[qk_k];
    float scales[16], mins[16], w[16];
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 16; ++j) {
            for (int l = 0; l < 16; ++l) w[l] = std::fabs(src[16 * j + l]);
            // With only 4 levels, absolute error is the better target (outliers dominate squares).
            scales[j] = fit_scale_min(src + 16 * j, w, 16, 3, {-0.5f, 0.1f, 15}, true, L + 16 * j, &mins[j]);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        const float inv_scale = max_scale > 0 ? 15.0f / max_scale : 0.0f;
        const float inv_min = max_min > 0 ? 15.0f / max_min : 0.0f;
        for (int j = 0; j < 16; ++j) {
            const int ls = clamp_int(nearest_int(inv_scale * scales[j]), 0, 15);
            const int lm = clamp_int(nearest_int(inv_min * mins[j]), 0, 15);
            y[i].scales[j] = uint8_t(ls | (lm << 4));
        }
        y[i].d = f32_to_f16(max_scale / 15.0f);
        y[i].dmin = f32_to_f16(max_min / 15.0f);

        const float d = f16_to_f32(y[i].d), dmin = f16_to_f32(y[i].dmin);
        for (int j = 0; j < 16; ++j) {
            const float dl = d * float(y[i].scales[j] & 0xf);
            if (dl == 0) continue;
            const float ml = dmin * float(y[i].scales[j] >> 4);
            for (int l = 0; l < 16; ++l) L[16 * j + l] = uint8_t(clamp_int(nearest_int((src[16 * j + l] + ml) / dl), 0, 3));
        }
        pack_two_bits(L, y[i].qs);
    }
}

void quantize_row_q3_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q3_k*>(dst);
    uint8_t L[qk_k];
    float scales[16];
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        float max_scale = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fit_symmetric_descent(src + 16 * j, 16, 4, L + 16 * j);
            if (std::fabs(scales[j]) > std::fabs(max_scale)) max_scale = scales[j];
        }
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        if (max_scale != 0) {
            // The largest scale maps to -32, again the level without a mirror.
            const float iscale = -32.0f / max_scale;
            for (int j = 0; j < 16; ++j) {
                const int l = clamp_int(nearest_int(iscale * scales[j]), -32, 31) + 32;
                y[i].scales[j % 8] |= uint8_t((l & 0xf) << (j < 8 ? 0 : 4));
                y[i].scales[8 + j % 4] |= uint8_t((l >> 4) << (2 * (j / 4)));
            }
            y[i].d = f32_to_f16(1 / iscale);
        } else {
            y[i].d = f32_to_f16(0.0f);
        }
        const float d = f16_to_f32(y[i].d);
        for (int j = 0; j < 16; ++j) {
            const float dl = d * float(q3_k_scale(y[i].scales, j));
            if (dl == 0) continue;
            for (int l = 0; l < 16; ++l) L[16 * j + l] = uint8_t(clamp_int(nearest_int(src[16 * j + l] / dl), -4, 3) + 4);
        }
        std::memset(y[i].hmask, 0, sizeof(y[i].hmask));
        for (int e = 0; e < qk_k; ++e) {
            if (L[e] > 3) {
                y[i].hmask[e % 32] |= uint8_t(1u << (e / 32));
                L[e] -= 4;
            }
        }
        pack_two_bits(L, y[i].qs);
    }
}

void quantize_row_q4_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q4_k*>(dst);
    uint8_t L[qk_k];
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        quantize_k4_superblock(src, 15, {-1.0f, 0.1f, 20}, &y[i].d, &y[i].dmin, y[i].scales, L);
        pack_k4_nibbles(L, y[i].qs);
    }
}

void quantize_row_q5_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q5_k*>(dst);
    uint8_t L[qk_k];
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        quantize_k4_superblock(src, 31, {-0.5f, 0.1f, 15}, &y[i].d, &y[i].dmin, y[i].scales, L);
        std::memset(y[i].qh, 0, sizeof(y[i].qh));
        for (int e = 0; e < qk_k; ++e) y[i].qh[e % 32] |= uint8_t((L[e] >> 4) << (e / 32));
        pack_k4_nibbles(L, y[i].qs);
    }
}

void quantize_row_q6_k(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q6_k*>(dst);
    uint8_t L[qk_k];
    float scales[16];
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        float max_scale = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fit_symmetric_grid(src + 16 * j, 16, 32, L + 16 * j);
            if (std::fabs(scales[j]) > std::fabs(max_scale)) max_scale = scales[j];
        }
        if (std::fabs(max_scale) < k_all_zero_eps) {
            std::memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        const float iscale = -128.0f / max_scale;
        y[i].d = f32_to_f16(1 / iscale);
        for (int j = 0; j < 16; ++j) y[i].scales[j] = int8_t(clamp_int(nearest_int(iscale * scales[j]), -128, 127));
        const float d = f16_to_f32(y[i].d);
        for (int j = 0; j < 16; ++j) {
            const float dl = d * float(y[i].scales[j]);
            if (dl == 0) continue;
            for (int l = 0; l < 16; ++l) L[16 * j + l] = uint8_t(clamp_int(nearest_int(src[16 * j + l] / dl), -32, 31) + 32);
        }
        std::memset(y[i].ql, 0, sizeof(y[i].ql));
        std::memset(y[i].qh, 0, sizeof(y[i].qh));
        for (int e = 0; e < qk_k; ++e) {
            const int h = e / 128, l = e % 32, k = e % 128 / 32;
            y[i].ql[64 * h + l + 32 * (k & 1)] |= uint8_t((L[e] & 0xf) << (k < 2 ? 0 : 4));
            y[i].qh[32 * h + l] |= uint8_t((L[e] >> 4) << (2 * k));
        }
    }
}

}  // namespace holo
