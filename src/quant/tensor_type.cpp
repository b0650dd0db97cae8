#include "quant/tensor_type.h"

#include <array>
#include <cctype>

#include "core/checked_math.h"
#include "core/error.h"
#include "quant/reference.h"

namespace holo {

namespace {

using T = tensor_type;

// Sizes follow ggml's block structs (quant/block_formats.h static_asserts them).
// q8_1 and q8_K are activation formats: they only ever appear as the right-hand
// side of another type's dot product, so their vec_dot is nullptr.
const std::array<type_traits, 15> k_traits = {{
    {"f32", 1, 4, false, T::f32, dequantize_row_f32, quantize_row_f32, vec_dot_f32_f32},
    {"f16", 1, 2, false, T::f16, dequantize_row_f16, quantize_row_f16, vec_dot_f16_f16},
    {"q4_0", 32, 18, true, T::q8_0, dequantize_row_q4_0, quantize_row_q4_0, vec_dot_q4_0_q8_0},
    {"q4_1", 32, 20, true, T::q8_1, dequantize_row_q4_1, quantize_row_q4_1, vec_dot_q4_1_q8_1},
    {"q5_0", 32, 22, true, T::q8_0, dequantize_row_q5_0, quantize_row_q5_0, vec_dot_q5_0_q8_0},
    {"q5_1", 32, 24, true, T::q8_1, dequantize_row_q5_1, quantize_row_q5_1, vec_dot_q5_1_q8_1},
    {"q8_0", 32, 34, true, T::q8_0, dequantize_row_q8_0, quantize_row_q8_0, vec_dot_q8_0_q8_0},
    {"q8_1", 32, 36, true, T::q8_1, dequantize_row_q8_1, quantize_row_q8_1, nullptr},
    {"q2_K", 256, 84, true, T::q8_k, dequantize_row_q2_k, quantize_row_q2_k, vec_dot_q2_k_q8_k},
    {"q3_K", 256, 110, true, T::q8_k, dequantize_row_q3_k, quantize_row_q3_k, vec_dot_q3_k_q8_k},
    {"q4_K", 256, 144, true, T::q8_k, dequantize_row_q4_k, quantize_row_q4_k, vec_dot_q4_k_q8_k},
    {"q5_K", 256, 176, true, T::q8_k, dequantize_row_q5_k, quantize_row_q5_k, vec_dot_q5_k_q8_k},
    {"q6_K", 256, 210, true, T::q8_k, dequantize_row_q6_k, quantize_row_q6_k, vec_dot_q6_k_q8_k},
    {"q8_K", 256, 292, true, T::q8_k, dequantize_row_q8_k, quantize_row_q8_k, nullptr},
    {"bf16", 1, 2, false, T::bf16, dequantize_row_bf16, quantize_row_bf16, vec_dot_bf16_bf16},
}};

constexpr std::array<T, 15> k_types = {T::f32, T::f16, T::q4_0, T::q4_1, T::q5_0, T::q5_1, T::q8_0, T::q8_1,
                                       T::q2_k, T::q3_k, T::q4_k, T::q5_k, T::q6_k, T::q8_k, T::bf16};

int index_of(uint32_t raw) {
    for (size_t i = 0; i < k_types.size(); ++i) {
        if (static_cast<uint32_t>(k_types[i]) == raw) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace

bool is_supported_type(uint32_t raw) { return index_of(raw) >= 0; }

const type_traits& traits_of(tensor_type t) {
    int i = index_of(static_cast<uint32_t>(t));
    HOLO_ASSERT(i >= 0, "traits_of: unsupported tensor type (validate with is_supported_type)");
    return k_traits[i];
}

std::optional<tensor_type> type_from_name(std::string_view name) {
    for (size_t i = 0; i < k_traits.size(); ++i) {
        std::string_view n = k_traits[i].name;
        if (n.size() != name.size()) continue;
        bool eq = true;
        for (size_t j = 0; j < n.size() && eq; ++j) {
            eq = std::tolower(static_cast<unsigned char>(n[j])) == std::tolower(static_cast<unsigned char>(name[j]));
        }
        if (eq) return k_types[i];
    }
    return std::nullopt;
}

std::optional<uint64_t> row_bytes(tensor_type t, uint64_t n) {
    const type_traits& tr = traits_of(t);
    if (n % tr.block_size != 0) return std::nullopt;
    return checked_mul(n / tr.block_size, tr.block_bytes);
}

}  // namespace holo
