// SentencePiece-style BPE (tokenizer.ggml.model = "llama": Llama 2, Mistral,
// Mixtral): spaces become ▁, a ▁ is prefixed to text that starts the input or
// follows a special token, adjacent pieces merge by highest vocabulary score, and
// characters the vocabulary lacks fall back to <0xHH> byte tokens.
#pragma once

#include <array>
#include <memory>

#include "core/error.h"
#include "tokenizer/vocab_tokenizer.h"

namespace holo {

class spm_tokenizer final : public vocab_tokenizer {
public:
    static result<std::unique_ptr<spm_tokenizer>> create(vocab v);
    // Drops the space the encoder prefixed to text at the start and after specials.
    std::string decode(const std::vector<int32_t>& ids) const override;

protected:
    void encode_fragment(std::string_view text, bool after_special, std::vector<int32_t>& out) const override;

private:
    explicit spm_tokenizer(vocab v);
    std::array<int32_t, 256> byte_token_{};  // <0xHH> ids, -1 if absent
};

}  // namespace holo
