// The chat template a GGUF model should use: its own `tokenizer.chat_template`, or
// a built-in picked from its vocabulary and architecture, with the bos/eos token
// texts the template needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "tokenizer/chat_template.h"

namespace holo {

struct gguf_kv;

struct model_chat_template {
    chat_template tmpl;
    std::string origin;     // "tokenizer.chat_template" or "built-in <name>"
    std::string bos_token;  // text of tokenizer.ggml.bos_token_id; "" when absent
    std::string eos_token;  // text of tokenizer.ggml.eos_token_id; "" when absent
};

// `source` names the file in errors. A template that does not parse is an error
// (it names the file, the key and line:column), not a silent fallback: the model
// would be prompted in a format it was not trained on.
result<model_chat_template> chat_template_from_metadata(const std::vector<gguf_kv>& metadata,
                                                        std::string_view source);

}  // namespace holo
