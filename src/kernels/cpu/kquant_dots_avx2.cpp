// AVX2 dot products of K-quant weight rows with q8_K activations (no VNNI): 32
// unpacked unsigned quants per ymm, vpmaddubsw into int16 pairs, vpmaddwd by the
// sub-block scale into int32. One weight row against up to k_max_tokens_per_pass
// tokens, unpacking once. Only intrinsics and file-local helpers (see
// vec_ops_avx512.cpp for why).
#include <immintrin.h>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

namespace holo {

namespace {

inline float f16(uint16_t h) { return _cvtsh_ss(h); }

constexpr int k_prefetch_distance = 2048;  // as in kquant_dots_avx512.cpp

inline void prefetch_ahead(const void* p, int bytes_per_block) {
    const char* c = static_cast<const char*>(p) + k_prefetch_distance;
    for (int o = 0; o < bytes_per_block; o += 64) _mm_prefetch(c + o, _MM_HINT_T0);
}

inline const block_q8_k* act_row(const void* x, size_t stride, int t) {
    return reinterpret_cast<const block_q8_k*>(static_cast<const uint8_t*>(x) + t * stride);
}

inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// As in kquant_dots_avx512.cpp: bytes 0-7 scales, 8-15 mins of q4_K / q5_K.
inline __m128i unpack_q4_k_scales(const uint8_t* packed) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
    const __m128i lo_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0));
    const __m128i lo = _mm_and_si128(_mm_srlv_epi32(lo_src, _mm_set_epi32(4, 0, 0, 0)),
                                     _mm_set_epi32(0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f));
    const __m128i hi_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 1, 0, 0));
    const __m128i hi = _mm_and_si128(_mm_srli_epi32(hi_src, 2), _mm_set_epi32(0x30303030, 0, 0x30303030, 0));
    return _mm_or_si128(lo, hi);
}

// 16 int16 holding byte `a` of v in the low 128-bit lane and byte `b` in the high one
// (q6_K: the scales of the two sub-blocks of 16 in a group of 32).
inline __m256i two_scales16_signed(__m128i v, int a, int b) {
    const __m128i pick = _mm_shuffle_epi8(v, _mm_set_epi8(b, b, b, b, b, b, b, b, a, a, a, a, a, a, a, a));
    return _mm256_cvtepi8_epi16(pick);
}

template <int NT, bool Q5>
void dot_q4q5_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const int64_t nb = n / qk_k;
    const size_t block_bytes = Q5 ? sizeof(block_q5_k) : sizeof(block_q4_k);
    const uint8_t* base = static_cast<const uint8_t*>(w_row);
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256 acc[NT], acc_min[NT];
    for (int t = 0; t < NT; ++t) acc[t] = acc_min[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < nb; ++ib) {
        const uint8_t* bp = base + ib * block_bytes;
        prefetch_ahead(bp, int(block_bytes));
        uint16_t d_bits, dmin_bits;
        const uint8_t* scales;
        const uint8_t* qs;
        const uint8_t* qh = nullptr;
        if constexpr (Q5) {
            const block_q5_k& b = *reinterpret_cast<const block_q5_k*>(bp);
            d_bits = b.d, dmin_bits = b.dmin, scales = b.scales, qs = b.qs, qh = b.qh;
        } else {
            const block_q4_k& b = *reinterpret_cast<const block_q4_k*>(bp);
            d_bits = b.d, dmin_bits = b.dmin, scales = b.scales, qs = b.qs;
        }
        const __m128i sm = unpack_q4_k_scales(scales);
        const __m256i mins16 = _mm256_cvtepu8_epi16(
            _mm_shuffle_epi8(sm, _mm_set_epi8(15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8)));
        __m256i q[8], sc[8];
        const __m256i hb = Q5 ? load256(qh) : _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i raw = load256(qs + 32 * j);
            q[2 * j] = _mm256_and_si256(raw, m4);
            q[2 * j + 1] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);
            if constexpr (Q5) {
                const __m256i bit = _mm256_set1_epi8(0x10);
                q[2 * j] = _mm256_or_si256(q[2 * j], _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(hb, 2 * j), 4), bit));
                q[2 * j + 1] = _mm256_or_si256(q[2 * j + 1], _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(hb, 2 * j + 1), 4), bit));
            }
        }
        // One scale per sub-block of 32, as 16 equal int16 for vpmaddwd.
        for (int k = 0; k < 8; ++k) sc[k] = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, _mm_set1_epi8(char(k))));
        const float d = f16(d_bits), dmin = f16(dmin_bits);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m256i s = _mm256_setzero_si256();
            for (int k = 0; k < 8; ++k) {
                const __m256i p = _mm256_maddubs_epi16(q[k], load256(y.qs + 32 * k));  // q <= 31: no saturation
                s = _mm256_add_epi32(s, _mm256_madd_epi16(p, sc[k]));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * y.d), acc[t]);
            const __m256i pm = _mm256_madd_epi16(load256(y.bsums), mins16);
            acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pm), _mm256_set1_ps(dmin * y.d), acc_min[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]) - hsum256(acc_min[t]);
}

template <int NT>
void dot_q4_k(int64_t n, const void* w, const void* x, size_t stride, float* out) {
    dot_q4q5_k<NT, false>(n, w, x, stride, out);
}
template <int NT>
void dot_q5_k(int64_t n, const void* w, const void* x, size_t stride, float* out) {
    dot_q4q5_k<NT, true>(n, w, x, stride, out);
}

// q6_K: 8 groups of 32 (two sub-blocks of 16 each); unsigned q in 0..63, the -32
// goes to a bsums term.
template <int NT>
void dot_q6_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q6_k* w = static_cast<const block_q6_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    const __m256i m3 = _mm256_set1_epi8(0x03);
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q6_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
        const __m256i sc_all = _mm256_cvtepi8_epi16(sc8);
        __m256i q[8], sc[8];
        for (int h = 0; h < 2; ++h) {
            const __m256i l0 = load256(b.ql + 64 * h), l1 = load256(b.ql + 64 * h + 32);
            const __m256i hh = load256(b.qh + 32 * h);
            q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(hh, m3), 4));
            q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hh, 2), m3), 4));
            q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hh, 4), m3), 4));
            q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hh, 6), m3), 4));
        }
        for (int g = 0; g < 8; ++g) sc[g] = two_scales16_signed(sc8, 2 * g, 2 * g + 1);
        const float d = f16(b.d);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m256i s = _mm256_setzero_si256();
            for (int g = 0; g < 8; ++g) {
                const __m256i p = _mm256_maddubs_epi16(q[g], load256(y.qs + 32 * g));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(p, sc[g]));
            }
            const __m256i off = _mm256_madd_epi16(sc_all, load256(y.bsums));
            s = _mm256_sub_epi32(s, _mm256_slli_epi32(off, 5));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * y.d), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]);
}


// The 16 scales of q3_K's packed 12-byte field, minus 32 (int8). The field sits at
// the end of the block, so it is copied out rather than over-read.
inline __m128i unpack_q3_k_scales(const uint8_t* packed) {
    uint32_t a[4] = {0, 0, 0, 0};
    __builtin_memcpy(a, packed, 12);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a));
    const __m128i hi_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 2, 2, 2));
    // Low nibbles: bytes 0-7 from a0/a1 low nibbles, 8-15 from a0/a1 high nibbles.
    const __m128i lo_src = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 1, 0));
    const __m128i lo = _mm_and_si128(_mm_srlv_epi32(lo_src, _mm_set_epi32(4, 4, 0, 0)), _mm_set1_epi8(0x0f));
    const __m128i hi = _mm_and_si128(_mm_srlv_epi32(hi_src, _mm_set_epi32(6, 4, 2, 0)), _mm_set1_epi8(0x03));
    return _mm_sub_epi8(_mm_or_si128(lo, _mm_slli_epi32(hi, 4)), _mm_set1_epi8(32));
}

// q3_K: 8 groups of 32 (two sub-blocks each); q + 4 * hmask bit in 0..7, the -4 goes
// to a bsums term.
template <int NT>
void dot_q3_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q3_k* w = static_cast<const block_q3_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m256i m3 = _mm256_set1_epi8(0x03);
    const __m256i m1 = _mm256_set1_epi8(0x01);
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q3_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i sc8 = unpack_q3_k_scales(b.scales);
        const __m256i sc_all = _mm256_cvtepi8_epi16(sc8);
        const __m256i hm = load256(b.hmask);
        __m256i q[8], sc[8];
        for (int h = 0; h < 2; ++h) {
            const __m256i qs = load256(b.qs + 32 * h);
            for (int m = 0; m < 4; ++m) {
                const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * m), m3);
                const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + m), m1);
                q[4 * h + m] = _mm256_or_si256(lo, _mm256_slli_epi16(hb, 2));
            }
        }
        for (int g = 0; g < 8; ++g) sc[g] = two_scales16_signed(sc8, 2 * g, 2 * g + 1);
        const float d = f16(b.d);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m256i s = _mm256_setzero_si256();
            for (int g = 0; g < 8; ++g) {
                const __m256i p = _mm256_maddubs_epi16(q[g], load256(y.qs + 32 * g));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(p, sc[g]));
            }
            const __m256i off = _mm256_madd_epi16(sc_all, load256(y.bsums));
            s = _mm256_sub_epi32(s, _mm256_slli_epi32(off, 2));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * y.d), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]);
}

// q2_K: 8 groups of 32; 4-bit scale and min per sub-block of 16.
template <int NT>
void dot_q2_k(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q2_k* w = static_cast<const block_q2_k*>(w_row);
    const int64_t nb = n / qk_k;
    const __m256i m3 = _mm256_set1_epi8(0x03);
    __m256 acc[NT], acc_min[NT];
    for (int t = 0; t < NT; ++t) acc[t] = acc_min[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < nb; ++ib) {
        const block_q2_k& b = w[ib];
        prefetch_ahead(&b, sizeof(b));
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
        const __m128i sc8 = _mm_and_si128(raw, _mm_set1_epi8(0x0f));
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0f)));
        __m256i q[8], sc[8];
        for (int h = 0; h < 2; ++h) {
            const __m256i qs = load256(b.qs + 32 * h);
            for (int m = 0; m < 4; ++m) q[4 * h + m] = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * m), m3);
        }
        for (int g = 0; g < 8; ++g) sc[g] = two_scales16_signed(sc8, 2 * g, 2 * g + 1);  // 0..15: sign-safe
        const float d = f16(b.d), dmin = f16(b.dmin);
        for (int t = 0; t < NT; ++t) {
            const block_q8_k& y = act_row(x, stride, t)[ib];
            __m256i s = _mm256_setzero_si256();
            for (int g = 0; g < 8; ++g) {
                const __m256i p = _mm256_maddubs_epi16(q[g], load256(y.qs + 32 * g));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(p, sc[g]));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * y.d), acc[t]);
            const __m256i pm = _mm256_madd_epi16(mins16, load256(y.bsums));
            acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pm), _mm256_set1_ps(dmin * y.d), acc_min[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]) - hsum256(acc_min[t]);
}

#define HOLO_ROW_DOT(fn_name, call)                                                                  \
    void fn_name(int64_t n, const void* w, const void* x, size_t stride, int nt, float* out) {      \
        switch (nt) {                                                                                \
            case 1: call<1>(n, w, x, stride, out); break;                                            \
            case 2: call<2>(n, w, x, stride, out); break;                                            \
            case 3: call<3>(n, w, x, stride, out); break;                                            \
            default: call<4>(n, w, x, stride, out); break;                                           \
        }                                                                                            \
    }
HOLO_ROW_DOT(q2_k_rows, dot_q2_k)
HOLO_ROW_DOT(q3_k_rows, dot_q3_k)
HOLO_ROW_DOT(q4_k_rows, dot_q4_k)
HOLO_ROW_DOT(q5_k_rows, dot_q5_k)
HOLO_ROW_DOT(q6_k_rows, dot_q6_k)
#undef HOLO_ROW_DOT

}  // namespace

void fill_kquant_dots_avx2(kernel_table& t) {
    static_assert(k_max_tokens_per_pass == 4, "the row-dot switches above instantiate 1..4 tokens");
    t.row_dot[static_cast<uint32_t>(tensor_type::q2_k)] = q2_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q3_k)] = q3_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q4_k)] = q4_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q5_k)] = q5_k_rows;
    t.row_dot[static_cast<uint32_t>(tensor_type::q6_k)] = q6_k_rows;
}

}  // namespace holo
