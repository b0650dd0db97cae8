// What /api/tags, /api/show and `holo show` say about a model file, read from its
// GGUF metadata and tensor table only (no weights touched): family, parameter
// count, dominant quantization, context length, chat template.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace holo::server {

struct model_details {
    std::string architecture;
    std::string display_name;        // general.name
    uint64_t n_params = 0;
    std::string parameter_size;      // "30.5B", "12.3M"
    std::string quantization_level;  // the type holding the most bytes, e.g. "Q4_K"
    uint64_t n_ctx_train = 0;
    uint64_t n_expert = 0, n_expert_used = 0;
    std::string chat_template;       // empty when the file has none
    nlohmann::json model_info;       // scalar metadata (arrays summarized)
};

result<model_details> read_model_details(const std::string& path);
// Ollama's "details" object.
nlohmann::json details_json(const model_details& d);

}  // namespace holo::server
