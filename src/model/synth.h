// `holo synth`: writes a runnable random-weight GGUF with a preset's exact shapes and
// llama.cpp's metadata keys, streaming: each tensor is generated, converted to its
// type and written chunk by chunk, so memory stays O(threads x chunk) for any size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "model/presets.h"
#include "model/requantize_mix.h"

namespace holo {

struct synth_options {
    std::string preset;             // a name from all_presets()
    std::string output_path;
    std::string type = "f16";       // a type mix (find_type_mix)
    role_types overrides;
    uint64_t seed = 42;
    double routing_skew = 0.0;      // Zipf exponent of expert popularity; 0 = uniform
    std::optional<int64_t> n_layer; // override the preset's layer count
    int n_threads = 0;              // 0: all hardware threads
    // 0: every row of every quantized tensor is generated and quantized (slow for the
    // 30B presets on a small machine: the reference k-quant search dominates). N > 0:
    // each quantized tensor quantizes N random rows once and draws every row from
    // that pool (seeded), so writing is disk-bound; names, shapes, types and sizes
    // are identical, only the values repeat. For size/layout/streaming benchmarks.
    int64_t row_pool = 0;
    bool progress = true;           // draw a bar when stderr is a terminal
};

struct synth_report {
    std::string preset;
    uint64_t file_bytes = 0;
    uint64_t tensor_bytes = 0;
    size_t n_tensors = 0;
    double seconds = 0;
    uint64_t peak_buffer_bytes = 0;  // largest conversion buffer held at once
};

// The preset with options applied (layer override), or an error naming the bad option.
result<model_preset> resolve_preset(const synth_options& opt);

result<synth_report> write_synth_model(const synth_options& opt);

}  // namespace holo
