// The default model `holo run` and `holo serve` use when no MODEL is given: the
// small MoE model `holo train` made (assets/default-model.gguf, see
// assets/default-model.md), which the build copies next to the `holo` binary.
#pragma once

#include <string>

namespace holo::cli {

// $HOLO_DEFAULT_MODEL when set; else default-model.gguf beside the running binary,
// then ../share/holobiont/default-model.gguf; empty when none exists.
std::string default_model_path();

}  // namespace holo::cli
