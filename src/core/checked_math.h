// Overflow-checked size arithmetic. Every size computed from untrusted input (GGUF
// headers, HTTP bodies) goes through these before anything is allocated or read.
#pragma once

#include <cstdint>
#include <optional>

namespace holo {

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}

inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
    return r;
}

// Rounds `x` up to a multiple of `align` (a power of two), or nullopt on overflow.
inline std::optional<uint64_t> checked_align_up(uint64_t x, uint64_t align) {
    if (align == 0 || (align & (align - 1)) != 0) return std::nullopt;
    auto r = checked_add(x, align - 1);
    if (!r) return std::nullopt;
    return *r & ~(align - 1);
}

}  // namespace holo
