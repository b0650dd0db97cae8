// The small byte-level BPE vocabulary `holo synth` writes so a random-weight model
// can be run: GPT-2's 256 byte tokens, merges that build common English words, the
// ChatML special tokens, then "[PADn]" tokens up to the model's vocabulary size (as
// llama.cpp's converter pads Qwen vocabularies). Loads in llama.cpp as "gpt2"/"qwen2".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace holo {

// llama.cpp's token types (tokenizer.ggml.token_type).
enum class synth_token_type : int32_t { normal = 1, control = 3, user_defined = 4, unused = 5 };

struct synth_vocab {
    std::vector<std::string> tokens;    // n_vocab entries, in id order
    std::vector<int32_t> token_types;   // synth_token_type per token
    std::vector<std::string> merges;    // "a b", highest priority first
    int32_t bos_id = -1;                // <|endoftext|>
    int32_t eos_id = -1;                // <|im_end|>
    int32_t pad_id = -1;                // <|endoftext|>
    std::string chat_template;          // ChatML
};

// GPT-2's byte-to-unicode map: the UTF-8 text of the token for byte b.
std::string byte_token_text(uint8_t b);

// Deterministic; n_vocab must be >= 259 (bytes + 3 special tokens). Merges are cut
// to what fits.
synth_vocab build_synth_vocab(int64_t n_vocab);

}  // namespace holo
