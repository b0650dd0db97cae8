// Reference dot products of a quantized row x with an activation row y in x's
// vec_dot_type. Like ggml, the quants are multiplied and summed as integers within a
// block and the block's scales are applied once, so the result equals
// dequantize(x) . dequantize(y) up to f32 rounding of the per-block terms.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/reference.h"

namespace holo {

namespace {

uint32_t load_qh(const uint8_t* qh) {
    return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

// Quant of element j (0..31) of a 32-element block with 4-bit nibbles (+ optional qh bit).
int nibble(const uint8_t* qs, int j) { return j < 16 ? (qs[j] & 0xf) : (qs[j - 16] >> 4); }
int fifth_bit(uint32_t qh, int j) { return int((qh >> j) & 1) << 4; }

// Quant (0..3) of element e of a q2_K / q3_K super-block's qs.
int two_bits(const uint8_t* qs, int e) { return (qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3; }

// Quant of element e of a q4_K / q5_K super-block's qs (low 4 bits).
int k4_nibble(const uint8_t* qs, int e) {
    const uint8_t byte = qs[32 * (e / 64) + e % 32];
    return e % 64 < 32 ? (byte & 0xf) : (byte >> 4);
}

}  // namespace

float vec_dot_q4_0_q8_0(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q4_0*>(vx);
    const auto* y = static_cast<const block_q8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk4_0; ++i) {
        int sumi = 0;
        for (int j = 0; j < qk4_0; ++j) sumi += (nibble(x[i].qs, j) - 8) * y[i].qs[j];
        sum += float(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
    }
    return sum;
}

float vec_dot_q4_1_q8_1(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q4_1*>(vx);
    const auto* y = static_cast<const block_q8_1*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk4_1; ++i) {
        int sumi = 0;
        for (int j = 0; j < qk4_1; ++j) sumi += nibble(x[i].qs, j) * y[i].qs[j];
        // sum (d_x q_x + m_x) d_y q_y = d_x d_y sum(q_x q_y) + m_x * (d_y sum(q_y)); y.s holds the last factor.
        sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * float(sumi) + f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
    }
    return sum;
}

float vec_dot_q5_0_q8_0(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q5_0*>(vx);
    const auto* y = static_cast<const block_q8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk5_0; ++i) {
        const uint32_t qh = load_qh(x[i].qh);
        int sumi = 0;
        for (int j = 0; j < qk5_0; ++j) sumi += ((nibble(x[i].qs, j) | fifth_bit(qh, j)) - 16) * y[i].qs[j];
        sum += float(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
    }
    return sum;
}

float vec_dot_q5_1_q8_1(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q5_1*>(vx);
    const auto* y = static_cast<const block_q8_1*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk5_1; ++i) {
        const uint32_t qh = load_qh(x[i].qh);
        int sumi = 0;
        for (int j = 0; j < qk5_1; ++j) sumi += (nibble(x[i].qs, j) | fifth_bit(qh, j)) * y[i].qs[j];
        sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * float(sumi) + f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
    }
    return sum;
}

float vec_dot_q8_0_q8_0(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q8_0*>(vx);
    const auto* y = static_cast<const block_q8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk8_0; ++i) {
        int sumi = 0;
        for (int j = 0; j < qk8_0; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += float(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
    }
    return sum;
}

// K-quants: per super-block, sumi = sum_j scale_j * sum_{e in j} q_e y_e (integer,
// |sumi| < 2^31 by construction: at most 256 * 32 * 128 * 128 = 2^27 for q6_K), and for the
// types with mins summ = sum_j min_j * bsum_j from q8_K's precomputed bsums.

float vec_dot_q2_k_q8_k(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q2_k*>(vx);
    const auto* y = static_cast<const block_q8_k*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk_k; ++i) {
        int sumi = 0, summ = 0;
        for (int j = 0; j < qk_k / 16; ++j) {
            int s = 0;
            for (int e = 16 * j; e < 16 * j + 16; ++e) s += two_bits(x[i].qs, e) * y[i].qs[e];
            sumi += (x[i].scales[j] & 0xf) * s;
            summ += (x[i].scales[j] >> 4) * y[i].bsums[j];
        }
        sum += y[i].d * f16_to_f32(x[i].d) * float(sumi) - y[i].d * f16_to_f32(x[i].dmin) * float(summ);
    }
    return sum;
}

float vec_dot_q3_k_q8_k(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q3_k*>(vx);
    const auto* y = static_cast<const block_q8_k*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk_k; ++i) {
        int sumi = 0;
        for (int j = 0; j < qk_k / 16; ++j) {
            int s = 0;
            for (int e = 16 * j; e < 16 * j + 16; ++e) {
                const bool high = (x[i].hmask[e % 32] >> (e / 32)) & 1;
                s += (two_bits(x[i].qs, e) - (high ? 0 : 4)) * y[i].qs[e];
            }
            sumi += q3_k_scale(x[i].scales, j) * s;
        }
        sum += y[i].d * f16_to_f32(x[i].d) * float(sumi);
    }
    return sum;
}

float vec_dot_q4_k_q8_k(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q4_k*>(vx);
    const auto* y = static_cast<const block_q8_k*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk_k; ++i) {
        int sumi = 0, summ = 0;
        for (int j = 0; j < qk_k / 32; ++j) {
            const scale_min sm = k4_scale_min(x[i].scales, j);
            int s = 0;
            for (int e = 32 * j; e < 32 * j + 32; ++e) s += k4_nibble(x[i].qs, e) * y[i].qs[e];
            sumi += sm.scale * s;
            summ += sm.min * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        sum += y[i].d * f16_to_f32(x[i].d) * float(sumi) - y[i].d * f16_to_f32(x[i].dmin) * float(summ);
    }
    return sum;
}

float vec_dot_q5_k_q8_k(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q5_k*>(vx);
    const auto* y = static_cast<const block_q8_k*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk_k; ++i) {
        int sumi = 0, summ = 0;
        for (int j = 0; j < qk_k / 32; ++j) {
            const scale_min sm = k4_scale_min(x[i].scales, j);
            int s = 0;
            for (int e = 32 * j; e < 32 * j + 32; ++e) {
                const int q = k4_nibble(x[i].qs, e) + 16 * ((x[i].qh[e % 32] >> (e / 32)) & 1);
                s += q * y[i].qs[e];
            }
            sumi += sm.scale * s;
            summ += sm.min * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        sum += y[i].d * f16_to_f32(x[i].d) * float(sumi) - y[i].d * f16_to_f32(x[i].dmin) * float(summ);
    }
    return sum;
}

float vec_dot_q6_k_q8_k(int64_t n, const void* vx, const void* vy) {
    const auto* x = static_cast<const block_q6_k*>(vx);
    const auto* y = static_cast<const block_q8_k*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / qk_k; ++i) {
        int sumi = 0;
        for (int j = 0; j < qk_k / 16; ++j) {
            int s = 0;
            for (int e = 16 * j; e < 16 * j + 16; ++e) {
                const int h = e / 128, l = e % 32, k = e % 128 / 32;
                const uint8_t lbyte = x[i].ql[64 * h + l + 32 * (k & 1)];
                const int low = k < 2 ? (lbyte & 0xf) : (lbyte >> 4);
                const int high = (x[i].qh[32 * h + l] >> (2 * k)) & 3;
                s += ((low | (high << 4)) - 32) * y[i].qs[e];
            }
            sumi += x[i].scales[j] * s;
        }
        sum += y[i].d * f16_to_f32(x[i].d) * float(sumi);
    }
    return sum;
}

}  // namespace holo
