// The traits table agrees with the block structs and with ggml's names, numbering,
// block sizes and activation pairings.
#include <gtest/gtest.h>

#include <cstddef>

#include "quant/block_formats.h"
#include "quant/tensor_type.h"
#include "quant_test_helpers.h"

namespace holo {
namespace {

struct expected_traits {
    tensor_type type;
    uint32_t ggml_id;
    const char* name;
    int64_t block_size;
    size_t block_bytes;
    bool quantized;
    tensor_type vec_dot_type;
    bool has_vec_dot;
};

// Sizes written out from the ggml layouts (not from sizeof), so the static_asserts in
// block_formats.h and this table check each other.
const expected_traits k_expected[] = {
    {tensor_type::f32, 0, "f32", 1, 4, false, tensor_type::f32, true},
    {tensor_type::f16, 1, "f16", 1, 2, false, tensor_type::f16, true},
    {tensor_type::q4_0, 2, "q4_0", 32, 18, true, tensor_type::q8_0, true},
    {tensor_type::q4_1, 3, "q4_1", 32, 20, true, tensor_type::q8_1, true},
    {tensor_type::q5_0, 6, "q5_0", 32, 22, true, tensor_type::q8_0, true},
    {tensor_type::q5_1, 7, "q5_1", 32, 24, true, tensor_type::q8_1, true},
    {tensor_type::q8_0, 8, "q8_0", 32, 34, true, tensor_type::q8_0, true},
    // q8_1 and q8_K are activation formats: nothing is multiplied *as* them, so no vec_dot.
    {tensor_type::q8_1, 9, "q8_1", 32, 36, true, tensor_type::q8_1, false},
    {tensor_type::q2_k, 10, "q2_K", 256, 84, true, tensor_type::q8_k, true},
    {tensor_type::q3_k, 11, "q3_K", 256, 110, true, tensor_type::q8_k, true},
    {tensor_type::q4_k, 12, "q4_K", 256, 144, true, tensor_type::q8_k, true},
    {tensor_type::q5_k, 13, "q5_K", 256, 176, true, tensor_type::q8_k, true},
    {tensor_type::q6_k, 14, "q6_K", 256, 210, true, tensor_type::q8_k, true},
    {tensor_type::q8_k, 15, "q8_K", 256, 292, true, tensor_type::q8_k, false},
    {tensor_type::bf16, 30, "bf16", 1, 2, false, tensor_type::bf16, true},
};

TEST(quant_traits, table_matches_ggml) {
    ASSERT_EQ(std::size(k_expected), test::all_types().size());
    for (const expected_traits& e : k_expected) {
        SCOPED_TRACE(e.name);
        EXPECT_EQ(static_cast<uint32_t>(e.type), e.ggml_id);
        EXPECT_TRUE(is_supported_type(e.ggml_id));
        const type_traits& tr = traits_of(e.type);
        EXPECT_EQ(tr.name, e.name);
        EXPECT_EQ(type_name(e.type), e.name);
        EXPECT_EQ(tr.block_size, e.block_size);
        EXPECT_EQ(tr.block_bytes, e.block_bytes);
        EXPECT_EQ(tr.is_quantized, e.quantized);
        EXPECT_EQ(tr.vec_dot_type, e.vec_dot_type);
        EXPECT_NE(tr.dequantize_row, nullptr);
        EXPECT_NE(tr.quantize_row, nullptr);
        EXPECT_EQ(tr.vec_dot != nullptr, e.has_vec_dot);
    }
}

TEST(quant_traits, block_structs_have_ggml_sizes) {
    EXPECT_EQ(sizeof(block_f16), traits_of(tensor_type::f16).block_bytes);
    EXPECT_EQ(sizeof(block_bf16), traits_of(tensor_type::bf16).block_bytes);
    EXPECT_EQ(sizeof(block_q4_0), traits_of(tensor_type::q4_0).block_bytes);
    EXPECT_EQ(sizeof(block_q4_1), traits_of(tensor_type::q4_1).block_bytes);
    EXPECT_EQ(sizeof(block_q5_0), traits_of(tensor_type::q5_0).block_bytes);
    EXPECT_EQ(sizeof(block_q5_1), traits_of(tensor_type::q5_1).block_bytes);
    EXPECT_EQ(sizeof(block_q8_0), traits_of(tensor_type::q8_0).block_bytes);
    EXPECT_EQ(sizeof(block_q8_1), traits_of(tensor_type::q8_1).block_bytes);
    EXPECT_EQ(sizeof(block_q2_k), traits_of(tensor_type::q2_k).block_bytes);
    EXPECT_EQ(sizeof(block_q3_k), traits_of(tensor_type::q3_k).block_bytes);
    EXPECT_EQ(sizeof(block_q4_k), traits_of(tensor_type::q4_k).block_bytes);
    EXPECT_EQ(sizeof(block_q5_k), traits_of(tensor_type::q5_k).block_bytes);
    EXPECT_EQ(sizeof(block_q6_k), traits_of(tensor_type::q6_k).block_bytes);
    EXPECT_EQ(sizeof(block_q8_k), traits_of(tensor_type::q8_k).block_bytes);
    // Field offsets that a wrong declaration order would move.
    EXPECT_EQ(offsetof(block_q2_k, d), 80u);
    EXPECT_EQ(offsetof(block_q3_k, scales), 96u);
    EXPECT_EQ(offsetof(block_q3_k, d), 108u);
    EXPECT_EQ(offsetof(block_q4_k, scales), 4u);
    EXPECT_EQ(offsetof(block_q5_k, qh), 16u);
    EXPECT_EQ(offsetof(block_q6_k, scales), 192u);
    EXPECT_EQ(offsetof(block_q6_k, d), 208u);
    EXPECT_EQ(offsetof(block_q8_k, bsums), 260u);
}

TEST(quant_traits, names_are_case_insensitive) {
    EXPECT_EQ(type_from_name("q4_K"), tensor_type::q4_k);
    EXPECT_EQ(type_from_name("Q4_K"), tensor_type::q4_k);
    EXPECT_EQ(type_from_name("q4_k"), tensor_type::q4_k);
    EXPECT_EQ(type_from_name("BF16"), tensor_type::bf16);
    EXPECT_EQ(type_from_name("F32"), tensor_type::f32);
    EXPECT_FALSE(type_from_name("q4_k_m").has_value());  // a mix preset, not a type
    EXPECT_FALSE(type_from_name("").has_value());
    EXPECT_FALSE(type_from_name("q4").has_value());
}

TEST(quant_traits, unsupported_ids_are_rejected) {
    for (uint32_t id : {4u, 5u, 16u, 17u, 29u, 31u, 39u, 1000u, 0xffffffffu}) {
        EXPECT_FALSE(is_supported_type(id)) << id;
    }
}

TEST(quant_traits, row_bytes) {
    EXPECT_EQ(row_bytes(tensor_type::q4_k, 4096), 16u * 144u);
    EXPECT_EQ(row_bytes(tensor_type::q8_0, 64), 2u * 34u);
    EXPECT_EQ(row_bytes(tensor_type::f16, 3), 6u);
    EXPECT_EQ(row_bytes(tensor_type::f32, 0), 0u);
    EXPECT_FALSE(row_bytes(tensor_type::q4_k, 255).has_value());   // not a whole block
    EXPECT_FALSE(row_bytes(tensor_type::q4_0, 48).has_value());
    EXPECT_FALSE(row_bytes(tensor_type::f32, 1ull << 63).has_value());  // overflows
}

}  // namespace
}  // namespace holo
