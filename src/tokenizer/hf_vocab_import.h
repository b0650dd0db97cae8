// Turns a Hugging Face tokenizer.json (+ tokenizer_config.json) into the GGUF
// vocabulary metadata (tokenizer.ggml.*) llama.cpp's converter would write, so real
// vocabularies can be put into test and synthetic models.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_file.h"

namespace holo {

// `config_json` may be empty (no tokenizer_config.json). `source` names the input in
// errors. The result holds tokenizer.ggml.* keys (and tokenizer.chat_template when
// the config has one), ready for gguf_writer::set or tokenizer::from_metadata.
result<std::vector<gguf_kv>> import_hf_vocab(std::string_view tokenizer_json, std::string_view config_json,
                                             std::string_view source);

// Reads the files; `config_path` empty means "tokenizer_config.json next to it, if any".
result<std::vector<gguf_kv>> import_hf_vocab_files(const std::string& tokenizer_json_path,
                                                   const std::string& config_path = "");

}  // namespace holo
