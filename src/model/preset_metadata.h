// The GGUF metadata that describes a preset's architecture: general.architecture and
// name, and the `<arch>.*` hyper-parameter keys llama.cpp reads (the set its HF
// converter writes). Shared by `holo synth` and the trainer's export so both files
// describe a model the same way.
#pragma once

#include "model/presets.h"

namespace holo {

class gguf_writer;

void set_preset_metadata(gguf_writer& w, const model_preset& p);

}  // namespace holo
