// Pre-tokenizers of byte-level BPE vocabularies: the text is cut into words by a
// sequence of regexes (each one splits the pieces of the previous one, keeping
// both matches and the text between them), run with PCRE2 in UTF mode.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace holo {

struct text_span {
    size_t offset, length;
};

class pre_tokenizer {
public:
    // The pre-tokenizer a GGUF names in tokenizer.ggml.pre ("qwen2", "llama-bpe",
    // "deepseek-v3", "gpt-2", "default", and their aliases).
    static result<pre_tokenizer> for_name(std::string_view pre);
    // Custom stages (PCRE2 syntax); error names the pattern and the offset.
    static result<pre_tokenizer> from_patterns(const std::vector<std::string>& patterns);
    static std::vector<std::string> supported_names();

    pre_tokenizer(pre_tokenizer&&) noexcept;
    pre_tokenizer& operator=(pre_tokenizer&&) noexcept;
    ~pre_tokenizer();

    // `text` must be valid UTF-8. Appends the words, in order, covering all of it.
    void split(std::string_view text, std::vector<text_span>& out) const;

private:
    pre_tokenizer();
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace holo
