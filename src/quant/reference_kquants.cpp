// Reference dequantize for the K-quants (q2_K .. q6_K), and the q8_K activation
// format both ways. Each element is computed with ggml's f32 expression and order
// (sub-block scale first: dl = d * sc, ml = dmin * m, then dl * q - ml), so values
// are bit-identical to llama.cpp's dequantize.
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

void dequantize_row_q2_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q2_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        const float d = f16_to_f32(x[i].d);
        const float dmin = f16_to_f32(x[i].dmin);
        for (int e = 0; e < qk_k; ++e) {
            const uint8_t sc = x[i].scales[e / 16];
            const float dl = d * float(sc & 0xf);
            const float ml = dmin * float(sc >> 4);
            const int q = (x[i].qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;
            dst[e] = dl * float(q) - ml;
        }
    }
}

void dequantize_row_q3_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q3_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        const float d = f16_to_f32(x[i].d);
        for (int e = 0; e < qk_k; ++e) {
            const float dl = d * float(q3_k_scale(x[i].scales, e / 16));
            const int low = (x[i].qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;
            const bool high = (x[i].hmask[e % 32] >> (e / 32)) & 1;
            dst[e] = dl * float(low - (high ? 0 : 4));
        }
    }
}

void dequantize_row_q4_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q4_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        const float d = f16_to_f32(x[i].d);
        const float dmin = f16_to_f32(x[i].dmin);
        for (int e = 0; e < qk_k; ++e) {
            const scale_min sm = k4_scale_min(x[i].scales, e / 32);
            const float dl = d * float(sm.scale);
            const float ml = dmin * float(sm.min);
            const uint8_t byte = x[i].qs[32 * (e / 64) + e % 32];
            const int q = (e % 64 < 32) ? (byte & 0xf) : (byte >> 4);
            dst[e] = dl * float(q) - ml;
        }
    }
}

void dequantize_row_q5_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q5_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        const float d = f16_to_f32(x[i].d);
        const float dmin = f16_to_f32(x[i].dmin);
        for (int e = 0; e < qk_k; ++e) {
            const scale_min sm = k4_scale_min(x[i].scales, e / 32);
            const float dl = d * float(sm.scale);
            const float ml = dmin * float(sm.min);
            const uint8_t byte = x[i].qs[32 * (e / 64) + e % 32];
            const int low = (e % 64 < 32) ? (byte & 0xf) : (byte >> 4);
            const int high = (x[i].qh[e % 32] >> (e / 32)) & 1;
            dst[e] = dl * float(low + 16 * high) - ml;
        }
    }
}

void dequantize_row_q6_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q6_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        const float d = f16_to_f32(x[i].d);
        for (int e = 0; e < qk_k; ++e) {
            const int h = e / 128, l = e % 32, k = e % 128 / 32;
            const uint8_t lbyte = x[i].ql[64 * h + l + 32 * (k & 1)];
            const int low = k < 2 ? (lbyte & 0xf) : (lbyte >> 4);
            const int high = (x[i].qh[32 * h + l] >> (2 * k)) & 3;
            const float dl = d * float(x[i].scales[e / 16]);
            dst[e] = dl * float((low | (high << 4)) - 32);
        }
    }
}

void dequantize_row_q8_k(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q8_k*>(src);
    for (int64_t i = 0; i < n / qk_k; ++i, dst += qk_k) {
        for (int e = 0; e < qk_k; ++e) dst[e] = x[i].d * float(x[i].qs[e]);
    }
}

void quantize_row_q8_k(const float* src, void* dst, int64_t n) {
    using quant_detail::nearest_int;
    auto* y = static_cast<block_q8_k*>(dst);
    for (int64_t i = 0; i < n / qk_k; ++i, src += qk_k) {
        float amax = 0, max = 0;
        for (int e = 0; e < qk_k; ++e) {
            if (std::fabs(src[e]) > amax) {
                amax = std::fabs(src[e]);
                max = src[e];
            }
        }
        if (amax == 0) {
            std::memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        // Scale by -127 / max (not 128): the SIMD kernels rely on |q| <= 127.
        const float iscale = -127.0f / max;
        for (int e = 0; e < qk_k; ++e) {
            const int q = nearest_int(iscale * src[e]);
            y[i].qs[e] = int8_t(q > 127 ? 127 : q);
        }
        for (int j = 0; j < qk_k / 16; ++j) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * j + l];
            y[i].bsums[j] = int16_t(sum);
        }
        y[i].d = 1.0f / iscale;
    }
}

}  // namespace holo
