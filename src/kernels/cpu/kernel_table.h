// The one table of per-instruction-set kernels behind cpu_ops.h. Each *_avx2.cpp /
// *_avx512.cpp file fills the entries it has on top of the lower level's, so a
// missing SIMD kernel falls back to the next level and finally to the quant
// reference. active_kernels() picks the table for active_cpu_isa().
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/cpu/cpu_features.h"

namespace holo {

// A weight row is dotted with up to this many activation rows per pass, so its bytes
// are loaded (and unpacked) once for several tokens.
inline constexpr int k_max_tokens_per_pass = 4;

// out[t] = dot(w_row, x + t * x_stride) for t < n_tok (1 .. k_max_tokens_per_pass).
// w_row: [n_cols] in the weight type; x rows: [n_cols] in its vec_dot_type.
using row_dot_fn = void (*)(int64_t n_cols, const void* w_row, const void* x, size_t x_stride, int n_tok,
                            float* out);
// out[t] = dot(w_row, x_rows[t]) for any n_tok: the row is unpacked once for all of
// them (batches: prefill, an expert several tokens chose). x_rows need not be evenly
// spaced.
using row_dot_many_fn = void (*)(int64_t n_cols, const void* w_row, const void* const* x_rows, int64_t n_tok,
                                 float* out);
// Rows [0, n_rows <= k_tile_rows) of w (rows row_bytes apart) times every token:
// y[t * y_stride + r]. For large batches, where processing rows side by side pays.
inline constexpr int k_tile_rows = 16;
// Below ~15 tokens building the interleaved copy costs more than it saves (measured).
inline constexpr int64_t k_tile_min_tokens = 24;
using row_tile_fn = void (*)(int64_t n_cols, const uint8_t* w, size_t row_bytes, int n_rows,
                             const void* const* x_rows, int64_t n_tok, float* y, int64_t y_stride);
// Quantizes / converts n floats (a multiple of the block size) to an activation format.
using convert_fn = void (*)(const float* src, void* dst, int64_t n);

inline constexpr int k_type_slots = 32;  // tensor_type values are < 32

struct kernel_table {
    cpu_isa isa = cpu_isa::scalar;
    row_dot_fn row_dot[k_type_slots] = {};  // by weight type; null: traits.vec_dot per token
    row_dot_many_fn row_dot_many[k_type_slots] = {};  // by weight type; null: row_dot in passes
    row_tile_fn row_tile[k_type_slots] = {};          // by weight type; null: row_dot_many / row_dot
    convert_fn convert[k_type_slots] = {};  // by activation type; null: traits.quantize_row

    // Attention / norm primitives, all over contiguous f32.
    // out[j] = dot(q, k + j * k_stride) for j < n_rows; q, k rows: [d].
    void (*dots)(const float* q, const float* k, size_t k_stride, int64_t n_rows, int64_t d, float* out) = nullptr;
    // acc += sum_j p[j] * (v + j * v_stride) for j < n_rows; acc, v rows: [d].
    void (*weighted_sum)(const float* p, const float* v, size_t v_stride, int64_t n_rows, int64_t d,
                         float* acc) = nullptr;
    // x[i] = exp(x[i] - m); returns the sum of the new x.
    float (*exp_sub_sum)(float* x, int64_t n, float m) = nullptr;
    float (*max)(const float* x, int64_t n) = nullptr;
    void (*scale)(float* x, int64_t n, float a) = nullptr;
    // sum of x[i]^2: each square rounded to f32, then added in f64 (as llama.cpp's
    // rms_norm does, so the norm's output matches it bit for bit).
    double (*sum_squares)(const float* x, int64_t n) = nullptr;
    // x[i] = x[i] * s * w[i]
    void (*scale_mul)(float* x, const float* w, int64_t n, float s) = nullptr;
    // out[i] = silu(g[i]) * u[i]
    void (*swiglu)(const float* g, const float* u, float* out, int64_t n) = nullptr;
};

const kernel_table& active_kernels();
const kernel_table& kernels_for(cpu_isa isa);  // clamped to best_cpu_isa()

// Fillers, one per file (called once, lowest level first).
void fill_vec_ops_scalar(kernel_table& t);
void fill_vec_ops_avx2(kernel_table& t);
void fill_vec_ops_avx512(kernel_table& t);
void fill_quant_dots_avx2(kernel_table& t);
void fill_quant_dots_avx512(kernel_table& t);
void fill_kquant_dots_avx2(kernel_table& t);
void fill_kquant_dots_avx512(kernel_table& t);
void fill_tile_kernels_avx512(kernel_table& t);

}  // namespace holo
