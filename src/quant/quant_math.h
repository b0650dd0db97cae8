// Small numeric helpers shared by the reference quantizers (private to quant/).
// Every reference .cpp also turns off floating-point contraction: bit-exactness with
// ggml needs each product rounded to f32 before it is added, and g++ fuses a * b + c
// into an FMA whenever the target has one, even in ISO C++ mode.
#pragma once

#include <bit>
#include <cstdint>

namespace holo::quant_detail {

// Round to nearest, ties to even, for |x| < 2^22 (the range every quantizer feeds it).
// Adding 1.5 * 2^23 makes the FPU round away the fraction; the integer is then sitting
// in the low 23 mantissa bits, offset by 2^22.
inline int nearest_int(float x) {
    const float shifted = x + 12582912.0f;
    return int(std::bit_cast<uint32_t>(shifted) & 0x7fffffu) - 0x400000;
}

inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace holo::quant_detail
