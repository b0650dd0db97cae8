// A model's vocabulary as GGUF stores it (tokenizer.ggml.*), loaded and validated
// once: token texts, kinds, scores, merges and the special ids. The tokenizer
// implementations build their look-up structures from this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace holo {

struct gguf_kv;

enum class vocab_model { bpe, spm };  // tokenizer.ggml.model "gpt2" / "llama"

// tokenizer.ggml.token_type values (the numbering llama.cpp's GGUF files use).
enum class token_kind : uint8_t { undefined = 0, normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };

struct vocab {
    std::string source;  // file name, for messages
    vocab_model model = vocab_model::bpe;
    std::string pre = "default";  // tokenizer.ggml.pre
    std::vector<std::string> tokens;
    std::vector<token_kind> kinds;
    std::vector<float> scores;  // empty when the file has none
    std::vector<std::string> merges;  // "left right", rank = index
    special_tokens specials;
    bool add_space_prefix = false;

    int32_t size() const { return static_cast<int32_t>(tokens.size()); }
};

// Reads and validates tokenizer.ggml.* from a file's metadata: array lengths
// agree, ids are in range, types are the documented ones, byte tokens are <0xHH>.
result<vocab> load_vocab(const std::vector<gguf_kv>& metadata, std::string_view source);

// "<0x41>" -> 0x41; -1 when the text is not a byte token.
int parse_byte_token(std::string_view text);

}  // namespace holo
