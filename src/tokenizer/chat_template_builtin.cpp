// Built-in chat templates, written from each family's published prompt format, and
// the rule that picks one for a GGUF that carries no template.
#include <utility>

#include "tokenizer/chat_template.h"

namespace holo {

namespace {

// ChatML (Qwen, many fine-tunes): <|im_start|>role\ncontent<|im_end|>\n
constexpr std::string_view k_chatml = R"JINJA({%- for message in messages -%}
{{- '<|im_start|>' ~ message['role'] ~ '\n' ~ (message['content'] if message['content'] is string else '') ~ '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}
)JINJA";

// Llama 3 Instruct: bos, then <|start_header_id|>role<|end_header_id|>\n\n content (trimmed) <|eot_id|>
constexpr std::string_view k_llama3 = R"JINJA({%- for message in messages -%}
{%- set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -%}
{%- if loop.index0 == 0 -%}{%- set content = bos_token + content -%}{%- endif -%}
{{- content -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}
)JINJA";

// Llama 2 chat: <s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s>
constexpr std::string_view k_llama2 = R"JINJA({%- if messages[0]['role'] == 'system' -%}
{%- set loop_messages = messages[1:] -%}{%- set system_message = messages[0]['content'] -%}
{%- else -%}
{%- set loop_messages = messages -%}{%- set system_message = false -%}
{%- endif -%}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- if loop.index0 == 0 and system_message != false -%}
{%- set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] -%}
{%- else -%}
{%- set content = message['content'] -%}
{%- endif -%}
{%- if message['role'] == 'user' -%}
{{- bos_token + '[INST] ' + content.strip() + ' [/INST]' -}}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + content.strip() + ' ' + eos_token -}}
{%- endif -%}
{%- endfor -%}
)JINJA";

// Mistral / Mixtral Instruct v0.1: <s>[INST] user [/INST]answer</s>; a system message
// is folded into the first user turn, as Mistral's later templates do.
constexpr std::string_view k_mistral = R"JINJA({%- if messages[0]['role'] == 'system' -%}
{%- set system_message = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}
{%- else -%}
{%- set system_message = '' -%}{%- set loop_messages = messages -%}
{%- endif -%}
{{- bos_token -}}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- if message['role'] == 'user' -%}
{%- if loop.first and system_message -%}
{{- '[INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' -}}
{%- else -%}
{{- '[INST] ' + message['content'] + ' [/INST]' -}}
{%- endif -%}
{%- elif message['role'] == 'assistant' -%}
{{- message['content'] + eos_token -}}
{%- endif -%}
{%- endfor -%}
)JINJA";

// DeepSeek V3 / R1: bos + system prompts, <｜User｜>…<｜Assistant｜>…<｜end▁of▁sentence｜>
constexpr std::string_view k_deepseek = R"JINJA({%- set ns = namespace(system='') -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}
{%- set ns.system = ns.system + ('\n\n' if ns.system else '') + message['content'] -%}
{%- endif -%}
{%- endfor -%}
{{- bos_token + ns.system -}}
{%- for message in messages -%}
{%- if message['role'] == 'user' -%}
{{- '<｜User｜>' + message['content'] -}}
{%- elif message['role'] == 'assistant' -%}
{{- '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<｜Assistant｜>' -}}{%- endif -%}
)JINJA";

constexpr std::pair<std::string_view, std::string_view> k_builtins[] = {
    {"chatml", k_chatml}, {"llama3", k_llama3}, {"llama2", k_llama2}, {"mistral", k_mistral}, {"deepseek", k_deepseek},
};

}  // namespace

std::vector<std::string_view> builtin_template_names() {
    std::vector<std::string_view> out;
    for (auto& [n, s] : k_builtins) out.push_back(n);
    return out;
}

std::optional<std::string_view> builtin_template_source(std::string_view name) {
    for (auto& [n, s] : k_builtins)
        if (n == name) return s;
    return std::nullopt;
}

std::string_view pick_builtin_template(std::string_view architecture,
                                       const std::function<bool(std::string_view)>& has_token) {
    // The vocabulary's special tokens say which format the model was tuned on more
    // reliably than the architecture (Mixtral and Llama 2 both say "llama").
    if (has_token) {
        if (has_token("<|im_start|>")) return "chatml";
        if (has_token("<|start_header_id|>")) return "llama3";
        if (has_token("<｜User｜>")) return "deepseek";
        if (has_token("[INST]")) return "mistral";
    }
    if (architecture.starts_with("qwen")) return "chatml";
    if (architecture.starts_with("deepseek")) return "deepseek";
    if (architecture == "llama") return "llama2";
    return "chatml";
}

}  // namespace holo
