// Byte-level BPE (tokenizer.ggml.model = "gpt2": Qwen, Llama 3, DeepSeek V3, GPT-2):
// pre-tokenize with the vocabulary's regexes, map bytes to GPT-2's printable
// alphabet, then merge adjacent symbols by merge rank with a priority queue.
#pragma once

#include <array>
#include <memory>

#include "core/error.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_tokenizer.h"

namespace holo {

class bpe_tokenizer final : public vocab_tokenizer {
public:
    static result<std::unique_ptr<bpe_tokenizer>> create(vocab v);

    // Encodes one pre-tokenized word (bytes) by merges alone; exposed for tests.
    void encode_word(std::string_view word, std::vector<int32_t>& out) const;

protected:
    void encode_fragment(std::string_view text, bool after_special, std::vector<int32_t>& out) const override;

private:
    bpe_tokenizer(vocab v, pre_tokenizer pre);
    struct merge {
        int32_t rank, result;
    };
    static uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

    pre_tokenizer pre_;
    byte_unicode_map bytes_;
    std::array<int32_t, 256> byte_token_{};  // id of each single-byte token, -1 if absent
    std::unordered_map<uint64_t, merge> merges_;
    bool ignore_merges_ = false;  // Llama 3: a word that is a whole token is taken as is
    bool nfc_ = false;            // Qwen: text is NFC-normalized first (when ICU is built in)
};

}  // namespace holo
