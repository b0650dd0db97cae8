// What byte-level BPE and SentencePiece tokenizers share: the vocabulary, the
// special-token splitter, the id look-up, decoding tables and the encode driver
// (sanitize → split out special tokens → encode each text fragment → BOS/EOS).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace holo {

class vocab_tokenizer : public tokenizer {
public:
    std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const override;
    std::string token_to_piece(int32_t id) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;
    int32_t n_vocab() const override { return vocab_.size(); }
    const special_tokens& specials() const override { return vocab_.specials; }
    bool is_end_of_generation(int32_t id) const override;
    std::string_view token_text(int32_t id) const override;
    bool is_control(int32_t id) const override;
    int32_t find_token(std::string_view text) const override;

    const vocab& vocabulary() const { return vocab_; }

protected:
    explicit vocab_tokenizer(vocab v);
    // Encodes one plain-text fragment (valid UTF-8). `after_special` is true for
    // the first fragment and for fragments that follow a special token.
    virtual void encode_fragment(std::string_view text, bool after_special, std::vector<int32_t>& out) const = 0;

    vocab vocab_;
    std::unordered_map<std::string, int32_t> id_of_;
    std::vector<std::string> piece_;  // decoded bytes of every token, filled by the subclass
    std::vector<int32_t> eog_;         // sorted

private:
    special_splitter splitter_;
};

}  // namespace holo
