// Writes a trained model as a qwen3moe GGUF (llama.cpp's metadata keys, the trained
// vocabulary, tensors in synth_layout's order) that `holo run` and llama.cpp load.
// Norms stay f32; matrices are f32 or f16.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "model/synth_vocab.h"
#include "quant/tensor_type.h"
#include "train/train_model.h"

namespace holo {

struct export_options {
    tensor_type matrix_type = tensor_type::f32;  // f32 or f16
    std::vector<gguf_kv> provenance;             // extra keys (holo.train.*)
};

result<void> export_gguf(const param_layout& lay, const std::vector<float>& params, const synth_vocab& vocab,
                         const std::string& path, const export_options& opt = {});

// The reverse, for checking exported files: hyper-parameters from a qwen3moe GGUF's
// metadata (n_ctx = context_length) and its f32/f16 tensors into the parameter
// vector of that layout.
result<train_hparams> hparams_from_gguf(const gguf_file& f);
result<std::vector<float>> import_params(const param_layout& lay, const gguf_file& f);

}  // namespace holo
