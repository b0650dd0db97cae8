// A generation request as the engine sees it, whatever API it came through, and
// the parsers that build one from OpenAI and Ollama JSON. Every parameter is type-
// and range-checked here (negative or huge values are 400s, never reach memory);
// what needs the model (token ids in logit_bias, prompt length) is checked by the
// engine when it tokenizes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "runtime/json_schema.h"
#include "runtime/sampler.h"

namespace holo::server {

inline constexpr int64_t k_max_tokens_limit = int64_t(1) << 20;
inline constexpr size_t k_max_stop_strings = 16;
inline constexpr size_t k_max_stop_bytes = 256;
inline constexpr size_t k_max_messages = 4096;

struct gen_request {
    std::string model;
    bool chat = false;
    // chat: [{role, content}], content a string or null; assistant turns may carry
    // tool_calls [{id, type, function: {name, arguments}}], tool turns tool_call_id / name.
    nlohmann::json messages = nlohmann::json::array();
    std::string prompt;                                // completion / generate
    std::string system;                                // ollama generate: system prompt
    bool raw = false;                                  // ollama generate: no template
    bool use_template = false;                         // ollama generate (not raw): prompt as a user turn
    int64_t max_tokens = -1;                           // -1: until the context is full
    std::vector<std::string> stop;
    sampler_params sampling;
    bool seed_given = false;
    std::vector<std::pair<int32_t, float>> logit_bias;  // ids checked against the vocabulary later
    int64_t num_ctx = 0;                                // 0: the slot's context
    bool stream = false;
    bool include_usage = false;
    std::optional<double> keep_alive_s;                 // <0: forever
    std::vector<std::string> embed_inputs;              // embedding requests: the texts
    // response_format json_object / json_schema, Ollama's format: the reply must match.
    std::shared_ptr<const json_grammar> constraint;
    // Function tools, OpenAI's shape [{type: "function", function: {name, description, parameters}}]
    // (schema key order kept); null when none.
    nlohmann::ordered_json tools;
    std::string tool_choice = "auto";  // "auto", "none", "required" or "function" (tool_name)
    std::string tool_name;
    bool tools_active() const { return tools.is_array() && !tools.empty() && tool_choice != "none"; }
};

// /v1/embeddings, /api/embed ("input": a string or an array of strings) and the
// older /api/embeddings ("prompt").
result<gen_request> parse_embed_request(const nlohmann::json& body, bool openai);

// `ordered`: the same body parsed keeping key order, so JSON schemas (response_format,
// format, tool parameters) generate properties in the order they were written; without
// it they come from `body`, whose keys are sorted.
// OpenAI: /v1/chat/completions and /v1/completions.
result<gen_request> parse_openai_chat(const nlohmann::json& body, const nlohmann::ordered_json* ordered = nullptr);
result<gen_request> parse_openai_completion(const nlohmann::json& body, const nlohmann::ordered_json* ordered = nullptr);
// Ollama: /api/chat and /api/generate.
result<gen_request> parse_ollama_chat(const nlohmann::json& body, const nlohmann::ordered_json* ordered = nullptr);
result<gen_request> parse_ollama_generate(const nlohmann::json& body, const nlohmann::ordered_json* ordered = nullptr);

// Ollama's keep_alive: a number of seconds or a duration ("5m", "1h30m", "10s",
// "-1" = forever, "0" = unload now).
result<double> parse_keep_alive(const nlohmann::json& v);

}  // namespace holo::server
