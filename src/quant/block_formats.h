// The ggml block layouts, byte for byte: GGUF tensor data is an array of these, so
// the field order and sizes are fixed by llama.cpp's files (static_asserts below).
// Scales are stored as raw f16 bits (quant/half.h converts); q8_K keeps an f32 scale.
// Lean on purpose: the CPU kernels include this in every SIMD file.
#pragma once

#include <cstdint>

namespace holo {

inline constexpr int qk4_0 = 32;
inline constexpr int qk4_1 = 32;
inline constexpr int qk5_0 = 32;
inline constexpr int qk5_1 = 32;
inline constexpr int qk8_0 = 32;
inline constexpr int qk8_1 = 32;
inline constexpr int qk_k = 256;         // elements of a K-quant super-block
inline constexpr int k_scale_size = 12;  // packed 6-bit scales/mins of q4_K and q5_K

// f16 / bf16 storage: one element per "block".
struct block_f16 {
    uint16_t bits;
};
struct block_bf16 {
    uint16_t bits;
};

// x = d * (q - 8), q in 0..15. qs[j] holds element j (low nibble) and j + 16 (high).
struct block_q4_0 {
    uint16_t d;
    uint8_t qs[qk4_0 / 2];
};

// x = d * q + m, q in 0..15, nibbles as q4_0.
struct block_q4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[qk4_1 / 2];
};

// x = d * (q - 16), q in 0..31: low 4 bits as q4_0, bit 4 of element j is bit j of qh
// (qh is a little-endian uint32 stored as bytes, so the struct stays 2-aligned).
struct block_q5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[qk5_0 / 2];
};

// x = d * q + m, q in 0..31, bits as q5_0.
struct block_q5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[qk5_1 / 2];
};

// x = d * q.
struct block_q8_0 {
    uint16_t d;
    int8_t qs[qk8_0];
};

// x = d * q; s = d * sum(q), so dot products with a q*_1 min need no second pass.
struct block_q8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[qk8_1];
};

// 16 sub-blocks of 16: x = d * (scales[j] & 15) * q - dmin * (scales[j] >> 4), q in 0..3.
// Element e: qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32)), sub-block e / 16.
struct block_q2_k {
    uint8_t scales[qk_k / 16];
    uint8_t qs[qk_k / 4];
    uint16_t d;
    uint16_t dmin;
};

// 16 sub-blocks of 16: x = d * (s_j - 32) * (q - 4 * !h), q in 0..3 packed as q2_K,
// h = bit e / 32 of hmask[e % 32], s_j a 6-bit scale (q3_k_scale below).
struct block_q3_k {
    uint8_t hmask[qk_k / 8];
    uint8_t qs[qk_k / 4];
    uint8_t scales[12];
    uint16_t d;
};

// 8 sub-blocks of 32: x = d * sc_j * q - dmin * m_j, q in 0..15, (sc_j, m_j) 6-bit
// (k4_scale_min below). Element e: qs[32 * (e / 64) + e % 32], high nibble when
// e % 64 >= 32.
struct block_q4_k {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[k_scale_size];
    uint8_t qs[qk_k / 2];
};

// As q4_K with q in 0..31: bit 4 of element e is bit e / 32 of qh[e % 32].
struct block_q5_k {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[k_scale_size];
    uint8_t qh[qk_k / 8];
    uint8_t qs[qk_k / 2];
};

// 16 sub-blocks of 16: x = d * scales[j] * (q - 32), q in 0..63. Element e, with
// h = e / 128, r = e % 128, l = r % 32, k = r / 32: low 4 bits in ql[64h + l + 32(k&1)]
// (high nibble when k >= 2), high 2 bits at bit 2k of qh[32h + l].
struct block_q6_k {
    uint8_t ql[qk_k / 2];
    uint8_t qh[qk_k / 4];
    int8_t scales[qk_k / 16];
    uint16_t d;
};

// Activation format of the K-quant dot products: x = d * q, bsums[j] = sum of q over
// elements 16j .. 16j+15 (lets the kernels apply a sub-block min in one multiply).
struct block_q8_k {
    float d;
    int8_t qs[qk_k];
    int16_t bsums[qk_k / 16];
};

static_assert(sizeof(block_f16) == 2 && sizeof(block_bf16) == 2);
static_assert(sizeof(block_q4_0) == 18);
static_assert(sizeof(block_q4_1) == 20);
static_assert(sizeof(block_q5_0) == 22);
static_assert(sizeof(block_q5_1) == 24);
static_assert(sizeof(block_q8_0) == 34);
static_assert(sizeof(block_q8_1) == 36);
static_assert(sizeof(block_q2_k) == 84);
static_assert(sizeof(block_q3_k) == 110);
static_assert(sizeof(block_q4_k) == 144);
static_assert(sizeof(block_q5_k) == 176);
static_assert(sizeof(block_q6_k) == 210);
static_assert(sizeof(block_q8_k) == 292);

struct scale_min {
    uint8_t scale;
    uint8_t min;
};

// Sub-block j (0..7) of q4_K / q5_K: 6-bit scale and min. j < 4: low 6 bits of bytes
// j and j + 4. j >= 4: low/high nibble of byte j + 4, top 2 bits from the spare top
// bits of bytes j - 4 (scale) and j (min).
inline scale_min k4_scale_min(const uint8_t* scales, int j) {
    if (j < 4) return {uint8_t(scales[j] & 63), uint8_t(scales[j + 4] & 63)};
    return {uint8_t((scales[j + 4] & 0xf) | ((scales[j - 4] >> 6) << 4)),
            uint8_t((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4))};
}

// Sub-block j (0..15) of q3_K: the 6-bit scale minus 32, in -32..31. Low 4 bits: low
// nibble of byte j (j < 8) or high nibble of byte j - 8; high 2 bits at bit 2 * (j / 4)
// of byte 8 + j % 4.
inline int q3_k_scale(const uint8_t* scales, int j) {
    const int lo = j < 8 ? (scales[j] & 0xf) : (scales[j - 8] >> 4);
    const int hi = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (lo | (hi << 4)) - 32;
}

}  // namespace holo
