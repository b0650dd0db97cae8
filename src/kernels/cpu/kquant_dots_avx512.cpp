// AVX-512 VNNI dot products of K-quant weight rows (q2_K .. q6_K) with q8_K
// activations, one weight row against up to k_max_tokens_per_pass tokens.
//
// Scheme shared by all: the weight quants of 64 consecutive elements are unpacked to
// unsigned bytes in one zmm (0..63, offsets like q6_K's -32 moved to a bsums term),
// vpdpbusd forms 16 lanes of 4-element sums (each fits in int16), and vpdpwssd
// multiplies each lane by its sub-block scale (a zmm of int32 whose high halves are
// zero) into the integer block sum. Unpacking happens once per block, the token loop
// only loads activations.
// GCC 12's AVX-512 headers trip -Wuninitialized inside their own _mm512_undefined_* uses.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

namespace holo {

namespace {

inline float f16(uint16_t h) { return _cvtsh_ss(h); }

// Bytes ahead; 2048 measured best (bench/kernels, cold weights) among 0-4096.
#ifndef HOLO_PREFETCH_DISTANCE
#define HOLO_PREFETCH_DISTANCE 2048
#endif
constexpr int k_prefetch_distance = HOLO_PREFETCH_DISTANCE;

inline const block_q8_k* act_row(const void* x, size_t stride, int t) {
    return reinterpret_cast<const block_q8_k*>(static_cast<const uint8_t*>(x) + t * stride);
}

// Lanes 0-7 pick element a of v, lanes 8-15 element b.
inline __m512i split_idx(int a, int b) { return _mm512_mask_blend_epi32(0xff00, _mm512_set1_epi32(a), _mm512_set1_epi32(b)); }

// Lanes 4i..4i+3 pick element base + i.
inline __m512i quad_idx(int base) {
    return _mm512_add_epi32(_mm512_set1_epi32(base), _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0));
}

inline float hsum128(__m128 v) {
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

inline float hsum256(__m256 v) { return hsum128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }

// ---- q4_K: 8 sub-blocks of 32, 6-bit scales and mins ----

// Bytes 0-7: the 8 scales, 8-15: the 8 mins of the packed 12-byte field, in
// registers (a scalar unpack through memory costs a store-forwarding stall per block).
// Reads 16 bytes from `packed`; the 4 past the field are in the same block.
inline __m128i unpack_q4_k_scales(const uint8_t* packed) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
    // Dwords a0 a1 a2: [a0, a2, a1, a2] gives the low 4-6 bits of scales 0-3, 4-7, mins 0-3, 4-7.
    const __m128i lo_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0));
    const __m128i lo = _mm_and_si128(_mm_srlv_epi32(lo_src, _mm_set_epi32(4, 0, 0, 0)),
                                     _mm_set_epi32(0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f));
    // Top two bits of a0 (scales 4-7) and a1 (mins 4-7) go to bits 4-5.
    const __m128i hi_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 1, 0, 0));
    const __m128i hi = _mm_and_si128(_mm_srli_epi32(hi_src, 2), _mm_set_epi32(0x30303030, 0, 0x30303030, 0));
    return _mm_or_si128(lo, hi);
}

// Mins 0-7 (bytes 8-15 of the unpacked scales) as 16 int16, each twice, so one
// vpmaddwd with a q8_K block's 16 bsums gives min_j * (bsum_2j + bsum_2j+1).
inline __m256i q4_k_mins_dup(__m128i sm) {
    return _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, _mm_set_epi8(15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8)));
}

// Pull the weight stream ahead of the loads: the loop does enough arithmetic per
// byte that the hardware prefetcher alone leaves DRAM latency exposed.
inline void prefetch_ahead(const void* p, int bytes_per_block) {
    const char* c = static_cast<const char*>(p) + k_prefetch_distance;
    for (int o = 0; o < bytes_per_block; o += 64) _mm_prefetch(c + o, _MM_HINT_T0);
}

// What q4_K and q5_K share once a block's 256 unsigned quants are unpacked (q) with
// their sub-block scales (sc): per token, the scaled int8 dot products, and the
// mins term from the activations' bsums (subtracted at the end).
template <int NT>
[[gnu::always_inline]] inline void accumulate_q4_k_block(const __m512i (&q)[4], const __m512i (&sc)[4], __m256i mins16,
                                                         float d, float dmin, const void* x, size_t stride, int64_t ib,
                                                         __m512* acc, __m256* acc_min) {
    for (int t = 0; t < NT; ++t) {
        const block_q8_k& y = act_row(x, stride, t)[ib];
        __m512i s = _mm512_setzero_si512();
        for (int j = 0; j < 4; ++j) {
            const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[j], _mm512_loadu_si512(y.qs + 64 * j));
            s = _mm512_dpwssd_epi32(s, p, sc[j]);
        }
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_set1_ps(d * y.d), acc[t]);
        const __m256i pm = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.bsums)), mins16);
        acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pm), _mm256_set1_ps(dmin * y.d), acc_min[t]);
    }
}

template <int NT>
void dot_q4_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q4_k* w = static_cast<const block_q4_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i nib_shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    __m512 acc[NT];
    __m256 acc_min[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q4_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i sm = unpack_q4_k_scales(b.scales);
        const __m512i sc32 = _mm512_cvtepu8_epi32(sm);
        const __m256i mins16 = q4_k_mins_dup(sm);
        __m512i q[4], sc[4];
        for (int j = 0; j < 4; ++j) {
            // Elements 64j .. 64j+31 are the low nibbles of qs[32j..], the next 32 the high.
            const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j)));
            q[j] = _mm512_and_si512(_mm512_srlv_epi64(raw, nib_shift), m4);
            sc[j] = _mm512_permutexvar_epi32(split_idx(2 * j, 2 * j + 1), sc32);
        }
        const float d = f16(b.d), dmin = f16(b.dmin);
        accumulate_q4_k_block<NT>(q, sc, mins16, d, dmin, x, stride, ib, acc, acc_min);
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - hsum256(acc_min[t]);
}

// ---- q5_K: q4_K plus a fifth bit per element in qh ----

template <int NT>
void dot_q5_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q5_k* w = static_cast<const block_q5_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i bit4 = _mm512_set1_epi8(0x10);
    const __m512i nib_shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    __m512 acc[NT];
    __m256 acc_min[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q5_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i sm = unpack_q4_k_scales(b.scales);
        const __m512i sc32 = _mm512_cvtepu8_epi32(sm);
        const __m256i mins16 = q4_k_mins_dup(sm);
        const __m512i hb = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh)));
        __m512i q[4], sc[4];
        for (int j = 0; j < 4; ++j) {
            const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j)));
            const __m512i lo = _mm512_and_si512(_mm512_srlv_epi64(raw, nib_shift), m4);
            // Bit 2j of qh[l] for the low half, bit 2j+1 for the high half, moved to bit 4.
            const __m512i hshift = _mm512_set_epi64(2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j, 2 * j, 2 * j, 2 * j);
            const __m512i hi = _mm512_and_si512(_mm512_slli_epi64(_mm512_srlv_epi64(hb, hshift), 4), bit4);
            q[j] = _mm512_or_si512(lo, hi);
            sc[j] = _mm512_permutexvar_epi32(split_idx(2 * j, 2 * j + 1), sc32);
        }
        const float d = f16(b.d), dmin = f16(b.dmin);
        accumulate_q4_k_block<NT>(q, sc, mins16, d, dmin, x, stride, ib, acc, acc_min);
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - hsum256(acc_min[t]);
}

// ---- q6_K: 16 sub-blocks of 16, int8 scales, q - 32 ----

template <int NT>
void dot_q6_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q6_k* w = static_cast<const block_q6_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i m30 = _mm512_set1_epi8(0x30);
    const __m512i shl_even = _mm512_set_epi64(2, 2, 2, 2, 4, 4, 4, 4);
    const __m512i shr_odd = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
    __m512 acc[NT];
    __m256 acc_off[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_off[t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q6_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
        const __m512i sc32 = _mm512_cvtepu16_epi32(sc16);  // int16 in the low half, 0 above
        __m512i q[4], sc[4];
        for (int h = 0; h < 2; ++h) {
            const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
            const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h)));
            // Group 2h: low nibbles, qh bits 0-1 (first 32) and 2-3 (next 32), moved to bits 4-5.
            q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_and_si512(_mm512_sllv_epi64(qh, shl_even), m30));
            // Group 2h+1: high nibbles, qh bits 4-5 and 6-7.
            q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                           _mm512_and_si512(_mm512_srlv_epi64(qh, shr_odd), m30));
        }
        for (int k = 0; k < 4; ++k) sc[k] = _mm512_permutexvar_epi32(quad_idx(4 * k), sc32);
        const float d = f16(b.d);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m512i s = _mm512_setzero_si512();
            for (int k = 0; k < 4; ++k) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[k], _mm512_loadu_si512(y.qs + 64 * k));
                s = _mm512_dpwssd_epi32(s, p, sc[k]);
            }
            const __m512 dy = _mm512_set1_ps(d * y.d);
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), dy, acc[t]);
            const __m256i off = _mm256_madd_epi16(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.bsums)));
            acc_off[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(off), _mm512_castps512_ps256(dy), acc_off[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - 32.0f * hsum256(acc_off[t]);
}

// ---- q3_K: 16 sub-blocks of 16, 6-bit scales - 32, q = 2 bits + hmask bit - 4 ----

// The 16 scales (6-bit, still offset by 32) of the packed 12-byte field.
inline void unpack_q3_k_scales(const uint8_t* packed, uint8_t out[16]) {
    uint32_t a[3];
    std::memcpy(a, packed, 12);
    const uint32_t hi = a[2];
    uint32_t r[4];
    r[0] = (a[0] & 0x0f0f0f0fu) | (((hi >> 0) & 0x03030303u) << 4);
    r[1] = (a[1] & 0x0f0f0f0fu) | (((hi >> 2) & 0x03030303u) << 4);
    r[2] = ((a[0] >> 4) & 0x0f0f0f0fu) | (((hi >> 4) & 0x03030303u) << 4);
    r[3] = ((a[1] >> 4) & 0x0f0f0f0fu) | (((hi >> 6) & 0x03030303u) << 4);
    std::memcpy(out, r, 16);
}

template <int NT>
void dot_q3_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q3_k* w = static_cast<const block_q3_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m512i m3 = _mm512_set1_epi8(0x03);
    const __m512i b2 = _mm512_set1_epi8(0x04);
    __m512 acc[NT];
    __m256 acc_off[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_off[t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q3_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        alignas(16) uint8_t s8[16];
        unpack_q3_k_scales(b.scales, s8);
        const __m128i s_signed = _mm_sub_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(s8)), _mm_set1_epi8(32));
        const __m256i sc16 = _mm256_cvtepi8_epi16(s_signed);
        const __m512i sc32 = _mm512_cvtepu16_epi32(sc16);
        const __m512i hm = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask)));
        __m512i q[4], sc[4];
        for (int k = 0; k < 4; ++k) {
            // Group k: half h = k / 2, 2-bit fields m0 = 2 (k % 2) and m0 + 1 of qs[32h + l].
            const int h = k / 2, m0 = 2 * (k % 2);
            const __m512i qs = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * h)));
            const __m512i lo_shift = _mm512_set_epi64(2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0, 2 * m0, 2 * m0, 2 * m0);
            const int hb0 = 4 * h + m0;  // hmask bit of the first 32 elements
            const __m512i h_shift = _mm512_set_epi64(hb0 + 1, hb0 + 1, hb0 + 1, hb0 + 1, hb0, hb0, hb0, hb0);
            const __m512i lo = _mm512_and_si512(_mm512_srlv_epi64(qs, lo_shift), m3);
            const __m512i hi = _mm512_and_si512(_mm512_slli_epi64(_mm512_srlv_epi64(hm, h_shift), 2), b2);
            q[k] = _mm512_or_si512(lo, hi);  // q + 4h in 0..7; the -4 goes to the bsums term
            sc[k] = _mm512_permutexvar_epi32(quad_idx(4 * k), sc32);
        }
        const float d = f16(b.d);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m512i s = _mm512_setzero_si512();
            for (int k = 0; k < 4; ++k) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[k], _mm512_loadu_si512(y.qs + 64 * k));
                s = _mm512_dpwssd_epi32(s, p, sc[k]);
            }
            const __m512 dy = _mm512_set1_ps(d * y.d);
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), dy, acc[t]);
            const __m256i off = _mm256_madd_epi16(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.bsums)));
            acc_off[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(off), _mm512_castps512_ps256(dy), acc_off[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - 4.0f * hsum256(acc_off[t]);
}

// ---- q2_K: 16 sub-blocks of 16, 4-bit scale and min per sub-block ----

template <int NT>
void dot_q2_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q2_k* w = static_cast<const block_q2_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m512i m3 = _mm512_set1_epi8(0x03);
    __m512 acc[NT];
    __m256 acc_min[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q2_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
        const __m512i sc32 = _mm512_cvtepu8_epi32(_mm_and_si128(raw, _mm_set1_epi8(0x0f)));
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0f)));
        __m512i q[4], sc[4];
        for (int k = 0; k < 4; ++k) {
            const int h = k / 2, m0 = 2 * (k % 2);
            const __m512i qs = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * h)));
            const __m512i shift = _mm512_set_epi64(2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0, 2 * m0, 2 * m0, 2 * m0);
            q[k] = _mm512_and_si512(_mm512_srlv_epi64(qs, shift), m3);
            sc[k] = _mm512_permutexvar_epi32(quad_idx(4 * k), sc32);
        }
        const float d = f16(b.d), dmin = f16(b.dmin);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m512i s = _mm512_setzero_si512();
            for (int k = 0; k < 4; ++k) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[k], _mm512_loadu_si512(y.qs + 64 * k));
                s = _mm512_dpwssd_epi32(s, p, sc[k]);
            }
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_set1_ps(d * y.d), acc[t]);
            const __m256i pm = _mm256_madd_epi16(mins16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.bsums)));
            acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pm), _mm256_set1_ps(dmin * y.d), acc_min[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - hsum256(acc_min[t]);
}


// ---- batches: unpack a slice of the row once, then stream the tokens over it ----

// Blocks unpacked per slice: 16 x ~600 bytes stays in L1 next to the activations.
constexpr int64_t k_slice_blocks = 16;

struct alignas(64) q4_k_unpacked {
    __m512i q[4];
    __m512i sc[4];
    __m256i mins;
    float d, dmin;
};

struct alignas(64) q6_k_unpacked {
    __m512i q[4];
    __m512i sc[4];
    __m256i sc16;
    float d;
};

inline void unpack_q4_k(const block_q4_k& b, q4_k_unpacked& u) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i nib_shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    const __m128i sm = unpack_q4_k_scales(b.scales);
    const __m512i sc32 = _mm512_cvtepu8_epi32(sm);
    u.mins = q4_k_mins_dup(sm);
    for (int j = 0; j < 4; ++j) {
        const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j)));
        u.q[j] = _mm512_and_si512(_mm512_srlv_epi64(raw, nib_shift), m4);
        u.sc[j] = _mm512_permutexvar_epi32(split_idx(2 * j, 2 * j + 1), sc32);
    }
    u.d = f16(b.d);
    u.dmin = f16(b.dmin);
}

inline void unpack_q6_k(const block_q6_k& b, q6_k_unpacked& u) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i m30 = _mm512_set1_epi8(0x30);
    const __m512i shl_even = _mm512_set_epi64(2, 2, 2, 2, 4, 4, 4, 4);
    const __m512i shr_odd = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
    u.sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    const __m512i sc32 = _mm512_cvtepu16_epi32(u.sc16);
    for (int h = 0; h < 2; ++h) {
        const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
        const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h)));
        u.q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_and_si512(_mm512_sllv_epi64(qh, shl_even), m30));
        u.q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                         _mm512_and_si512(_mm512_srlv_epi64(qh, shr_odd), m30));
    }
    for (int k = 0; k < 4; ++k) u.sc[k] = _mm512_permutexvar_epi32(quad_idx(4 * k), sc32);
    u.d = f16(b.d);
}

// out[t] += dot of the unpacked blocks [0, nb) with blocks [ib0, ib0 + nb) of y[t].
template <int NT>
void q4_k_slice(const q4_k_unpacked* u, int64_t nb, const block_q8_k* const* y, int64_t ib0, float* out) {
    __m512 acc[NT];
    __m256 acc_min[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < nb; ++i) {
        const q4_k_unpacked& b = u[i];
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& yb = y[t][ib0 + i];
            __m512i s = _mm512_setzero_si512();
            for (int j = 0; j < 4; ++j) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), b.q[j], _mm512_loadu_si512(yb.qs + 64 * j));
                s = _mm512_dpwssd_epi32(s, p, b.sc[j]);
            }
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_set1_ps(b.d * yb.d), acc[t]);
            const __m256i pm = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb.bsums)), b.mins);
            acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pm), _mm256_set1_ps(b.dmin * yb.d), acc_min[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] += _mm512_reduce_add_ps(acc[t]) - hsum256(acc_min[t]);
}

template <int NT>
void q6_k_slice(const q6_k_unpacked* u, int64_t nb, const block_q8_k* const* y, int64_t ib0, float* out) {
    __m512 acc[NT];
    __m256 acc_off[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_off[t] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < nb; ++i) {
        const q6_k_unpacked& b = u[i];
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& yb = y[t][ib0 + i];
            __m512i s = _mm512_setzero_si512();
            for (int k = 0; k < 4; ++k) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), b.q[k], _mm512_loadu_si512(yb.qs + 64 * k));
                s = _mm512_dpwssd_epi32(s, p, b.sc[k]);
            }
            const __m512 dy = _mm512_set1_ps(b.d * yb.d);
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), dy, acc[t]);
            const __m256i off = _mm256_madd_epi16(b.sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb.bsums)));
            acc_off[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(off), _mm512_castps512_ps256(dy), acc_off[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] += _mm512_reduce_add_ps(acc[t]) - 32.0f * hsum256(acc_off[t]);
}

// Slices of the row are unpacked to an L1-resident buffer, then every token group of
// 4 streams over them: the unpacking (about as much work as one token's dot) is
// paid once per row instead of once per 4 tokens.
template <class B, class U, void (*Unpack)(const B&, U&), template <int> class Slice>
void dot_many(int64_t n, const void* w_row, const void* const* x_rows, int64_t n_tok, float* out) {
    const B* w = static_cast<const B*>(w_row);
    const int64_t nb = n / qk_k;
    U u[k_slice_blocks];
    for (int64_t t = 0; t < n_tok; ++t) out[t] = 0.0f;
    for (int64_t ib0 = 0; ib0 < nb; ib0 += k_slice_blocks) {
        const int64_t len = std::min(k_slice_blocks, nb - ib0);
        for (int64_t i = 0; i < len; ++i) Unpack(w[ib0 + i], u[i]);
        const block_q8_k* const* y = reinterpret_cast<const block_q8_k* const*>(x_rows);
        int64_t t = 0;
        for (; t + 4 <= n_tok; t += 4) Slice<4>::run(u, len, y + t, ib0, out + t);
        switch (n_tok - t) {
            case 3: Slice<3>::run(u, len, y + t, ib0, out + t); break;
            case 2: Slice<2>::run(u, len, y + t, ib0, out + t); break;
            case 1: Slice<1>::run(u, len, y + t, ib0, out + t); break;
            default: break;
        }
    }
}

template <int NT>
struct q4_k_slice_t {
    static void run(const q4_k_unpacked* u, int64_t nb, const block_q8_k* const* y, int64_t ib0, float* out) {
        q4_k_slice<NT>(u, nb, y, ib0, out);
    }
};
template <int NT>
struct q6_k_slice_t {
    static void run(const q6_k_unpacked* u, int64_t nb, const block_q8_k* const* y, int64_t ib0, float* out) {
        q6_k_slice<NT>(u, nb, y, ib0, out);
    }
};

void q4_k_many(int64_t n, const void* w, const void* const* x, int64_t nt, float* out) {
    dot_many<block_q4_k, q4_k_unpacked, unpack_q4_k, q4_k_slice_t>(n, w, x, nt, out);
}
void q6_k_many(int64_t n, const void* w, const void* const* x, int64_t nt, float* out) {
    dot_many<block_q6_k, q6_k_unpacked, unpack_q6_k, q6_k_slice_t>(n, w, x, nt, out);
}

// Dispatch on the token count to the instance that keeps NT accumulators in registers.
#define HOLO_ROW_DOT(name)                                                                               \
    void name##_rows(int64_t n, const void* w, const void* x, size_t stride, int nt, float* out) {      \
        switch (nt) {                                                                                    \
            case 1: name<1>(n, w, x, stride, out); break;                                                \
            case 2: name<2>(n, w, x, stride, out); break;                                                \
            case 3: name<3>(n, w, x, stride, out); break;                                                \
            default: name<4>(n, w, x, stride, out); break;                                               \
        }                                                                                                \
    }
HOLO_ROW_DOT(dot_q2_k)
HOLO_ROW_DOT(dot_q3_k)
HOLO_ROW_DOT(dot_q4_k)
HOLO_ROW_DOT(dot_q5_k)
HOLO_ROW_DOT(dot_q6_k)
#undef HOLO_ROW_DOT

}  // namespace

void fill_kquant_dots_avx512(kernel_table& t) {
    static_assert(k_max_tokens_per_pass == 4, "the row-dot switches above instantiate 1..4 tokens");
    t.row_dot[static_cast<uint32_t>(tensor_type::q2_k)] = dot_q2_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q3_k)] = dot_q3_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q4_k)] = dot_q4_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q5_k)] = dot_q5_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q6_k)] = dot_q6_k_rows;
    t.row_dot_many[static_cast<uint32_t>(tensor_type::q4_k)] = q4_k_many;
    t.row_dot_many[static_cast<uint32_t>(tensor_type::q6_k)] = q6_k_many;
}

}  // namespace holo
