// Portable versions of the f32 primitives (baseline x86-64 / any CPU); the compiler
// vectorizes what it can with SSE2.
#include <cmath>

#include "kernels/cpu/kernel_table.h"

namespace holo {

namespace {

void dots(const float* q, const float* k, size_t k_stride, int64_t n_rows, int64_t d, float* out) {
    for (int64_t j = 0; j < n_rows; ++j) {
        const float* kr = k + j * k_stride;
        float s = 0.0f;
        for (int64_t i = 0; i < d; ++i) s += q[i] * kr[i];
        out[j] = s;
    }
}

void weighted_sum(const float* p, const float* v, size_t v_stride, int64_t n_rows, int64_t d, float* acc) {
    for (int64_t j = 0; j < n_rows; ++j) {
        const float* vr = v + j * v_stride;
        const float pj = p[j];
        for (int64_t i = 0; i < d; ++i) acc[i] += pj * vr[i];
    }
}

float exp_sub_sum(float* x, int64_t n, float m) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - m);
        s += x[i];
    }
    return s;
}

float max(const float* x, int64_t n) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
}

void scale(float* x, int64_t n, float a) {
    for (int64_t i = 0; i < n; ++i) x[i] *= a;
}

double sum_squares(const float* x, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += double(x[i] * x[i]);
    return s;
}

void scale_mul(float* x, const float* w, int64_t n, float s) {
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * s * w[i];
}

void swiglu(const float* g, const float* u, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

}  // namespace

void fill_vec_ops_scalar(kernel_table& t) {
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
