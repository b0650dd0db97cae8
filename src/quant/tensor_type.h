// The tensor element types of GGUF, numbered exactly as ggml numbers them, and the
// traits table every other module reads (block size, bytes per block, reference
// conversions, which activation format a type's dot product pairs with).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace holo {

enum class tensor_type : uint32_t {
    f32 = 0,
    f16 = 1,
    q4_0 = 2,
    q4_1 = 3,
    q5_0 = 6,
    q5_1 = 7,
    q8_0 = 8,
    q8_1 = 9,
    q2_k = 10,
    q3_k = 11,
    q4_k = 12,
    q5_k = 13,
    q6_k = 14,
    q8_k = 15,
    bf16 = 30,
};

// Reference (scalar, slow, obviously-correct) conversions. `n` is a multiple of the
// type's block size. Quantize writes n / block_size blocks.
using dequantize_row_fn = void (*)(const void* src, float* dst, int64_t n);
using quantize_row_fn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of a row of this type with a row of `vec_dot_type` (the activation
// format the optimized kernels quantize activations into), n elements.
using vec_dot_fn = float (*)(int64_t n, const void* x, const void* y);

struct type_traits {
    std::string_view name;     // ggml's name: "q4_K", "f16", ...
    int64_t block_size;        // elements per block (1 for f32/f16/bf16)
    size_t block_bytes;        // bytes per block
    bool is_quantized;
    tensor_type vec_dot_type;  // f32 pairs with f32, f16 with f16, q*_0/1 with q8_0/q8_1, k-quants with q8_k
    dequantize_row_fn dequantize_row;
    quantize_row_fn quantize_row;
    vec_dot_fn vec_dot;
};

// True when `raw` is one of the types above (values read from files are untrusted).
bool is_supported_type(uint32_t raw);

// Traits of a supported type; asserts on others (validate with is_supported_type first).
const type_traits& traits_of(tensor_type t);

// By ggml's name, case-insensitive ("q4_k", "Q4_K", "bf16").
std::optional<tensor_type> type_from_name(std::string_view name);

inline std::string_view type_name(tensor_type t) { return traits_of(t).name; }

// Bytes of a row of n elements, or nullopt when n is not a multiple of the block
// size or the product overflows.
std::optional<uint64_t> row_bytes(tensor_type t, uint64_t n);

}  // namespace holo
