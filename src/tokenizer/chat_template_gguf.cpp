// Chat template selection from GGUF metadata.
#include "tokenizer/chat_template_gguf.h"

#include "gguf/gguf_file.h"

namespace holo {

namespace {

const gguf_value* find_key(const std::vector<gguf_kv>& md, std::string_view key) {
    for (auto& kv : md)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

}  // namespace

result<model_chat_template> chat_template_from_metadata(const std::vector<gguf_kv>& md, std::string_view source) {
    const std::string where(source);
    const gguf_array* tokens = nullptr;
    if (const gguf_value* t = find_key(md, "tokenizer.ggml.tokens")) {
        tokens = t->as_array();
        if (!tokens || tokens->element_type != gguf_value_type::string)
            return error{where + ": tokenizer.ggml.tokens is not an array of strings"};
    }
    auto token_text = [&](const char* key, std::string& out) -> result<void> {
        const gguf_value* v = find_key(md, key);
        if (!v) return ok();
        auto id = v->as_uint();
        if (!id) return error{where + ": " + key + " is not an unsigned integer"};
        if (!tokens || *id >= tokens->items.size())
            return error{where + ": " + key + " = " + std::to_string(*id) + " is outside the vocabulary"};
        out = *tokens->items[*id].as_string();
        return ok();
    };
    model_chat_template m{chat_template(), "", "", ""};
    HOLO_TRY(token_text("tokenizer.ggml.bos_token_id", m.bos_token));
    HOLO_TRY(token_text("tokenizer.ggml.eos_token_id", m.eos_token));

    if (const gguf_value* v = find_key(md, "tokenizer.chat_template")) {
        const std::string* text = v->as_string();
        if (!text) return error{where + ": tokenizer.chat_template is not a string"};
        auto t = chat_template::parse(*text);
        if (!t.ok()) return error{where + ": tokenizer.chat_template: " + t.message()};
        m.tmpl = std::move(t.value());
        m.origin = "tokenizer.chat_template";
        return m;
    }
    std::string arch;
    if (const gguf_value* v = find_key(md, "general.architecture"))
        if (const std::string* s = v->as_string()) arch = *s;
    auto has_token = [&](std::string_view piece) {
        if (!tokens) return false;
        for (auto& item : tokens->items)
            if (*item.as_string() == piece) return true;
        return false;
    };
    std::string_view name = pick_builtin_template(arch, has_token);
    auto t = chat_template::builtin(name);
    HOLO_ASSERT(t.ok(), "built-in chat templates parse");
    m.tmpl = std::move(t.value());
    m.origin = "built-in " + std::string(name);
    return m;
}

}  // namespace holo
