// Which SIMD instruction set the CPU kernels use. Detected once from cpuid; tests and
// benchmarks can force a lower one (force_isa) to exercise every path on one machine.
#pragma once

#include <optional>
#include <string_view>

namespace holo {

// Ordered: each level implies the ones before it.
enum class cpu_isa { scalar = 0, avx2 = 1, avx512 = 2 };

struct cpu_features {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
    bool avx512vnni = false, avx512bf16 = false;
};

// What this CPU supports (detected on first call).
const cpu_features& detected_cpu_features();

// The best level this CPU supports: avx512 needs F/BW/VL/DQ/VNNI/BF16 (the flags the
// *_avx512.cpp files are compiled with), avx2 needs AVX2/FMA/F16C.
cpu_isa best_cpu_isa();

// The level the kernels use now: best_cpu_isa(), or the forced one.
cpu_isa active_cpu_isa();

// Test hook: use `isa` (clamped to best_cpu_isa()) until called again; nullopt goes
// back to the best. Not for use while kernels run on other threads.
void force_cpu_isa(std::optional<cpu_isa> isa);

std::string_view cpu_isa_name(cpu_isa isa);

}  // namespace holo
