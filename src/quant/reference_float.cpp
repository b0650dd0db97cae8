// Reference conversions and dot products for the unquantized types f32, f16, bf16.
// Dot products accumulate each f32 product in double, as ggml's scalar path does.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cstring>

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/reference.h"

namespace holo {

void dequantize_row_f32(const void* src, float* dst, int64_t n) {
    std::memcpy(dst, src, size_t(n) * sizeof(float));
}

void quantize_row_f32(const float* src, void* dst, int64_t n) {
    std::memcpy(dst, src, size_t(n) * sizeof(float));
}

void dequantize_row_f16(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_f16*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(x[i].bits);
}

void quantize_row_f16(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_f16*>(dst);
    for (int64_t i = 0; i < n; ++i) y[i].bits = f32_to_f16(src[i]);
}

void dequantize_row_bf16(const void* src, float* dst, int64_t n) {
    const auto* x = static_cast<const block_bf16*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(x[i].bits);
}

void quantize_row_bf16(const float* src, void* dst, int64_t n) {
    auto* y = static_cast<block_bf16*>(dst);
    for (int64_t i = 0; i < n; ++i) y[i].bits = f32_to_bf16(src[i]);
}

float vec_dot_f32_f32(int64_t n, const void* x, const void* y) {
    const auto* a = static_cast<const float*>(x);
    const auto* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += double(a[i] * b[i]);
    return float(sum);
}

float vec_dot_f16_f16(int64_t n, const void* x, const void* y) {
    const auto* a = static_cast<const block_f16*>(x);
    const auto* b = static_cast<const block_f16*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += double(f16_to_f32(a[i].bits) * f16_to_f32(b[i].bits));
    return float(sum);
}

float vec_dot_bf16_bf16(int64_t n, const void* x, const void* y) {
    const auto* a = static_cast<const block_bf16*>(x);
    const auto* b = static_cast<const block_bf16*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += double(bf16_to_f32(a[i].bits) * bf16_to_f32(b[i].bits));
    return float(sum);
}

}  // namespace holo
