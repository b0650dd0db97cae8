// AVX-512 versions of the f32 primitives. Tails use masked loads, so any length works.
// Only intrinsics and file-local helpers here: an inline function shared with
// baseline files could be emitted with AVX-512 instructions and picked by the linker.
// GCC 12's AVX-512 headers trip -Wuninitialized inside their own _mm512_undefined_* uses.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cmath>

#include "kernels/cpu/kernel_table.h"

namespace holo {

namespace {

inline __mmask16 tail_mask(int64_t left) { return left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1); }

// exp(x) to ~2 ulp over the f32 range: 2^n * p(r), x = n ln2 + r, |r| <= ln2 / 2,
// p the degree-6 Taylor polynomial; scalef applies 2^n without overflow games.
inline __m512 exp512(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.72f)), _mm512_set1_ps(-104.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

inline float dot_one(const float* a, const float* b, int64_t d) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i < d; i += 16) {
        const __mmask16 m = tail_mask(d - i);
        s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

void dots(const float* q, const float* k, size_t k_stride, int64_t n_rows, int64_t d, float* out) {
    if (d == 128) {
        // The common head size: q stays in registers across rows.
        __m512 qv[8];
        for (int i = 0; i < 8; ++i) qv[i] = _mm512_loadu_ps(q + 16 * i);
        for (int64_t j = 0; j < n_rows; ++j) {
            const float* kr = k + j * k_stride;
            __m512 s0 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kr));
            __m512 s1 = _mm512_mul_ps(qv[1], _mm512_loadu_ps(kr + 16));
            for (int i = 2; i < 8; i += 2) {
                s0 = _mm512_fmadd_ps(qv[i], _mm512_loadu_ps(kr + 16 * i), s0);
                s1 = _mm512_fmadd_ps(qv[i + 1], _mm512_loadu_ps(kr + 16 * i + 16), s1);
            }
            out[j] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
        }
        return;
    }
    for (int64_t j = 0; j < n_rows; ++j) out[j] = dot_one(q, k + j * k_stride, d);
}

void weighted_sum(const float* p, const float* v, size_t v_stride, int64_t n_rows, int64_t d, float* acc) {
    for (int64_t i = 0; i < d; i += 64) {
        // 4 registers of acc live across all rows.
        __m512 a[4];
        __mmask16 m[4];
        for (int c = 0; c < 4; ++c) {
            const int64_t left = d - i - 16 * c;
            m[c] = left <= 0 ? __mmask16(0) : tail_mask(left);
            a[c] = _mm512_maskz_loadu_ps(m[c], acc + i + 16 * c);
        }
        for (int64_t j = 0; j < n_rows; ++j) {
            const __m512 pj = _mm512_set1_ps(p[j]);
            const float* vr = v + j * v_stride + i;
            for (int c = 0; c < 4; ++c) a[c] = _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(m[c], vr + 16 * c), a[c]);
        }
        for (int c = 0; c < 4; ++c) _mm512_mask_storeu_ps(acc + i + 16 * c, m[c], a[c]);
    }
}

float exp_sub_sum(float* x, int64_t n, float mx) {
    const __m512 mv = _mm512_set1_ps(mx);
    __m512 s = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        const __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), mv));
        _mm512_mask_storeu_ps(x + i, m, e);
        s = _mm512_mask_add_ps(s, m, s, e);
    }
    return _mm512_reduce_add_ps(s);
}

float max(const float* x, int64_t n) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        mv = _mm512_mask_max_ps(mv, m, mv, _mm512_maskz_loadu_ps(m, x + i));
    }
    return _mm512_reduce_max_ps(mv);
}

void scale(float* x, int64_t n, float a) {
    const __m512 av = _mm512_set1_ps(a);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), av));
    }
}

double sum_squares(const float* x, int64_t n) {
    // Squares in f32, sums in f64 lanes: f64 holds a sum of a few thousand f32
    // squares (almost always) exactly, so the lane order does not matter.
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
    for (int64_t i = 0; i < n; i += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(tail_mask(n - i), x + i);
        const __m512 sq = _mm512_mul_ps(v, v);
        s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(sq)));
        s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sq), 1))));
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
}

void scale_mul(float* x, const float* w, int64_t n, float s) {
    const __m512 sv = _mm512_set1_ps(s);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), sv);
        _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, w + i)));
    }
}

void swiglu(const float* g, const float* u, float* out, int64_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        const __m512 gv = _mm512_maskz_loadu_ps(m, g + i);
        const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), gv));
        const __m512 silu = _mm512_div_ps(gv, _mm512_add_ps(one, e));
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(m, u + i)));
    }
}

}  // namespace

void fill_vec_ops_avx512(kernel_table& t) {
    t.dots = dots;
    t.weighted_sum = weighted_sum;
    t.exp_sub_sum = exp_sub_sum;
    t.max = max;
    t.scale = scale;
    t.sum_squares = sum_squares;
    t.scale_mul = scale_mul;
    t.swiglu = swiglu;
}

}  // namespace holo
