// f16 / bf16 conversions: exact widening, round-to-nearest-even narrowing (ties,
// subnormals, overflow), inf and NaN handling. The narrowing is checked against an
// independent reference computed in double.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "quant/half.h"

namespace holo {
namespace {

uint32_t bits_of(float f) { return std::bit_cast<uint32_t>(f); }
float from_bits(uint32_t b) { return std::bit_cast<float>(b); }

// The f16 value nearest to v (ties to even), computed in double from first principles:
// f16 has 11 significant bits down to 2^-14, and a fixed quantum of 2^-24 below that.
double reference_f16_round(double v) {
    const double a = std::fabs(v);
    if (a == 0) return v;
    int exp;
    std::frexp(a, &exp);  // a = m * 2^exp, m in [0.5, 1)
    const int quantum_exp = std::max(exp - 11, -24);
    const double quantum = std::ldexp(1.0, quantum_exp);
    const double r = std::nearbyint(a / quantum) * quantum;  // a / quantum is exact
    if (r > 65504.0) return std::copysign(INFINITY, v);
    return std::copysign(r, v);
}

TEST(half, f16_widening_known_values) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x3555), 0x1.554p-2f);  // 1/3 rounded: mantissa 0x155
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);     // largest finite
    EXPECT_EQ(f16_to_f32(0x0400), 0x1p-14f);     // smallest normal
    EXPECT_EQ(f16_to_f32(0x0001), 0x1p-24f);     // smallest subnormal
    EXPECT_EQ(f16_to_f32(0x03ff), 1023 * 0x1p-24f);
    EXPECT_EQ(f16_to_f32(0x8001), -0x1p-24f);
    EXPECT_EQ(bits_of(f16_to_f32(0x8000)), 0x80000000u);  // -0 keeps its sign
    EXPECT_EQ(f16_to_f32(0x7c00), INFINITY);
    EXPECT_EQ(f16_to_f32(0xfc00), -INFINITY);
    // NaNs stay NaN, sign and payload kept, and come out quiet.
    EXPECT_EQ(bits_of(f16_to_f32(0x7e00)), 0x7fc00000u);
    EXPECT_EQ(bits_of(f16_to_f32(0x7c01)), 0x7fc02000u);  // signalling in, quiet out
    EXPECT_EQ(bits_of(f16_to_f32(0xfe01)), 0xffc02000u);
}

TEST(half, f16_round_trip_is_exact_for_every_value) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(uint16_t(h));
        const bool is_nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
        if (is_nan) {
            ASSERT_TRUE(std::isnan(f)) << std::hex << h;
            const uint16_t back = f32_to_f16(f);
            ASSERT_EQ(back & 0x7fff, 0x7e00) << std::hex << h;       // canonical quiet NaN
            ASSERT_EQ(back & 0x8000, h & 0x8000) << std::hex << h;  // sign kept
        } else {
            ASSERT_EQ(f32_to_f16(f), h) << std::hex << h;
        }
    }
}

TEST(half, f16_narrowing_rounds_to_nearest_even) {
    // Between 1 and 1 + 2^-10 the tie goes to the even mantissa (1.0) ...
    EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f), 0x3c00);
    // ... and between 1 + 2^-10 and 1 + 2^-9 to 1 + 2^-9 (mantissa 2).
    EXPECT_EQ(f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);
    // Just above / below the tie go to the nearer one.
    EXPECT_EQ(f32_to_f16(std::nextafter(1.0f + 0x1p-11f, 2.0f)), 0x3c01);
    EXPECT_EQ(f32_to_f16(std::nextafter(1.0f + 3 * 0x1p-11f, 0.0f)), 0x3c01);
    // Mantissa carry into the exponent: 2 - 2^-12 rounds up to 2.0.
    EXPECT_EQ(f32_to_f16(2.0f - 0x1p-12f), 0x4000);
    EXPECT_EQ(f32_to_f16(-2.0f + 0x1p-12f), 0xc000);
}

TEST(half, f16_narrowing_subnormals_overflow_and_specials) {
    EXPECT_EQ(f32_to_f16(0x1p-24f), 0x0001);
    EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000);            // tie between 0 and 2^-24: even (0)
    EXPECT_EQ(f32_to_f16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
    EXPECT_EQ(f32_to_f16(3 * 0x1p-25f), 0x0002);        // tie between 1 and 2 quanta: even (2)
    EXPECT_EQ(f32_to_f16(5 * 0x1p-25f), 0x0002);        // tie between 2 and 3 quanta: even (2)
    EXPECT_EQ(f32_to_f16(0x1p-14f - 0x1p-25f), 0x0400);  // tie 1023 / 1024 quanta: rounds up to the smallest normal
    EXPECT_EQ(f32_to_f16(0x1p-14f - 0x1p-24f), 0x03ff);
    EXPECT_EQ(f32_to_f16(1e-30f), 0x0000);
    EXPECT_EQ(f32_to_f16(-1e-30f), 0x8000);
    EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::denorm_min()), 0x0000);
    EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65519.996f), 0x7bff);  // below the midpoint to 65536
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);    // the midpoint: ties to even, which is inf
    EXPECT_EQ(f32_to_f16(1e10f), 0x7c00);
    EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
    EXPECT_EQ(f32_to_f16(INFINITY), 0x7c00);
    EXPECT_EQ(f32_to_f16(-INFINITY), 0xfc00);
    EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::quiet_NaN()), 0x7e00);
    EXPECT_EQ(f32_to_f16(from_bits(0x7f800001u)), 0x7e00);  // signalling NaN comes out quiet
    EXPECT_EQ(f32_to_f16(from_bits(0xffc00000u)), 0xfe00);
}

TEST(half, f16_narrowing_matches_double_reference) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> mant(1.0f, 2.0f);
    std::uniform_int_distribution<int> exp(-28, 17);  // subnormal f16 .. overflow
    for (int i = 0; i < 2000000; ++i) {
        float f = std::ldexp(mant(rng), exp(rng));
        if (i & 1) f = -f;
        if (i % 4 == 2) f = from_bits(bits_of(f) | 0xfffu);  // near-ties in the dropped bits
        if (i % 4 == 3) f = from_bits((bits_of(f) & ~0x1fffu) | 0x1000u);  // exact ties
        const float want = float(reference_f16_round(f));
        const float got = f16_to_f32(f32_to_f16(f));
        ASSERT_EQ(bits_of(got), bits_of(want)) << "f = " << f << " (bits 0x" << std::hex << bits_of(f) << ")";
    }
}

TEST(half, bf16_conversions) {
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(bf16_to_f32(0xc040), -3.0f);
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808000u)), 0x3f80);  // tie: even
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f818000u)), 0x3f82);  // tie: even (up)
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808001u)), 0x3f81);  // above the tie
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f7fffffu)), 0x3f80);  // carry into the exponent
    EXPECT_EQ(f32_to_bf16(INFINITY), 0x7f80);
    EXPECT_EQ(f32_to_bf16(-INFINITY), 0xff80);
    EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // rounds to inf
    EXPECT_EQ(f32_to_bf16(-0.0f), 0x8000);
    EXPECT_EQ(f32_to_bf16(from_bits(0x00000001u)), 0x0000);  // f32 subnormals round like others
    EXPECT_EQ(f32_to_bf16(from_bits(0x00018000u)), 0x0002);
    // NaN stays a NaN and is made quiet, even when rounding would carry into inf.
    const uint16_t n1 = f32_to_bf16(from_bits(0x7f800001u));
    EXPECT_TRUE(std::isnan(bf16_to_f32(n1)));
    EXPECT_EQ(n1 & 0x40, 0x40);
    const uint16_t n2 = f32_to_bf16(from_bits(0xffffffffu));
    EXPECT_TRUE(std::isnan(bf16_to_f32(n2)));
    EXPECT_EQ(n2 & 0x8000, 0x8000);
}

TEST(half, bf16_round_trip_is_exact_for_every_value) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = bf16_to_f32(uint16_t(h));
        ASSERT_EQ(bits_of(f), h << 16);
        if (std::isnan(f)) {
            ASSERT_EQ(f32_to_bf16(f), h | 0x40) << std::hex << h;
        } else {
            ASSERT_EQ(f32_to_bf16(f), h) << std::hex << h;
        }
    }
}

}  // namespace
}  // namespace holo
