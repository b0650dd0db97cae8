// Plain, slow, obviously-correct twins of the operations in kernels/cpu/cpu_ops.h
// (same meaning, same layouts). Matrix products dequantize the weight rows to f32
// with quant/reference and accumulate in double. Op tests hold the optimized
// kernels to these.
#pragma once

#include <cstdint>

#include "kernels/cpu/cpu_ops.h"

namespace holo::reference {

void matmul(const weight_matrix& w, const float* x, int64_t n_tokens, float* y);
void rms_norm(float* x, const float* weight, int64_t n, int64_t n_tokens, float eps);
void swiglu(const float* gate, const float* up, float* out, int64_t n);
void rope(float* x, int head_dim, int n_heads, int64_t pos, const rope_params& p);
void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int head_dim,
               int n_head, int n_head_kv, int64_t pos0, int64_t n_tokens, float scale);

}  // namespace holo::reference
