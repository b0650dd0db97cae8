#include <array>

#include "model/archs/arch.h"

namespace holo {

std::span<const arch_def* const> all_archs() {
    static const std::array<const arch_def*, 5> archs = {
        &arch_llama(), &arch_qwen2(), &arch_qwen3(), &arch_qwen2moe(), &arch_qwen3moe(),
    };
    return archs;
}

}  // namespace holo
