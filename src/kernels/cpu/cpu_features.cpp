// cpuid-based detection (GCC's __builtin_cpu_supports reads the same bits and also
// checks that the OS saves the AVX-512 state).
#include "kernels/cpu/cpu_features.h"

#include <algorithm>
#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace holo {

namespace {

cpu_features detect() {
    cpu_features f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    // clang 14 does not know "f16c" in __builtin_cpu_supports: CPUID leaf 1, ECX bit 29.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    f.f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
#endif
    return f;
}

// -1: no override.
std::atomic<int>& override_slot() {
    static std::atomic<int> slot{-1};
    return slot;
}

}  // namespace

const cpu_features& detected_cpu_features() {
    static const cpu_features f = detect();
    return f;
}

cpu_isa best_cpu_isa() {
    static const cpu_isa best = [] {
        const cpu_features& f = detected_cpu_features();
        if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni && f.avx512bf16 && f.avx2 &&
            f.fma && f.f16c) {
            return cpu_isa::avx512;
        }
        if (f.avx2 && f.fma && f.f16c) return cpu_isa::avx2;
        return cpu_isa::scalar;
    }();
    return best;
}

cpu_isa active_cpu_isa() {
    const int o = override_slot().load(std::memory_order_relaxed);
    return o < 0 ? best_cpu_isa() : static_cast<cpu_isa>(o);
}

void force_cpu_isa(std::optional<cpu_isa> isa) {
    if (!isa) {
        override_slot().store(-1, std::memory_order_relaxed);
        return;
    }
    const int v = std::min(static_cast<int>(*isa), static_cast<int>(best_cpu_isa()));
    override_slot().store(v, std::memory_order_relaxed);
}

std::string_view cpu_isa_name(cpu_isa isa) {
    switch (isa) {
        case cpu_isa::scalar: return "scalar";
        case cpu_isa::avx2: return "avx2";
        case cpu_isa::avx512: return "avx512";
    }
    return "?";
}

}  // namespace holo
