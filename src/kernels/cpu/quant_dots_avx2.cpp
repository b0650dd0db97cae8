// AVX2 kernels for the 32-element block types (symmetric ones with the sign trick:
// |w| times y with w's sign, vpmaddubsw; q4_1 / q5_1 unsigned plus the min term), the
// float types (FMA, F16C; bf16 widened by a shift), and the activation converters.
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

namespace holo {

namespace {

inline float f16(uint16_t h) { return _cvtsh_ss(h); }
inline uint16_t to_f16(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

template <class B>
inline const B* act_row(const void* x, size_t stride, int t) {
    return reinterpret_cast<const B*>(static_cast<const uint8_t*>(x) + t * stride);
}

inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Signed w (in -128..127, never -128 here) times signed y: 8 int32 sums of 4.
inline __m256i dot_s8(__m256i w, __m256i y) {
    const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(y, w));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

template <int NT, bool Q4>
void dot_q4q8_0(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const int64_t nb = n / 32;
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < nb; ++ib) {
        __m256i wq;
        float d;
        if constexpr (Q4) {
            const block_q4_0& b = static_cast<const block_q4_0*>(w_row)[ib];
            const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
            const __m128i lo = _mm_and_si128(raw, _mm_set1_epi8(0x0f));
            const __m128i hi = _mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0f));
            wq = _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(8));
            d = f16(b.d);
        } else {
            const block_q8_0& b = static_cast<const block_q8_0*>(w_row)[ib];
            wq = load256(b.qs);
            d = f16(b.d);
        }
        for (int t = 0; t < NT; ++t) {
            const block_q8_0& y = act_row<block_q8_0>(x, stride, t)[ib];
            const __m256i s = dot_s8(wq, load256(y.qs));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * f16(y.d)), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]);
}

template <int NT>
void dot_q4_0(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_q4q8_0<NT, true>(n, w, x, s, o); }
template <int NT>
void dot_q8_0(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_q4q8_0<NT, false>(n, w, x, s, o); }


// The 32 4-bit quants of a block in element order (low nibbles, then high).
inline __m256i nibbles(const uint8_t* qs) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m128i lo = _mm_and_si128(raw, _mm_set1_epi8(0x0f));
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0f));
    return _mm256_set_m128i(hi, lo);
}

// Bit 4 of each element from q5's 32-bit qh: byte i gets bit i of the mask.
inline __m256i high_bits(const uint8_t* qh) {
    uint32_t m;
    std::memcpy(&m, qh, 4);
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(int(m)),
                                               _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                                                 0x0101010101010101, 0x0000000000000000));
    const __m256i bit = _mm256_set1_epi64x(int64_t(0x8040201008040201));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
}

// q5_0: d * (q - 16) with y in q8_0.
template <int NT>
void dot_q5_0(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const block_q5_0* w = static_cast<const block_q5_0*>(w_row);
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t ib = 0; ib < n / 32; ++ib) {
        const __m256i wq = _mm256_sub_epi8(_mm256_or_si256(nibbles(w[ib].qs), high_bits(w[ib].qh)), _mm256_set1_epi8(16));
        const float d = f16(w[ib].d);
        for (int t = 0; t < NT; ++t) {
            const block_q8_0& y = act_row<block_q8_0>(x, stride, t)[ib];
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_s8(wq, load256(y.qs))), _mm256_set1_ps(d * f16(y.d)), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]);
}

// q4_1 / q5_1: d * q + m with y in q8_1 (y.s = d_y * sum(q_y) carries the min term).
template <int NT, bool Q5>
void dot_q4q5_1(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    __m256 acc[NT];
    float acc_min[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps(), acc_min[t] = 0.0f;
    for (int64_t ib = 0; ib < n / 32; ++ib) {
        __m256i wq;
        float d, m;
        if constexpr (Q5) {
            const block_q5_1& b = static_cast<const block_q5_1*>(w_row)[ib];
            wq = _mm256_or_si256(nibbles(b.qs), high_bits(b.qh));
            d = f16(b.d), m = f16(b.m);
        } else {
            const block_q4_1& b = static_cast<const block_q4_1*>(w_row)[ib];
            wq = nibbles(b.qs);
            d = f16(b.d), m = f16(b.m);
        }
        for (int t = 0; t < NT; ++t) {
            const block_q8_1& y = act_row<block_q8_1>(x, stride, t)[ib];
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wq, load256(y.qs)), _mm256_set1_epi16(1));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(d * f16(y.d)), acc[t]);
            acc_min[t] += m * f16(y.s);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum256(acc[t]) + acc_min[t];
}

template <int NT>
void dot_q4_1(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_q4q5_1<NT, false>(n, w, x, s, o); }
template <int NT>
void dot_q5_1(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_q4q5_1<NT, true>(n, w, x, s, o); }

// Float weights: 8 lanes at a time, the tail in scalar code.
template <int NT, class Load>
void dot_float(int64_t n, const void* w_row, const void* x, size_t stride, float* out, Load load, float (*scalar)(const void*, int64_t)) {
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 wv = load(w_row, i);
        for (int t = 0; t < NT; ++t) {
            acc[t] = _mm256_fmadd_ps(wv, load(static_cast<const uint8_t*>(x) + t * stride, i), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) {
        float s = hsum256(acc[t]);
        for (int64_t k = i; k < n; ++k) s += scalar(w_row, k) * scalar(static_cast<const uint8_t*>(x) + t * stride, k);
        out[t] = s;
    }
}

inline __m256 load_f32(const void* p, int64_t i) { return _mm256_loadu_ps(static_cast<const float*>(p) + i); }
inline __m256 load_f16(const void* p, int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i)));
}
inline __m256 load_bf16(const void* p, int64_t i) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}
float one_f32(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
float one_f16(const void* p, int64_t i) { return f16(static_cast<const uint16_t*>(p)[i]); }
float one_bf16(const void* p, int64_t i) {
    const uint32_t b = uint32_t(static_cast<const uint16_t*>(p)[i]) << 16;
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

template <int NT>
void dot_f32(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_float<NT>(n, w, x, s, o, load_f32, one_f32); }
template <int NT>
void dot_f16(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_float<NT>(n, w, x, s, o, load_f16, one_f16); }
template <int NT>
void dot_bf16(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_float<NT>(n, w, x, s, o, load_bf16, one_bf16); }

#define HOLO_ROW_DOT(fn_name, call)                                                                  \
    void fn_name(int64_t n, const void* w, const void* x, size_t stride, int nt, float* out) {      \
        switch (nt) {                                                                                \
            case 1: call<1>(n, w, x, stride, out); break;                                            \
            case 2: call<2>(n, w, x, stride, out); break;                                            \
            case 3: call<3>(n, w, x, stride, out); break;                                            \
            default: call<4>(n, w, x, stride, out); break;                                           \
        }                                                                                            \
    }
HOLO_ROW_DOT(q4_0_rows, dot_q4_0)
HOLO_ROW_DOT(q8_0_rows, dot_q8_0)
HOLO_ROW_DOT(q4_1_rows, dot_q4_1)
HOLO_ROW_DOT(q5_0_rows, dot_q5_0)
HOLO_ROW_DOT(q5_1_rows, dot_q5_1)
HOLO_ROW_DOT(f32_rows, dot_f32)
HOLO_ROW_DOT(f16_rows, dot_f16)
HOLO_ROW_DOT(bf16_rows, dot_bf16)
#undef HOLO_ROW_DOT

// ---- activation converters ----

inline float abs_max(const float* x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
    __m128 r = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    r = _mm_max_ps(r, _mm_movehl_ps(r, r));
    r = _mm_max_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// round(x * id) of 16 values to int8 at dst (nearest even, saturating); returns their sum.
inline int quantize16(const float* x, __m256 id, int8_t* dst) {
    const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), id));
    const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), id));
    const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xd8);  // 16 int16 in order
    const __m128i w8 = _mm_packs_epi16(_mm256_castsi256_si128(w16), _mm256_extracti128_si256(w16, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), w8);
    const __m256i s = _mm256_add_epi32(a, b);
    __m128i r = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 0x4e));
    r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 0xb1));
    return _mm_cvtsi128_si32(r);
}

void convert_q8_0(const float* src, void* dst, int64_t n) {
    block_q8_0* y = static_cast<block_q8_0*>(dst);
    for (int64_t ib = 0; ib < n / 32; ++ib) {
        const float* xb = src + ib * 32;
        const float amax = abs_max(xb, 32);
        y[ib].d = to_f16(amax / 127.0f);
        const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
        quantize16(xb, id, y[ib].qs);
        quantize16(xb + 16, id, y[ib].qs + 16);
    }
}

void convert_q8_1(const float* src, void* dst, int64_t n) {
    block_q8_1* y = static_cast<block_q8_1*>(dst);
    for (int64_t ib = 0; ib < n / 32; ++ib) {
        const float* xb = src + ib * 32;
        const float amax = abs_max(xb, 32);
        const float d = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
        const int sum = quantize16(xb, id, y[ib].qs) + quantize16(xb + 16, id, y[ib].qs + 16);
        y[ib].d = to_f16(d);
        y[ib].s = to_f16(d * float(sum));
    }
}

// Same rule as quant/reference: scale from the signed extreme (first on ties).
void convert_q8_k(const float* src, void* dst, int64_t n) {
    block_q8_k* y = static_cast<block_q8_k*>(dst);
    for (int64_t ib = 0; ib < n / qk_k; ++ib) {
        const float* xb = src + ib * qk_k;
        const float amax = abs_max(xb, qk_k);
        block_q8_k& b = y[ib];
        if (amax == 0.0f) {
            std::memset(&b, 0, sizeof(b));
            continue;
        }
        float max = amax;
        for (int i = 0; i < qk_k; ++i) {
            if (xb[i] == amax || xb[i] == -amax) {
                max = xb[i];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m256 id = _mm256_set1_ps(iscale);
        for (int j = 0; j < qk_k / 16; ++j) b.bsums[j] = int16_t(quantize16(xb + 16 * j, id, b.qs + 16 * j));
        b.d = 1.0f / iscale;
    }
}

void convert_f32(const float* src, void* dst, int64_t n) { std::memcpy(dst, src, size_t(n) * sizeof(float)); }

void convert_f16(const float* src, void* dst, int64_t n) {
    uint16_t* y = static_cast<uint16_t*>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; ++i) y[i] = to_f16(src[i]);
}

}  // namespace

void fill_quant_dots_avx2(kernel_table& t) {
    static_assert(k_max_tokens_per_pass == 4, "the row-dot switches above instantiate 1..4 tokens");
    using T = tensor_type;
    const auto at = [](T type) { return static_cast<uint32_t>(type); };
    t.row_dot[at(T::q4_0)] = q4_0_rows;
    t.row_dot[at(T::q8_0)] = q8_0_rows;
    t.row_dot[at(T::q4_1)] = q4_1_rows;
    t.row_dot[at(T::q5_0)] = q5_0_rows;
    t.row_dot[at(T::q5_1)] = q5_1_rows;
    t.row_dot[at(T::f32)] = f32_rows;
    t.row_dot[at(T::f16)] = f16_rows;
    t.row_dot[at(T::bf16)] = bf16_rows;
    t.convert[at(T::q8_0)] = convert_q8_0;
    t.convert[at(T::q8_1)] = convert_q8_1;
    t.convert[at(T::q8_k)] = convert_q8_k;
    t.convert[at(T::f32)] = convert_f32;
    t.convert[at(T::f16)] = convert_f16;
}

}  // namespace holo
