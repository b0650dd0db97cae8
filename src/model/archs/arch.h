// What one architecture file provides: the extra hyper-parameters it reads, how it
// composes the shared blocks (block_plan), and the weights it binds. Every
// architecture is one small file in this folder, listed once in registry.cpp.
#pragma once

#include <span>

#include "core/error.h"
#include "model/weight_binder.h"

namespace holo {

struct arch_def {
    const char* name;  // general.architecture
    // Reads the keys only this architecture has and fills in the plan.
    result<void> (*configure)(const gguf_file& f, hparams& hp, block_plan& plan);
    // Binds the weights; errors are kept in the binder.
    void (*bind)(weight_binder& b);
};

const arch_def& arch_llama();
const arch_def& arch_qwen2();
const arch_def& arch_qwen3();
const arch_def& arch_qwen2moe();
const arch_def& arch_qwen3moe();

// Every known architecture.
std::span<const arch_def* const> all_archs();

}  // namespace holo
