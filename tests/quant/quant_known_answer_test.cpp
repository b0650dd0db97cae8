// Known-answer vectors: for each block format, a block whose scales and quants are
// set by hand (byte by byte, following the ggml layout) dequantizes to values worked
// out by hand in the comments. Also: data that a format can represent exactly goes
// through quantize -> dequantize unchanged, and dequantize is the correctly rounded
// value of the exact expression (so an FMA or a reordering could not change it).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "quant/block_formats.h"
#include "quant/half.h"
#include "quant/reference.h"

namespace holo {
namespace {

// f16 bit patterns used below.
constexpr uint16_t h_0_125 = 0x3000, h_0_25 = 0x3400, h_0_5 = 0x3800, h_1 = 0x3c00, h_2 = 0x4000, h_m1 = 0xbc00;

template <class B>
std::vector<float> dq(void (*fn)(const void*, float*, int64_t), const B& block, int n) {
    std::vector<float> out(static_cast<size_t>(n));
    fn(&block, out.data(), n);
    return out;
}

TEST(known_answer, f32_f16_bf16) {
    const float f[2] = {1.5f, -0.1f};
    float out[2];
    dequantize_row_f32(f, out, 2);
    EXPECT_EQ(out[0], 1.5f);
    EXPECT_EQ(out[1], -0.1f);
    const block_f16 h[2] = {{0x3e00}, {0xc100}};  // 0 01111 1000000000 = 1.5 ; 1 10000 0100000000 = -(1 + 1/4) * 2^1 = -2.5
    dequantize_row_f16(h, out, 2);
    EXPECT_EQ(out[0], 1.5f);
    EXPECT_EQ(out[1], -2.5f);
    const block_bf16 b[2] = {{0x3fc0}, {0xc120}};  // exp 127, mantissa .5 = 1.5 ; exp 130, mantissa .25 -> -(1 + 1/4) * 2^3 = -10
    dequantize_row_bf16(b, out, 2);
    EXPECT_EQ(out[0], 1.5f);
    EXPECT_EQ(out[1], -10.0f);
}

TEST(known_answer, q4_0) {
    block_q4_0 b{};
    b.d = h_0_5;
    b.qs[0] = 0x9f;   // element 0: low nibble 15 -> (15 - 8) * 0.5 = 3.5; element 16: 9 -> (9 - 8) * 0.5 = 0.5
    b.qs[15] = 0x08;  // element 15: 8 -> 0; element 31: 0 -> (0 - 8) * 0.5 = -4
    const auto y = dq(dequantize_row_q4_0, b, 32);
    EXPECT_EQ(y[0], 3.5f);
    EXPECT_EQ(y[16], 0.5f);
    EXPECT_EQ(y[15], 0.0f);
    EXPECT_EQ(y[31], -4.0f);
    EXPECT_EQ(y[1], -4.0f);  // qs = 0 elsewhere
}

TEST(known_answer, q4_1) {
    block_q4_1 b{};
    b.d = h_0_25;
    b.m = h_m1;
    b.qs[0] = 0x3c;  // element 0: 12 * 0.25 - 1 = 2; element 16: 3 * 0.25 - 1 = -0.25
    b.qs[1] = 0xf0;  // element 1: 0 * 0.25 - 1 = -1; element 17: 15 * 0.25 - 1 = 2.75
    const auto y = dq(dequantize_row_q4_1, b, 32);
    EXPECT_EQ(y[0], 2.0f);
    EXPECT_EQ(y[16], -0.25f);
    EXPECT_EQ(y[1], -1.0f);
    EXPECT_EQ(y[17], 2.75f);
}

TEST(known_answer, q5_0) {
    block_q5_0 b{};
    b.d = h_1;
    // qh as a little-endian uint32 = 0x80010001: fifth bit set for elements 0, 16, 31.
    b.qh[0] = 0x01;
    b.qh[2] = 0x01;
    b.qh[3] = 0x80;
    b.qs[0] = 0x21;   // element 0: 1 | 16 = 17 -> 17 - 16 = 1; element 16: 2 | 16 = 18 -> 2
    b.qs[15] = 0xf0;  // element 15: 0 (no bit) -> -16; element 31: 15 | 16 = 31 -> 15
    const auto y = dq(dequantize_row_q5_0, b, 32);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[16], 2.0f);
    EXPECT_EQ(y[15], -16.0f);
    EXPECT_EQ(y[31], 15.0f);
    EXPECT_EQ(y[17], -16.0f);
}

TEST(known_answer, q5_1) {
    block_q5_1 b{};
    b.d = h_0_5;
    b.m = h_1;
    b.qh[0] = 0x02;  // bit 1: element 1
    b.qh[2] = 0x10;  // bit 20: element 20
    b.qs[1] = 0x4a;  // element 1: 10 | 16 = 26 -> 26 * 0.5 + 1 = 14; element 17: 4 -> 4 * 0.5 + 1 = 3
    b.qs[4] = 0x37;  // element 4: 7 -> 4.5; element 20: 3 | 16 = 19 -> 10.5
    const auto y = dq(dequantize_row_q5_1, b, 32);
    EXPECT_EQ(y[1], 14.0f);
    EXPECT_EQ(y[17], 3.0f);
    EXPECT_EQ(y[4], 4.5f);
    EXPECT_EQ(y[20], 10.5f);
    EXPECT_EQ(y[0], 1.0f);  // q = 0 -> the min
}

TEST(known_answer, q8_0_and_q8_1) {
    block_q8_0 b{};
    b.d = h_0_125;
    b.qs[0] = -128;  // -128 * 0.125 = -16
    b.qs[1] = 127;   // 127 * 0.125 = 15.875
    b.qs[2] = -1;    // -0.125
    b.qs[31] = 64;   // 8
    const auto y = dq(dequantize_row_q8_0, b, 32);
    EXPECT_EQ(y[0], -16.0f);
    EXPECT_EQ(y[1], 15.875f);
    EXPECT_EQ(y[2], -0.125f);
    EXPECT_EQ(y[31], 8.0f);

    block_q8_1 c{};
    c.d = h_2;
    c.s = h_m1;     // s only serves dot products; it does not move the values
    c.qs[5] = -3;   // -3 * 2 = -6
    c.qs[6] = 100;  // 200
    const auto z = dq(dequantize_row_q8_1, c, 32);
    EXPECT_EQ(z[5], -6.0f);
    EXPECT_EQ(z[6], 200.0f);
    EXPECT_EQ(z[0], 0.0f);
}

TEST(known_answer, q2_k) {
    block_q2_k b{};
    b.d = h_0_5;
    b.dmin = h_0_25;
    b.scales[0] = 0x23;  // sub-block 0: sc 3, m 2 -> dl = 0.5 * 3 = 1.5, ml = 0.25 * 2 = 0.5
    b.scales[2] = 0x01;  // sub-block 2: dl = 0.5, ml = 0
    b.scales[4] = 0x10;  // sub-block 4: dl = 0, ml = 0.25
    b.scales[5] = 0xf1;  // sub-block 5: dl = 0.5, ml = 0.25 * 15 = 3.75
    b.scales[6] = 0x35;  // sub-block 6: dl = 2.5, ml = 0.75
    b.scales[12] = 0x42;  // sub-block 12: dl = 1, ml = 1
    // qs[0] = 0b11'10'01'00: element 0 (shift 0) q 0, element 32 (shift 2) q 1,
    // element 64 (shift 4) q 2, element 96 (shift 6) q 3.
    b.qs[0] = 0xe4;
    b.qs[16] = 0x30;  // element 80 = qs[16] at shift 2 * (80 / 32) = 4: q 3
    b.qs[40] = 0x20;  // element 200: qs[32 + 200 % 32 = 40] at shift 2 * (72 / 32) = 4: q 2
    const auto y = dq(dequantize_row_q2_k, b, 256);
    EXPECT_EQ(y[0], -0.5f);    // 1.5 * 0 - 0.5
    EXPECT_EQ(y[32], 0.5f);    // 0.5 * 1 - 0
    EXPECT_EQ(y[64], -0.25f);  // 0 * 2 - 0.25
    EXPECT_EQ(y[96], 6.75f);   // 2.5 * 3 - 0.75
    EXPECT_EQ(y[80], -2.25f);  // 0.5 * 3 - 3.75
    EXPECT_EQ(y[200], 1.0f);   // 1 * 2 - 1
    EXPECT_EQ(y[1], -0.5f);    // sub-block 0, q 0
}

TEST(known_answer, q3_k) {
    block_q3_k b{};
    b.d = h_0_25;
    // Sub-block 0: 6-bit scale 36 = 0b10'0100 -> low nibble 4 in scales[0], high bits 2
    // at bits 0-1 of scales[8]; 36 - 32 = 4 -> dl = 0.25 * 4 = 1.
    // Sub-block 9: 30 = 0b01'1110 -> low 14 in the high nibble of scales[1], high 1 at
    // bits 4-5 of scales[9]; 30 - 32 = -2 -> dl = -0.5.
    // Sub-block 15: 63 -> low 15 in the high nibble of scales[7], high 3 at bits 6-7 of
    // scales[11]; 31 -> dl = 7.75. Sub-block 1: scale 0 -> 0 - 32 -> dl = -8.
    b.scales[0] = 0x04;
    b.scales[1] = 0xe0;
    b.scales[7] = 0xf0;
    b.scales[8] = 0x02;
    b.scales[9] = 0x10;
    b.scales[11] = 0xc0;
    b.qs[0] = 0x03;     // element 0: low bits 3, high bit set (hmask[0] bit 0) -> 3 -> 1 * 3 = 3
    b.hmask[0] = 0x01;  // element 1: low 0, high bit clear -> 0 - 4 = -4 -> -4
    b.qs[48] = 0x01;    // element 144 (sub-block 9): qs[32 + 16] shift 0 -> 1, hmask[16] bit 4 clear -> -3 -> -0.5 * -3 = 1.5
    b.qs[63] = 0x80;    // element 255: qs[63] shift 6 -> 2, hmask[31] bit 7 set -> 2 -> 7.75 * 2 = 15.5
    b.hmask[31] = 0x80;
    const auto y = dq(dequantize_row_q3_k, b, 256);
    EXPECT_EQ(y[0], 3.0f);
    EXPECT_EQ(y[1], -4.0f);
    EXPECT_EQ(y[144], 1.5f);
    EXPECT_EQ(y[255], 15.5f);
    EXPECT_EQ(y[16], 32.0f);  // sub-block 1: -8 * (0 - 4)
}

TEST(known_answer, q4_k) {
    block_q4_k b{};
    b.d = h_0_5;
    b.dmin = h_0_125;
    // Sub-block 0: sc 3 (scales[0]), m 8 (scales[4]) -> dl = 1.5, ml = 1.
    // Sub-block 5: sc 50 = 0b11'0010, m 20 = 0b01'0100 -> scales[9] = 2 | 4 << 4 = 0x42,
    // top bits of sc in bits 6-7 of scales[1], of m in bits 6-7 of scales[5];
    // dl = 0.5 * 50 = 25, ml = 0.125 * 20 = 2.5.
    b.scales[0] = 3;
    b.scales[4] = 8;
    b.scales[9] = 0x42;
    b.scales[1] = 0xc0;
    b.scales[5] = 0x40;
    b.qs[0] = 0x07;   // element 0: 7 -> 1.5 * 7 - 1 = 9.5
    b.qs[64] = 0xf0;  // element 160 (group 2, second half -> high nibble of qs[64]): 15 -> 25 * 15 - 2.5 = 372.5
    const auto y = dq(dequantize_row_q4_k, b, 256);
    EXPECT_EQ(y[0], 9.5f);
    EXPECT_EQ(y[1], -1.0f);     // q 0 -> -ml
    EXPECT_EQ(y[160], 372.5f);
    EXPECT_EQ(y[161], -2.5f);
    EXPECT_EQ(y[32], 0.0f);     // sub-block 1: sc 0, m 0
}

TEST(known_answer, q5_k) {
    block_q5_k b{};
    b.d = h_1;
    b.dmin = h_0_5;
    // Sub-block 2: sc 2 (scales[2]), m 3 (scales[6]) -> dl = 2, ml = 1.5.
    // Sub-block 7: sc 1, m 63 = 0b11'1111 -> scales[11] = 1 | 15 << 4, top bits of m in
    // bits 6-7 of scales[7]; dl = 1, ml = 31.5.
    b.scales[2] = 2;
    b.scales[6] = 3;
    b.scales[11] = 0xf1;
    b.scales[7] = 0xc0;
    b.qs[32] = 0x05;   // element 64: low nibble of qs[32] = 5, bit 2 of qh[0] -> 21 -> 2 * 21 - 1.5 = 40.5
    b.qh[0] = 0x04;
    b.qs[127] = 0xa0;  // element 255: high nibble of qs[127] = 10, bit 7 of qh[31] -> 26 -> 26 - 31.5 = -5.5
    b.qh[31] = 0x80;
    const auto y = dq(dequantize_row_q5_k, b, 256);
    EXPECT_EQ(y[64], 40.5f);
    EXPECT_EQ(y[65], -1.5f);
    EXPECT_EQ(y[255], -5.5f);
    EXPECT_EQ(y[254], -31.5f);
}

TEST(known_answer, q6_k) {
    block_q6_k b{};
    b.d = h_0_25;
    b.scales[0] = 2;    // dl = 0.5
    b.scales[11] = -3;  // dl = -0.75
    b.scales[15] = 4;   // dl = 1
    b.ql[0] = 0x0f;     // element 0: low 15, high bits 3 (qh[0] bits 0-1) -> 63 - 32 = 31 -> 15.5
    b.qh[0] = 0x03;
    // Element 176 (h 1, k 1, l 16): low nibble of ql[64 + 16 + 32 = 112] = 5, bits 2-3 of
    // qh[48] = 1 -> 21 - 32 = -11 -> -0.75 * -11 = 8.25.
    // Element 240 (h 1, k 3, l 16): high nibble of ql[112] = 9, bits 6-7 of qh[48] = 2 ->
    // 41 - 32 = 9 -> 9.
    b.ql[112] = 0x95;
    b.qh[48] = 0x84;
    const auto y = dq(dequantize_row_q6_k, b, 256);
    EXPECT_EQ(y[0], 15.5f);
    EXPECT_EQ(y[1], -16.0f);  // q 0 -> -32 * 0.5
    EXPECT_EQ(y[176], 8.25f);
    EXPECT_EQ(y[240], 9.0f);
}

TEST(known_answer, q8_k) {
    block_q8_k b{};
    b.d = 0.5f;
    b.qs[0] = -100;  // -50
    b.qs[255] = 3;   // 1.5
    const auto y = dq(dequantize_row_q8_k, b, 256);
    EXPECT_EQ(y[0], -50.0f);
    EXPECT_EQ(y[255], 1.5f);
    EXPECT_EQ(y[100], 0.0f);
}

// Values on a format's grid survive quantize -> dequantize exactly.
TEST(known_answer, representable_data_is_lossless) {
    std::vector<float> x(32), y(32);
    // q8_0: amax = 127 / 16 -> d = 1/16 exactly; every x = q / 16 with |q| <= 127.
    for (int j = 0; j < 32; ++j) x[j] = float((j * 37) % 255 - 127) / 16.0f;
    x[3] = 127.0f / 16.0f;
    block_q8_0 b8[1];
    quantize_row_q8_0(x.data(), b8, 32);
    dequantize_row_q8_0(b8, y.data(), 32);
    EXPECT_EQ(x, y);
    // q4_0: the largest magnitude is negative (-4) -> d = -4 / -8 = 0.5; x = (q - 8) / 2.
    for (int j = 0; j < 32; ++j) x[j] = float(j % 16 - 8) * 0.5f;
    block_q4_0 b4[1];
    quantize_row_q4_0(x.data(), b4, 32);
    dequantize_row_q4_0(b4, y.data(), 32);
    EXPECT_EQ(x, y);
    // q4_1: min -1, max 2.75 -> d = 3.75 / 15 = 0.25; x = -1 + q / 4.
    for (int j = 0; j < 32; ++j) x[j] = -1.0f + float(j % 16) * 0.25f;
    block_q4_1 b41[1];
    quantize_row_q4_1(x.data(), b41, 32);
    dequantize_row_q4_1(b41, y.data(), 32);
    EXPECT_EQ(x, y);
    // q5_0: largest magnitude -16 -> d = 1; x = q - 16.
    for (int j = 0; j < 32; ++j) x[j] = float(j - 16);
    block_q5_0 b5[1];
    quantize_row_q5_0(x.data(), b5, 32);
    dequantize_row_q5_0(b5, y.data(), 32);
    EXPECT_EQ(x, y);
    // q5_1: min 2, max 33 -> d = 1, m = 2; x = 2 + q.
    for (int j = 0; j < 32; ++j) x[j] = float(j + 2);
    block_q5_1 b51[1];
    quantize_row_q5_1(x.data(), b51, 32);
    dequantize_row_q5_1(b51, y.data(), 32);
    EXPECT_EQ(x, y);
    // q8_K: the largest magnitude 127 at -127 -> d = 1 (f32 scale); x = q.
    std::vector<float> xk(256), yk(256);
    for (int j = 0; j < 256; ++j) xk[j] = float(j % 255 - 127);
    block_q8_k bk[1];
    quantize_row_q8_k(xk.data(), bk, 256);
    dequantize_row_q8_k(bk, yk.data(), 256);
    EXPECT_EQ(xk, yk);
    for (int j = 0; j < 16; ++j) {
        int sum = 0;
        for (int l = 0; l < 16; ++l) sum += int(xk[16 * j + l]);
        EXPECT_EQ(bk[0].bsums[j], sum) << "bsums[" << j << "]";
    }
}

// A block with no negative values needs no min: its dmin must be stored as +0, not
// -0 (same value, different bytes from llama.cpp's file).
TEST(known_answer, unused_min_is_positive_zero) {
    for (float c : {0.37f, 1.0f, 0.0f}) {
        std::vector<float> x(256, c);
        block_q2_k b2;
        quantize_row_q2_k(x.data(), &b2, 256);
        EXPECT_EQ(b2.dmin, 0x0000) << "q2_K, constant " << c;
        block_q4_k b4;
        quantize_row_q4_k(x.data(), &b4, 256);
        EXPECT_EQ(b4.dmin, 0x0000) << "q4_K, constant " << c;
        block_q5_k b5;
        quantize_row_q5_k(x.data(), &b5, 256);
        EXPECT_EQ(b5.dmin, 0x0000) << "q5_K, constant " << c;
    }
}

// Dequantize is the correctly rounded value of d * sc * q - dmin * m: every product in
// it is exact in f32 (at most 11 + 8 + 6 = 25 significant bits for q6_K, whose single
// product is rounded once in either order), so only the final rounding remains and
// neither FMA contraction nor operand order can change the result. llama.cpp's values
// are therefore reproduced bit for bit. Checked here on random blocks with random
// scales, against the expression evaluated exactly in double.
TEST(known_answer, dequantize_is_the_correctly_rounded_expression) {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> mag(-10.0f, 4.0f);
    auto random_half = [&] { return f32_to_f16(std::ldexp(1.0f + float(byte(rng)) / 256.0f, int(mag(rng)))); };
    for (int trial = 0; trial < 200; ++trial) {
        block_q4_k b4;
        block_q5_k b5;
        block_q2_k b2;
        block_q6_k b6;
        auto randomize = [&](void* p, size_t size) {
            for (size_t k = 0; k < size; ++k) static_cast<uint8_t*>(p)[k] = uint8_t(byte(rng));
        };
        randomize(&b4, sizeof(b4));
        randomize(&b5, sizeof(b5));
        randomize(&b2, sizeof(b2));
        randomize(&b6, sizeof(b6));
        b4.d = random_half(), b4.dmin = random_half();
        b5.d = random_half(), b5.dmin = random_half();
        b2.d = random_half(), b2.dmin = random_half();
        b6.d = random_half();
        float y[256];

        dequantize_row_q4_k(&b4, y, 256);
        for (int e = 0; e < 256; ++e) {
            const scale_min sm = k4_scale_min(b4.scales, e / 32);
            const uint8_t byte_e = b4.qs[32 * (e / 64) + e % 32];
            const int q = e % 64 < 32 ? byte_e & 0xf : byte_e >> 4;
            const double exact = double(f16_to_f32(b4.d)) * sm.scale * q - double(f16_to_f32(b4.dmin)) * sm.min;
            ASSERT_EQ(y[e], float(exact)) << "q4_K element " << e;
        }
        dequantize_row_q5_k(&b5, y, 256);
        for (int e = 0; e < 256; ++e) {
            const scale_min sm = k4_scale_min(b5.scales, e / 32);
            const uint8_t byte_e = b5.qs[32 * (e / 64) + e % 32];
            const int q = (e % 64 < 32 ? byte_e & 0xf : byte_e >> 4) + 16 * ((b5.qh[e % 32] >> (e / 32)) & 1);
            const double exact = double(f16_to_f32(b5.d)) * sm.scale * q - double(f16_to_f32(b5.dmin)) * sm.min;
            ASSERT_EQ(y[e], float(exact)) << "q5_K element " << e;
        }
        dequantize_row_q2_k(&b2, y, 256);
        for (int e = 0; e < 256; ++e) {
            const int q = (b2.qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;
            const uint8_t sc = b2.scales[e / 16];
            const double exact = double(f16_to_f32(b2.d)) * (sc & 0xf) * q - double(f16_to_f32(b2.dmin)) * (sc >> 4);
            ASSERT_EQ(y[e], float(exact)) << "q2_K element " << e;
        }
        dequantize_row_q6_k(&b6, y, 256);
        for (int e = 0; e < 256; ++e) {
            const int h = e / 128, l = e % 32, k = e % 128 / 32;
            const uint8_t lb = b6.ql[64 * h + l + 32 * (k & 1)];
            const int q = ((k < 2 ? lb & 0xf : lb >> 4) | (((b6.qh[32 * h + l] >> (2 * k)) & 3) << 4)) - 32;
            const double exact = double(f16_to_f32(b6.d)) * b6.scales[e / 16] * q;
            ASSERT_EQ(y[e], float(exact)) << "q6_K element " << e;
        }
    }
}

}  // namespace
}  // namespace holo
