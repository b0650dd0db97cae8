// AVX-512 kernels for the 32-element block types (q4_0, q4_1, q5_0, q5_1, q8_0, two
// blocks per zmm), the float types (F16C and AVX512-BF16 dot products), and the
// activation converters (q8_0 / q8_1 / q8_K quantization, f16 / bf16 narrowing).
// GCC 12's AVX-512 headers trip -Wuninitialized inside their own _mm512_undefined_* uses.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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

inline __m512 pair_scale(float a, float b) { return _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(a), _mm512_set1_ps(b)); }

// The 32 quants of blocks a and b (b may be a itself for an odd tail; its lanes are
// then given scale 0) as 64 bytes: [a 0..31, b 0..31]. For 4-bit types these are the
// low nibbles (elements 0-15) then the high nibbles (16-31).
inline __m512i nibbles_pair(const uint8_t* qa, const uint8_t* qb) {
    const __m256i a = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qa)));
    const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qb)));
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
    return _mm512_and_si512(_mm512_srlv_epi64(both, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0)), _mm512_set1_epi8(0x0f));
}

inline __m512i bytes_pair(const int8_t* qa, const int8_t* qb) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qa));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qb));
    return _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
}

// Bit 4 of each element from q5's 32-bit qh fields.
inline __m512i high_bits_pair(const uint8_t* qha, const uint8_t* qhb) {
    uint32_t a, b;
    std::memcpy(&a, qha, 4);
    std::memcpy(&b, qhb, 4);
    return _mm512_maskz_mov_epi8(__mmask64(a) | (__mmask64(b) << 32), _mm512_set1_epi8(0x10));
}

// Legacy types share one loop: W decodes a pair of weight blocks to unsigned quants
// plus their offset (8 or 16 for the symmetric types) or min.
enum class legacy { q4_0, q4_1, q5_0, q5_1, q8_0 };

template <legacy L>
struct legacy_traits;
template <>
struct legacy_traits<legacy::q4_0> { using W = block_q4_0; using Y = block_q8_0; static constexpr int offset = 8; };
template <>
struct legacy_traits<legacy::q5_0> { using W = block_q5_0; using Y = block_q8_0; static constexpr int offset = 16; };
template <>
struct legacy_traits<legacy::q4_1> { using W = block_q4_1; using Y = block_q8_1; static constexpr int offset = 0; };
template <>
struct legacy_traits<legacy::q5_1> { using W = block_q5_1; using Y = block_q8_1; static constexpr int offset = 0; };
template <>
struct legacy_traits<legacy::q8_0> { using W = block_q8_0; using Y = block_q8_0; static constexpr int offset = 0; };

template <legacy L, int NT>
void dot_legacy(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    using W = typename legacy_traits<L>::W;
    using Y = typename legacy_traits<L>::Y;
    const W* w = static_cast<const W*>(w_row);
    const int64_t nb = n / 32;
    const __m512i ones = _mm512_set1_epi8(1);
    __m512 acc[NT];
    float acc_min[NT];
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = 0.0f;
    }
    for (int64_t ib = 0; ib < nb; ib += 2) {
        const bool two = ib + 1 < nb;
        const W& a = w[ib];
        const W& b = w[two ? ib + 1 : ib];
        __m512i q;
        __mmask64 neg = 0;
        if constexpr (L == legacy::q8_0) {
            // Signed x signed: |w| times y with w's sign moved onto y.
            const __m512i raw = bytes_pair(a.qs, b.qs);
            neg = _mm512_movepi8_mask(raw);
            q = _mm512_abs_epi8(raw);
        } else if constexpr (L == legacy::q4_0 || L == legacy::q4_1) {
            q = nibbles_pair(a.qs, b.qs);
        } else {
            q = _mm512_or_si512(nibbles_pair(a.qs, b.qs), high_bits_pair(a.qh, b.qh));
        }
        const float da = f16(a.d), db = two ? f16(b.d) : 0.0f;
        for (int t = 0; t < NT; ++t) {
            const Y* yr = act_row<Y>(x, stride, t);
            const Y& ya = yr[ib];
            const Y& yb = yr[two ? ib + 1 : ib];
            __m512i yv = bytes_pair(ya.qs, yb.qs);
            if constexpr (L == legacy::q8_0) yv = _mm512_mask_sub_epi8(yv, neg, _mm512_setzero_si512(), yv);
            __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q, yv);
            if constexpr (legacy_traits<L>::offset != 0) {
                const __m512i sy = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ones, yv);
                s = _mm512_sub_epi32(s, _mm512_mullo_epi32(sy, _mm512_set1_epi32(legacy_traits<L>::offset)));
            }
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), pair_scale(da * f16(ya.d), db * f16(yb.d)), acc[t]);
            if constexpr (L == legacy::q4_1 || L == legacy::q5_1) {
                acc_min[t] += f16(a.m) * f16(ya.s) + (two ? f16(b.m) * f16(yb.s) : 0.0f);
            }
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) + acc_min[t];
}

// ---- float weights ----

inline __mmask16 tail16(int64_t left) { return left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1); }
inline __mmask32 tail32(int64_t left) { return left >= 32 ? __mmask32(0xffffffffu) : __mmask32((1u << left) - 1); }

template <int NT>
void dot_f32(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const float* w = static_cast<const float*>(w_row);
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail16(n - i);
        const __m512 wv = _mm512_maskz_loadu_ps(m, w + i);
        for (int t = 0; t < NT; ++t) {
            acc[t] = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, act_row<float>(x, stride, t) + i), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
}

template <int NT>
void dot_f16(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const uint16_t* w = static_cast<const uint16_t*>(w_row);
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail16(n - i);
        const __m512 wv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, w + i));
        for (int t = 0; t < NT; ++t) {
            const __m512 xv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, act_row<uint16_t>(x, stride, t) + i));
            acc[t] = _mm512_fmadd_ps(wv, xv, acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
}

template <int NT>
void dot_bf16(int64_t n, const void* w_row, const void* x, size_t stride, float* out) {
    const uint16_t* w = static_cast<const uint16_t*>(w_row);
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 32) {
        const __mmask32 m = tail32(n - i);
        const __m512bh wv = (__m512bh)_mm512_maskz_loadu_epi16(m, w + i);
        for (int t = 0; t < NT; ++t) {
            const __m512bh xv = (__m512bh)_mm512_maskz_loadu_epi16(m, act_row<uint16_t>(x, stride, t) + i);
            acc[t] = _mm512_dpbf16_ps(acc[t], wv, xv);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
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
template <int NT> void dot_q4_0(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_legacy<legacy::q4_0, NT>(n, w, x, s, o); }
template <int NT> void dot_q4_1(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_legacy<legacy::q4_1, NT>(n, w, x, s, o); }
template <int NT> void dot_q5_0(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_legacy<legacy::q5_0, NT>(n, w, x, s, o); }
template <int NT> void dot_q5_1(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_legacy<legacy::q5_1, NT>(n, w, x, s, o); }
template <int NT> void dot_q8_0(int64_t n, const void* w, const void* x, size_t s, float* o) { dot_legacy<legacy::q8_0, NT>(n, w, x, s, o); }
HOLO_ROW_DOT(q4_0_rows, dot_q4_0)
HOLO_ROW_DOT(q4_1_rows, dot_q4_1)
HOLO_ROW_DOT(q5_0_rows, dot_q5_0)
HOLO_ROW_DOT(q5_1_rows, dot_q5_1)
HOLO_ROW_DOT(q8_0_rows, dot_q8_0)
HOLO_ROW_DOT(f32_rows, dot_f32)
HOLO_ROW_DOT(f16_rows, dot_f16)
HOLO_ROW_DOT(bf16_rows, dot_bf16)
#undef HOLO_ROW_DOT

// ---- activation converters ----

inline float abs_max(const float* x, int n) {
    __m512 m = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
    return _mm512_reduce_max_ps(m);
}

// round(x * id) to int32 lanes and saturated int8 bytes at dst; returns the lanes' sum.
inline int quantize16(const float* x, __m512 id, int8_t* dst) {
    const __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x), id));  // nearest even
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtsepi32_epi8(v));
    return _mm512_reduce_add_epi32(v);
}

// As llama.cpp's x86 q8_0 / q8_1: d = amax / 127, q = round(x * 127 / amax).
void convert_q8_0(const float* src, void* dst, int64_t n) {
    block_q8_0* y = static_cast<block_q8_0*>(dst);
    for (int64_t ib = 0; ib < n / 32; ++ib) {
        const float* xb = src + ib * 32;
        const float amax = abs_max(xb, 32);
        y[ib].d = to_f16(amax / 127.0f);
        const __m512 id = _mm512_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
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
        const __m512 id = _mm512_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
        const int sum = quantize16(xb, id, y[ib].qs) + quantize16(xb + 16, id, y[ib].qs + 16);
        y[ib].d = to_f16(d);
        y[ib].s = to_f16(d * float(sum));
    }
}

// As quant/reference (and llama.cpp): scale by -127 / (the signed value of largest
// magnitude, first one on ties), d = its inverse, bsums per 16.
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
        const __m512 am = _mm512_set1_ps(amax);
        for (int i = 0; i < qk_k; i += 16) {
            const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(xb + i)), am, _CMP_EQ_OQ);
            if (hit) {
                max = xb[i + __builtin_ctz(hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m512 id = _mm512_set1_ps(iscale);
        for (int j = 0; j < qk_k / 16; ++j) b.bsums[j] = int16_t(quantize16(xb + 16 * j, id, b.qs + 16 * j));
        b.d = 1.0f / iscale;
    }
}

void convert_f32(const float* src, void* dst, int64_t n) { std::memcpy(dst, src, size_t(n) * sizeof(float)); }

void convert_f16(const float* src, void* dst, int64_t n) {
    uint16_t* y = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail16(n - i);
        _mm256_mask_storeu_epi16(y + i, m, _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, src + i), _MM_FROUND_TO_NEAREST_INT));
    }
}

void convert_bf16(const float* src, void* dst, int64_t n) {
    uint16_t* y = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail16(n - i);
        const __m256i v = (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src + i));
        _mm256_mask_storeu_epi16(y + i, m, v);
    }
}

}  // namespace

void fill_quant_dots_avx512(kernel_table& t) {
    static_assert(k_max_tokens_per_pass == 4, "the row-dot switches above instantiate 1..4 tokens");
    using T = tensor_type;
    const auto at = [](T type) { return static_cast<uint32_t>(type); };
    t.row_dot[at(T::q4_0)] = q4_0_rows;
    t.row_dot[at(T::q4_1)] = q4_1_rows;
    t.row_dot[at(T::q5_0)] = q5_0_rows;
    t.row_dot[at(T::q5_1)] = q5_1_rows;
    t.row_dot[at(T::q8_0)] = q8_0_rows;
    t.row_dot[at(T::f32)] = f32_rows;
    t.row_dot[at(T::f16)] = f16_rows;
    t.row_dot[at(T::bf16)] = bf16_rows;
    t.convert[at(T::q8_0)] = convert_q8_0;
    t.convert[at(T::q8_1)] = convert_q8_1;
    t.convert[at(T::q8_k)] = convert_q8_k;
    t.convert[at(T::f32)] = convert_f32;
    t.convert[at(T::f16)] = convert_f16;
    t.convert[at(T::bf16)] = convert_bf16;
}

}  // namespace holo
