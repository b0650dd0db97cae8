// Reference (scalar) quantize / dequantize / dot for every block format. Slow and
// plain on purpose: the optimized kernels in kernels/cpu are tested against these,
// and these are tested against llama.cpp (tests/oracle). n is a multiple of the
// block size; dot products take y in the type's vec_dot_type. Quantize expects finite
// inputs (as ggml's does). Dequantize is bit-identical to llama.cpp's; quantize gave
// blocks byte-identical to its quantize_row_*_ref on every data set tried
// (docs/quantization.md). q8_1 and q8_K are activation formats: no dot product takes
// them on the left.
#pragma once

#include <cstdint>

namespace holo {

#define HOLO_DECLARE_REF(t)                                      \
    void dequantize_row_##t(const void* src, float* dst, int64_t n); \
    void quantize_row_##t(const float* src, void* dst, int64_t n);

HOLO_DECLARE_REF(f32)
HOLO_DECLARE_REF(f16)
HOLO_DECLARE_REF(bf16)
HOLO_DECLARE_REF(q4_0)
HOLO_DECLARE_REF(q4_1)
HOLO_DECLARE_REF(q5_0)
HOLO_DECLARE_REF(q5_1)
HOLO_DECLARE_REF(q8_0)
HOLO_DECLARE_REF(q8_1)
HOLO_DECLARE_REF(q2_k)
HOLO_DECLARE_REF(q3_k)
HOLO_DECLARE_REF(q4_k)
HOLO_DECLARE_REF(q5_k)
HOLO_DECLARE_REF(q6_k)
HOLO_DECLARE_REF(q8_k)
#undef HOLO_DECLARE_REF

float vec_dot_f32_f32(int64_t n, const void* x, const void* y);
float vec_dot_f16_f16(int64_t n, const void* x, const void* y);
float vec_dot_bf16_bf16(int64_t n, const void* x, const void* y);
float vec_dot_q4_0_q8_0(int64_t n, const void* x, const void* y);
float vec_dot_q4_1_q8_1(int64_t n, const void* x, const void* y);
float vec_dot_q5_0_q8_0(int64_t n, const void* x, const void* y);
float vec_dot_q5_1_q8_1(int64_t n, const void* x, const void* y);
float vec_dot_q8_0_q8_0(int64_t n, const void* x, const void* y);
float vec_dot_q2_k_q8_k(int64_t n, const void* x, const void* y);
float vec_dot_q3_k_q8_k(int64_t n, const void* x, const void* y);
float vec_dot_q4_k_q8_k(int64_t n, const void* x, const void* y);
float vec_dot_q5_k_q8_k(int64_t n, const void* x, const void* y);
float vec_dot_q6_k_q8_k(int64_t n, const void* x, const void* y);

}  // namespace holo
