// The tokenizer interface the engine, server and CLI use: text ⇄ token ids for a
// model's vocabulary (read from GGUF metadata). Byte-level BPE and SentencePiece
// style vocabularies implement it; callers never see which.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace holo {

class gguf_file;
struct gguf_kv;

struct special_tokens {
    int32_t bos = -1, eos = -1, eot = -1, pad = -1, unk = -1;
    bool add_bos = false, add_eos = false;
};

class tokenizer {
public:
    virtual ~tokenizer() = default;

    // Reads tokenizer.ggml.* from the file and validates it (array lengths, ids).
    static result<std::unique_ptr<tokenizer>> from_gguf(const gguf_file& file);
    // The same from metadata alone (tests, and vocabularies imported from
    // tokenizer.json before any GGUF exists). `source` names the input in errors.
    static result<std::unique_ptr<tokenizer>> from_metadata(const std::vector<gguf_kv>& metadata,
                                                            std::string_view source);

    // add_special: prepend BOS / append EOS as the vocabulary asks.
    // parse_special: match special tokens written in the text (templates only;
    // user content must not be able to inject them).
    virtual std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const = 0;

    // The bytes of one token (may be an incomplete UTF-8 sequence: see utf8_stream).
    virtual std::string token_to_piece(int32_t id) const = 0;
    virtual std::string decode(const std::vector<int32_t>& ids) const = 0;

    virtual int32_t n_vocab() const = 0;
    virtual const special_tokens& specials() const = 0;
    // True for tokens that end generation (eos, eot and the vocabulary's end-of-turn tokens).
    virtual bool is_end_of_generation(int32_t id) const = 0;

    // The token's text as the vocabulary stores it (byte-level alphabet, ▁ for
    // spaces); empty for ids out of range.
    virtual std::string_view token_text(int32_t id) const { return {}; }
    // Control / unknown tokens (what parse_special matches), not user text.
    virtual bool is_control(int32_t id) const { return false; }
    // The id whose stored text is exactly `text`, or -1 (templates look up
    // <|im_start|> and friends this way).
    virtual int32_t find_token(std::string_view text) const { return -1; }
};

}  // namespace holo
