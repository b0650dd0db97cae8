// Tool calls per template family: how a model writes them, the grammar that forces
// one (tool_choice "required" or a named function), and parsing them back out of
// the generated text whole (tool_call_stream.h reads them while they stream).
//   hermes  (Qwen, Hermes, ChatML and the default): <tool_call>\n{"name": .., "arguments": {..}}\n</tool_call>
//   llama3  (Llama 3.x JSON tool calling):          {"name": .., "parameters": {..}}   (optionally after <|python_tag|>)
//   mistral (Mistral / Mixtral instruct):           [TOOL_CALLS][{"name": .., "arguments": {..}}, ...]
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "runtime/json_schema.h"

namespace holo::server {

enum class tool_format { hermes, llama3, mistral };

inline constexpr std::string_view k_hermes_open = "<tool_call>", k_hermes_close = "</tool_call>";
inline constexpr std::string_view k_mistral_tag = "[TOOL_CALLS]", k_python_tag = "<|python_tag|>";

// JSON's white space (space, tab, CR, LF), around calls and their values.
inline bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
std::string_view ltrim_json_space(std::string_view s);
std::string_view trim_json_space(std::string_view s);

const char* tool_format_name(tool_format f);
std::optional<tool_format> tool_format_from_name(std::string_view name);
// From the chat template's source (what the model was tuned to write).
tool_format detect_tool_format(std::string_view template_source);

// tools: OpenAI's [{type: "function", function: {name, description, parameters}}].
// only_name: force that function; empty: any of them.
result<std::shared_ptr<const json_grammar>> forced_call_grammar(tool_format f, const nlohmann::ordered_json& tools,
                                                                const std::string& only_name);

struct tool_call {
    std::string name;
    std::string arguments;  // JSON text of the arguments object
};
struct parsed_reply {
    std::string content;  // the text that is not a call
    std::vector<tool_call> calls;
};
// Text that does not hold a well-formed call comes back whole as content.
parsed_reply parse_tool_calls(tool_format f, const std::string& text);

}  // namespace holo::server
