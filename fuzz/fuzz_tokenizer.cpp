// libFuzzer target for the tokenizers: any byte string, under every pre-tokenizer
// and SentencePiece, with and without special-token parsing, must encode to ids in
// range and decode back to the input with invalid UTF-8 replaced; streamed pieces
// must give the same text. Never a crash, never an out-of-range id.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8.h"
#include "tokenizer/utf8_stream.h"

namespace {

const char* const k_merges[][2] = {{"t", "h"}, {"th", "e"}, {" ", "t"}, {" t", "he"}, {"a", "a"}, {"aa", "aa"},
                                   {"\xE4", "\xBD"}, {"\xE4\xBD", "\xA0"}, {"1", "2"}, {"<", "|"}, {" ", " "}};

std::vector<holo::gguf_kv> byte_level(const char* pre) {
    holo::byte_unicode_map map;
    auto enc = [&](const std::string& raw) {
        std::string s;
        for (char c : raw) s += map.encoded(uint8_t(c));
        return s;
    };
    std::vector<std::string> tokens, merges;
    std::vector<int32_t> types;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(map.encoded(uint8_t(b)));
        types.push_back(1);
    }
    for (const auto& m : k_merges) {
        merges.push_back(enc(m[0]) + " " + enc(m[1]));
        tokens.push_back(enc(std::string(m[0]) + m[1]));
        types.push_back(1);
    }
    tokens.push_back("<|im_start|>");
    types.push_back(3);
    tokens.push_back("<think>");
    types.push_back(4);
    return {{"tokenizer.ggml.model", holo::gguf_value::make_string("gpt2")},
            {"tokenizer.ggml.pre", holo::gguf_value::make_string(pre)},
            {"tokenizer.ggml.tokens", holo::gguf_value::make_string_array(tokens)},
            {"tokenizer.ggml.token_type", holo::gguf_value::make_i32_array(types)},
            {"tokenizer.ggml.merges", holo::gguf_value::make_string_array(merges)}};
}

std::vector<holo::gguf_kv> sentencepiece() {
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<int32_t> types = {2, 3, 3};
    std::vector<float> scores = {0, 0, 0};
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        tokens.push_back(buf);
        types.push_back(6);
        scores.push_back(0);
    }
    const char* pieces[] = {"\xE2\x96\x81", "a", "b", "t", "h", "e", "th", "he", "the", "\xE2\x96\x81the", "aa", "\xE4\xBD\xA0"};
    float s = -1;
    for (const char* p : pieces) {
        tokens.push_back(p);
        types.push_back(1);
        scores.push_back(s--);
    }
    return {{"tokenizer.ggml.model", holo::gguf_value::make_string("llama")},
            {"tokenizer.ggml.tokens", holo::gguf_value::make_string_array(tokens)},
            {"tokenizer.ggml.token_type", holo::gguf_value::make_i32_array(types)},
            {"tokenizer.ggml.scores", holo::gguf_value::make_f32_array(scores)},
            {"tokenizer.ggml.bos_token_id", holo::gguf_value::make_u32(1)},
            {"tokenizer.ggml.eos_token_id", holo::gguf_value::make_u32(2)},
            {"tokenizer.ggml.unknown_token_id", holo::gguf_value::make_u32(0)}};
}

struct tokenizers {
    std::vector<std::unique_ptr<holo::tokenizer>> all;
    tokenizers() {
        for (const char* pre : {"qwen2", "llama-bpe", "deepseek-v3", "gpt-2", "default"}) {
            auto t = holo::tokenizer::from_metadata(byte_level(pre), pre);
            HOLO_ASSERT(t.ok(), "fuzz vocabulary must load");
            all.push_back(std::move(t).value());
        }
        auto t = holo::tokenizer::from_metadata(sentencepiece(), "spm");
        HOLO_ASSERT(t.ok(), "fuzz vocabulary must load");
        all.push_back(std::move(t).value());
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const tokenizers toks;
    if (size == 0) return 0;
    const size_t which = data[0] % toks.all.size();
    const bool parse_special = data[0] & 0x80;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    const holo::tokenizer& t = *toks.all[which];
    const bool spm = which + 1 == toks.all.size();

    const std::vector<int32_t> ids = t.encode(text, true, parse_special);
    for (int32_t id : ids) HOLO_ASSERT(id >= 0 && id < t.n_vocab(), "encode produced an id out of range");
    const std::vector<int32_t> plain = t.encode(text, false, parse_special);
    const std::string back = t.decode(plain);
    HOLO_ASSERT(holo::utf8_is_valid(back), "decode of a sanitized input must be valid UTF-8");
    // SentencePiece spells spaces as U+2581, so a literal one comes back as a space.
    if (!spm || text.find("\xE2\x96\x81") == std::string::npos) {
        // qwen2 (index 0) implies NFC normalization.
        const std::string want = which == 0 ? holo::nfc(holo::utf8_sanitize(text)) : holo::utf8_sanitize(text);
        HOLO_ASSERT(back == want, "decode(encode(x)) must give x with invalid UTF-8 replaced");
    }
    if (!spm) {
        holo::utf8_stream stream;
        std::string streamed;
        for (int32_t id : plain) streamed += stream.push(t.token_to_piece(id));
        streamed += stream.finish();
        HOLO_ASSERT(streamed == back, "streamed pieces must give the decoded text");
    }
    return 0;
}
