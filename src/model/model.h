// A loaded model: hyper-parameters from GGUF metadata and typed views of its weights
// inside the memory map. Immutable once loaded and shared by every session
// (DESIGN invariant 4); per-request state (KV cache) lives elsewhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "model/hparams.h"

namespace holo {

struct model_load_options {
    bool mlock = false;  // lock the mapped weights in RAM (--mlock)
};

class model;

// Maps the file, reads the hyper-parameters for its architecture, binds every
// weight the architecture needs (shape- and type-checked), and loads nothing else:
// pages come in as the forward pass touches them.
result<std::shared_ptr<const model>> load_model(const std::string& path, const model_load_options& opts = {});

}  // namespace holo
