// Reference quantize / dequantize for the 32-element "legacy" formats q4_0, q4_1,
// q5_0, q5_1, q8_0 and the activation format q8_1. Dequantize uses ggml's exact f32
// expressions (q * d, q * d + m) so results are bit-identical to llama.cpp's.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cfloat>
#include <cmath>

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/quant_math.h"
#include "quant/reference.h"

namespace holo {

namespace {

using quant_detail::clamp_int;

uint32_t load_qh(const uint8_t* qh) {
    return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

void store_qh(uint8_t* qh, uint32_t v) {
    for (int b = 0; b < 4; ++b) qh[b] = uint8_t(v >> (8 * b));
}

// The element of largest magnitude, with its sign (first one on ties).
float signed_absmax(const float* x, int n) {
    float amax = 0, max = 0;
    for (int j = 0; j < n; ++j) {
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void min_max(const float* x, int n, float* lo, float* hi) {
    *lo = FLT_MAX;
    *hi = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        if (x[j] < *lo) *lo = x[j];
        if (x[j] > *hi) *hi = x[j];
    }
}

// Symmetric 8-bit: d = amax / 127, q = round(x / d) with ties away from zero.
float quantize_q8_block(const float* x, int8_t* qs, int n) {
    float amax = 0;
    for (int j = 0; j < n; ++j) {
        if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]);
    }
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < n; ++j) qs[j] = int8_t(std::round(x[j] * id));
    return d;
}

}  // namespace

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q4_0*>(src);
    for (int64_t i = 0; i < n / qk4_0; ++i, dst += qk4_0) {
        const float d = f16_to_f32(x[i].d);
        for (int j = 0; j < qk4_0 / 2; ++j) {
            dst[j] = float((x[i].qs[j] & 0xf) - 8) * d;
            dst[j + qk4_0 / 2] = float((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q4_0*>(dst);
    for (int64_t i = 0; i < n / qk4_0; ++i, src += qk4_0) {
        // The largest-magnitude element maps to -8, the one level without a mirror.
        const float d = signed_absmax(src, qk4_0) / -8.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32_to_f16(d);
        for (int j = 0; j < qk4_0 / 2; ++j) {
            const int lo = clamp_int(int(std::floor(src[j] * id + 8.5f)), 0, 15);
            const int hi = clamp_int(int(std::floor(src[j + qk4_0 / 2] * id + 8.5f)), 0, 15);
            y[i].qs[j] = uint8_t(lo | (hi << 4));
        }
    }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q4_1*>(src);
    for (int64_t i = 0; i < n / qk4_1; ++i, dst += qk4_1) {
        const float d = f16_to_f32(x[i].d);
        const float m = f16_to_f32(x[i].m);
        for (int j = 0; j < qk4_1 / 2; ++j) {
            dst[j] = float(x[i].qs[j] & 0xf) * d + m;
            dst[j + qk4_1 / 2] = float(x[i].qs[j] >> 4) * d + m;
        }
    }
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q4_1*>(dst);
    for (int64_t i = 0; i < n / qk4_1; ++i, src += qk4_1) {
        float lo, hi;
        min_max(src, qk4_1, &lo, &hi);
        const float d = (hi - lo) / 15.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32_to_f16(d);
        y[i].m = f32_to_f16(lo);
        for (int j = 0; j < qk4_1 / 2; ++j) {
            const int q0 = clamp_int(int((src[j] - lo) * id + 0.5f), 0, 15);
            const int q1 = clamp_int(int((src[j + qk4_1 / 2] - lo) * id + 0.5f), 0, 15);
            y[i].qs[j] = uint8_t(q0 | (q1 << 4));
        }
    }
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q5_0*>(src);
    for (int64_t i = 0; i < n / qk5_0; ++i, dst += qk5_0) {
        const float d = f16_to_f32(x[i].d);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < qk5_0 / 2; ++j) {
            const int q0 = (x[i].qs[j] & 0xf) | int((qh >> j) & 1) << 4;
            const int q1 = (x[i].qs[j] >> 4) | int((qh >> (j + qk5_0 / 2)) & 1) << 4;
            dst[j] = float(q0 - 16) * d;
            dst[j + qk5_0 / 2] = float(q1 - 16) * d;
        }
    }
}

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q5_0*>(dst);
    for (int64_t i = 0; i < n / qk5_0; ++i, src += qk5_0) {
        const float d = signed_absmax(src, qk5_0) / -16.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32_to_f16(d);
        uint32_t qh = 0;
        for (int j = 0; j < qk5_0 / 2; ++j) {
            const int q0 = clamp_int(int(std::floor(src[j] * id + 16.5f)), 0, 31);
            const int q1 = clamp_int(int(std::floor(src[j + qk5_0 / 2] * id + 16.5f)), 0, 31);
            y[i].qs[j] = uint8_t((q0 & 0xf) | ((q1 & 0xf) << 4));
            qh |= uint32_t(q0 >> 4) << j;
            qh |= uint32_t(q1 >> 4) << (j + qk5_0 / 2);
        }
        store_qh(y[i].qh, qh);
    }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q5_1*>(src);
    for (int64_t i = 0; i < n / qk5_1; ++i, dst += qk5_1) {
        const float d = f16_to_f32(x[i].d);
        const float m = f16_to_f32(x[i].m);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < qk5_1 / 2; ++j) {
            const int q0 = (x[i].qs[j] & 0xf) | int((qh >> j) & 1) << 4;
            const int q1 = (x[i].qs[j] >> 4) | int((qh >> (j + qk5_1 / 2)) & 1) << 4;
            dst[j] = float(q0) * d + m;
            dst[j + qk5_1 / 2] = float(q1) * d + m;
        }
    }
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q5_1*>(dst);
    for (int64_t i = 0; i < n / qk5_1; ++i, src += qk5_1) {
        float lo, hi;
        min_max(src, qk5_1, &lo, &hi);
        const float d = (hi - lo) / 31.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = f32_to_f16(d);
        y[i].m = f32_to_f16(lo);
        uint32_t qh = 0;
        for (int j = 0; j < qk5_1 / 2; ++j) {
            const int q0 = clamp_int(int((src[j] - lo) * id + 0.5f), 0, 31);
            const int q1 = clamp_int(int((src[j + qk5_1 / 2] - lo) * id + 0.5f), 0, 31);
            y[i].qs[j] = uint8_t((q0 & 0xf) | ((q1 & 0xf) << 4));
            qh |= uint32_t(q0 >> 4) << j;
            qh |= uint32_t(q1 >> 4) << (j + qk5_1 / 2);
        }
        store_qh(y[i].qh, qh);
    }
}

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q8_0*>(src);
    for (int64_t i = 0; i < n / qk8_0; ++i, dst += qk8_0) {
        const float d = f16_to_f32(x[i].d);
        for (int j = 0; j < qk8_0; ++j) dst[j] = float(x[i].qs[j]) * d;
    }
}

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q8_0*>(dst);
    for (int64_t i = 0; i < n / qk8_0; ++i, src += qk8_0) {
        y[i].d = f32_to_f16(quantize_q8_block(src, y[i].qs, qk8_0));
    }
}

void dequantize_row_q8_1(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_q8_1*>(src);
    for (int64_t i = 0; i < n / qk8_1; ++i, dst += qk8_1) {
        const float d = f16_to_f32(x[i].d);
        for (int j = 0; j < qk8_1; ++j) dst[j] = float(x[i].qs[j]) * d;
    }
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_q8_1*>(dst);
    for (int64_t i = 0; i < n / qk8_1; ++i, src += qk8_1) {
        const float d = quantize_q8_block(src, y[i].qs, qk8_1);
        int sum = 0;
        for (int j = 0; j < qk8_1; ++j) sum += y[i].qs[j];
        y[i].d = f32_to_f16(d);
        y[i].s = f32_to_f16(float(sum) * d);
    }
}

}  // namespace holo
