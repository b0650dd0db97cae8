// The structured-output fields of a request, checked and compiled where the rest of
// the request is parsed (so a bad schema is a 400 before anything is queued):
// OpenAI's response_format, Ollama's format, function tools and tool_choice, and
// the tool_calls of assistant messages in a conversation.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "runtime/json_schema.h"

namespace holo::server {

inline constexpr size_t k_max_tools = 128;

// {"type": "text" | "json_object" | "json_schema", "json_schema": {name, schema, strict}};
// null for text.
result<std::shared_ptr<const json_grammar>> parse_response_format(const nlohmann::ordered_json& v);
// Ollama: "json", "" or a JSON schema object.
result<std::shared_ptr<const json_grammar>> parse_ollama_format(const nlohmann::ordered_json& v);

// OpenAI's (and Ollama's) tools array, normalised to
// [{type: "function", function: {name, description?, parameters?}}]; each
// parameters schema is compiled once here to refuse what the matcher cannot do.
result<nlohmann::ordered_json> parse_tools(const nlohmann::ordered_json& v);
struct tool_choice_value {
    std::string choice = "auto";  // auto | none | required | function
    std::string name;
};
result<tool_choice_value> parse_tool_choice(const nlohmann::json& v, const nlohmann::ordered_json& tools);

// An assistant message's tool_calls (OpenAI: arguments as a JSON string; Ollama:
// an object), normalised to [{id, type: "function", function: {name, arguments: object}}].
result<nlohmann::json> parse_message_tool_calls(const nlohmann::json& v);

// A JSON value from the body with key order kept when the ordered twin has it.
nlohmann::ordered_json ordered_field(const nlohmann::json& body, const nlohmann::ordered_json* ordered, const char* key);

}  // namespace holo::server
