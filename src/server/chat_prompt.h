// Turns a request into prompt tokens with the model's chat template (the GGUF's
// own, or the built-in one its vocabulary suggests). Message contents are encoded
// without special-token parsing, the template's text with it, so a user cannot
// inject <|im_start|> and friends; this is the one call to swap if prompt
// building changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tokenizer/chat_template.h"

namespace holo {
class tokenizer;
class gguf_file;
}

namespace holo::server {

struct prompt_builder {
    std::optional<chat_template> tmpl;
    std::string template_name;  // "gguf" or the built-in's name
    std::string bos_text, eos_text;
};

// Picks the template for a model file: tokenizer.chat_template, else a built-in.
result<prompt_builder> make_prompt_builder(const gguf_file& f, const tokenizer& tok);

// messages: [{role, content}] with string (or null) contents, assistant tool_calls and
// tool results as request.h describes. tools: OpenAI's function list or null. A
// template that reads `tools` gets them; for one that does not, the tools and the
// hermes call format are described in a system message, earlier calls are written
// into their assistant turns and tool results become user turns in
// <tool_response> tags. Strings the template prints itself (tool definitions,
// call arguments) must not spell a control token (a 400 otherwise).
result<std::vector<int32_t>> build_chat_prompt(const prompt_builder& pb, const tokenizer& tok,
                                               const nlohmann::json& messages,
                                               const nlohmann::ordered_json& tools = nullptr);
// Plain text (completions, raw generate): BOS as the vocabulary asks, no specials parsed.
std::vector<int32_t> build_text_prompt(const tokenizer& tok, const std::string& text);

}  // namespace holo::server
