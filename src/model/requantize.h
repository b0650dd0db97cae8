// `holo quantize`: re-quantizes a GGUF file to a type mix (llama.cpp's q4_k_m, q8_0,
// ...) with per-role overrides. Each tensor is dequantized by the reference block
// formats and quantized again, streaming and on all threads; tensors whose type does
// not change are copied byte for byte. Metadata is kept (general.file_type updated).
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "model/requantize_mix.h"

namespace holo {

class gguf_file;

struct requantize_options {
    std::string input_path;
    std::string output_path;
    std::string type = "q8_0";
    role_types overrides;
    int n_threads = 0;     // 0: all hardware threads
    bool progress = true;  // draw a bar when stderr is a terminal
};

struct requantize_report {
    uint64_t input_bytes = 0;
    uint64_t output_bytes = 0;
    size_t n_tensors = 0;
    size_t n_converted = 0;  // tensors whose type changed
    double seconds = 0;
};

// What the mix rules need, read from the file's metadata (<arch>.block_count, ...).
result<mix_model_info> mix_info_from_file(const gguf_file& f);

result<requantize_report> requantize_model(const requantize_options& opt);

}  // namespace holo
