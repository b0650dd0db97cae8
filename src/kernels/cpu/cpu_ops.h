// The optimized CPU operations the fast forward pass is built from. Each has a
// plain twin in kernels/reference/reference_ops.h with the same signature; op tests
// compare the two. The instruction set (AVX-512 / AVX2 / scalar) is chosen once at
// run time in cpu_features.cpp, never by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/tensor_type.h"

namespace holo {

class thread_pool;

// A 2-D weight in its file format: n_rows rows of n_cols elements, each row
// row_bytes long (rows are contiguous blocks of `type`).
struct weight_matrix {
    tensor_type type;
    const uint8_t* data;  // [n_cols, n_rows]
    int64_t n_cols;       // ne[0]
    int64_t n_rows;       // ne[1]
    size_t row_bytes;
};

// y = W x for n_tokens activations. x: [n_cols, n_tokens] f32, y: [n_rows, n_tokens] f32.
// Activations are quantized on the fly to W's vec_dot_type (Q8_0 / Q8_K).
void matmul(const weight_matrix& w, const float* x, int64_t n_tokens, float* y, thread_pool& pool);

// Activations converted once to a weight type's vec_dot_type, so one input can feed
// several matmuls (q, k, v; the gate and up of every expert) without re-quantizing.
struct quantized_activations {
    tensor_type type = tensor_type::f32;  // the vec_dot_type
    int64_t n_cols = 0;
    int64_t n_tokens = 0;
    size_t row_bytes = 0;                 // bytes of one token's row
    std::vector<uint8_t> data;            // [row_bytes, n_tokens]; reused across calls
    const uint8_t* row(int64_t t) const { return data.data() + t * row_bytes; }
};

// x: [n_cols, n_tokens] f32. n_cols must be a multiple of vec_dot_type's block size.
// With a pool, large batches are converted in parallel.
void quantize_activations(tensor_type vec_dot_type, const float* x, int64_t n_cols, int64_t n_tokens,
                          quantized_activations& out, thread_pool* pool = nullptr);

// One product of a batch: y = W x over n_tokens rows of prepared activations.
// Token t uses activation row (token_rows ? token_rows[t] : t) of x, so the MoE block
// can quantize a layer's input once and hand each expert the ids of its tokens.
struct matmul_task {
    weight_matrix w;
    const quantized_activations* x = nullptr;  // type must be w's vec_dot_type
    const int32_t* token_rows = nullptr;       // [n_tokens] or null
    int64_t n_tokens = 0;
    float* y = nullptr;                        // [w.n_rows, n_tokens]
};

// Runs all tasks in one parallel region (one wake-up of the pool for, e.g., the gate
// and up projections of every active expert of a layer); rows are shared out
// dynamically across the pool's threads.
void matmul_batch(const matmul_task* tasks, int64_t n_tasks, thread_pool& pool);

// In-place RMSNorm of n_tokens rows of n: x = x / sqrt(mean(x^2) + eps) * weight.
void rms_norm(float* x, const float* weight, int64_t n, int64_t n_tokens, float eps);

// out = silu(gate) * up, elementwise over n values.
void swiglu(const float* gate, const float* up, float* out, int64_t n);

// Rotary embedding in place over x: [head_dim, n_heads] for one token at `pos`.
// neox = true rotates pairs (i, i + n_rot/2); false rotates pairs (2i, 2i+1).
struct rope_params {
    int n_rot;            // dimensions rotated (<= head_dim)
    bool neox;
    float freq_base;
    float freq_scale;     // 1 / linear scaling factor
    // YaRN (used when ext_factor != 0)
    int n_ctx_orig = 0;
    float ext_factor = 0.0f;
    float attn_factor = 1.0f;
    float beta_fast = 32.0f;
    float beta_slow = 1.0f;
};
void rope(float* x, int head_dim, int n_heads, int64_t pos, const rope_params& p);

// Causal grouped-query attention for n_tokens new queries at positions
// [pos0, pos0 + n_tokens) over a KV cache holding positions [0, pos0 + n_tokens).
// q: [head_dim, n_head, n_tokens]; k_cache, v_cache: [head_dim, n_head_kv, n_ctx] f32
// (row for position p at p * head_dim * n_head_kv); out: [head_dim, n_head, n_tokens].
void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int head_dim,
               int n_head, int n_head_kv, int64_t pos0, int64_t n_tokens, float scale, thread_pool& pool);

}  // namespace holo
