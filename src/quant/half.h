// IEEE binary16 (f16) and bfloat16 (bf16) <-> f32 conversions, bit-exact with ggml:
// widening is exact, narrowing rounds to nearest even, inf stays inf and NaN stays a
// quiet NaN. Inline and dependency-free because the CPU kernels call these per element.
#pragma once

#include <bit>
#include <cstdint>

namespace holo {

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24 is exact in f32 (at most 10 significant bits).
        const float mag = float(mant) * 0x1p-24f;
        return std::bit_cast<float>(std::bit_cast<uint32_t>(mag) | sign);
    }
    if (exp == 31) {
        // inf stays inf; a NaN keeps its payload and comes out quiet (as a hardware
        // conversion, and ggml's, would give).
        return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13) | (mant != 0 ? 0x400000u : 0u));
    }
    return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));        // rebias 15 -> 127
}

inline uint16_t f32_to_f16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
    const uint32_t abs = bits & 0x7fffffffu;
    if (abs > 0x7f800000u) return uint16_t(sign | 0x7e00u);  // NaN: the canonical quiet NaN, as ggml
    if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // >= 65520 rounds to inf (inf included)
    if (abs < 0x38800000u) {
        // Below the smallest normal half (2^-14): the result is a multiple of 2^-24.
        // Adding 0.5 (whose ulp is 2^-24) lets the FPU do the round-to-nearest-even;
        // the distance in ulps from 0.5 is the half's mantissa (1024 = smallest normal).
        const float t = std::bit_cast<float>(abs) + 0.5f;
        return uint16_t(sign | (std::bit_cast<uint32_t>(t) - 0x3f000000u));
    }
    // Normal: rebias the exponent, then round the 13 dropped bits to nearest even; a
    // carry out of the mantissa correctly bumps the exponent.
    const uint32_t rebiased = abs - (112u << 23);
    const uint32_t rounded = (rebiased + 0xfffu + ((rebiased >> 13) & 1u)) >> 13;
    return uint16_t(sign | rounded);
}

inline float bf16_to_f32(uint16_t h) { return std::bit_cast<float>(uint32_t(h) << 16); }

inline uint16_t f32_to_bf16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x40u);  // NaN: force quiet
    return uint16_t((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);                  // nearest even
}

}  // namespace holo
