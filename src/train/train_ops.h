// Dense vector/matrix primitives the trainer's forward and backward passes share,
// for f32 (training: the engine's SIMD dot kernel) and f64 (gradient checks).
// Matrices are row-major as GGUF stores them: W [n_in, n_out] is n_out rows of n_in.
#pragma once

#include <cstdint>

#include "kernels/cpu/kernel_table.h"

namespace holo::train_ops {

inline double dot(const double* a, const double* b, int64_t n) {
    double s0 = 0, s1 = 0;
    int64_t i = 0;
    for (; i + 1 < n; i += 2) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
    }
    for (; i < n; ++i) s0 += a[i] * b[i];
    return s0 + s1;
}

inline float dot(const float* a, const float* b, int64_t n) {
    float out;
    active_kernels().dots(a, b, size_t(n), 1, n, &out);
    return out;
}

// y[o] = W[o] . x for o < n_out
inline void mat_vec(const double* w, const double* x, int64_t n_in, int64_t n_out, double* y) {
    for (int64_t o = 0; o < n_out; ++o) y[o] = dot(w + o * n_in, x, n_in);
}
inline void mat_vec(const float* w, const float* x, int64_t n_in, int64_t n_out, float* y) {
    active_kernels().dots(x, w, size_t(n_in), n_out, n_in, y);
}

template <typename T>
inline void axpy(T a, const T* x, T* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// dx += W^T dy
template <typename T>
inline void mat_t_vec_acc(const T* w, const T* dy, int64_t n_in, int64_t n_out, T* dx) {
    for (int64_t o = 0; o < n_out; ++o)
        if (dy[o] != T(0)) axpy(dy[o], w + o * n_in, dx, n_in);
}

// dW += dy x^T
template <typename T>
inline void outer_acc(T* dw, const T* dy, const T* x, int64_t n_in, int64_t n_out) {
    for (int64_t o = 0; o < n_out; ++o)
        if (dy[o] != T(0)) axpy(dy[o], x, dw + o * n_in, n_in);
}

}  // namespace holo::train_ops
