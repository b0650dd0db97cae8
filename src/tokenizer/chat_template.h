// Chat templates: renders a model's `tokenizer.chat_template` (Jinja text from the
// GGUF) over a conversation, with the sandboxed Jinja subset in jinja/. Built-in
// templates (chatml, llama3, llama2, mistral, deepseek) stand in when a file has none.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/parser.h"

namespace holo {

struct chat_message {
    std::string role;
    std::optional<std::string> content;  // nullopt renders as none (assistant turns that only call tools)
    // Further fields merged into the message dict: tool_calls, name, tool_call_id,
    // reasoning_content, ... (ordered_json keeps key order, which tojson prints).
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

struct render_options {
    bool add_generation_prompt = false;
    std::string bos_token;
    std::string eos_token;
    nlohmann::ordered_json tools;  // null: `tools` is undefined in the template
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // more variables, e.g. enable_thinking
    jinja::limits limits;
};

class chat_template {
public:
    chat_template() = default;  // empty: render() reports that nothing was parsed

    // Parses once; errors name line:column and what is wrong.
    static result<chat_template> parse(std::string_view source, int max_nesting = jinja::k_default_max_nesting);
    // A built-in template by name (see builtin_template_names()).
    static result<chat_template> builtin(std::string_view name);

    result<std::string> render(const std::vector<chat_message>& messages, const render_options& opts) const;
    // `messages` as OpenAI-style JSON (an array of objects with role/content/...).
    result<std::string> render_json(const nlohmann::ordered_json& messages, const render_options& opts) const;

    const std::string& source() const;

private:
    struct impl {
        std::string source;
        jinja::body tree;
    };
    std::shared_ptr<const impl> impl_;
};

std::vector<std::string_view> builtin_template_names();
std::optional<std::string_view> builtin_template_source(std::string_view name);

// The built-in template for a GGUF without `tokenizer.chat_template`: chosen by the
// special tokens the vocabulary has, then by `general.architecture`; chatml if
// nothing matches. `has_token` answers whether a piece is in the vocabulary.
std::string_view pick_builtin_template(std::string_view architecture,
                                       const std::function<bool(std::string_view)>& has_token);

}  // namespace holo
