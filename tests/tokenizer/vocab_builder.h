// Builds small synthetic vocabularies (GGUF metadata) for the tokenizer unit tests:
// a byte-level BPE vocabulary with chosen merges, and a SentencePiece one with
// chosen scores.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/utf8.h"

namespace holo::test {

// 256 byte tokens (GPT-2 alphabet), then each merge's result, then `extra` tokens of
// the given kinds (3 = control, 4 = user-defined). Merges are given as raw bytes.
inline std::vector<gguf_kv> byte_level_vocab(const std::vector<std::pair<std::string, std::string>>& merges,
                                             const std::vector<std::pair<std::string, int>>& extra = {},
                                             std::string pre = "qwen2") {
    byte_unicode_map map;
    auto enc = [&](const std::string& raw) {
        std::string s;
        for (char c : raw) s += map.encoded(uint8_t(c));
        return s;
    };
    std::vector<std::string> tokens, merge_text;
    std::vector<int32_t> types;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(map.encoded(uint8_t(b)));
        types.push_back(1);
    }
    for (const auto& [l, r] : merges) {
        merge_text.push_back(enc(l) + " " + enc(r));
        tokens.push_back(enc(l + r));
        types.push_back(1);
    }
    for (const auto& [t, kind] : extra) {
        tokens.push_back(t);
        types.push_back(kind);
    }
    return {
        {"tokenizer.ggml.model", gguf_value::make_string("gpt2")},
        {"tokenizer.ggml.pre", gguf_value::make_string(pre)},
        {"tokenizer.ggml.tokens", gguf_value::make_string_array(tokens)},
        {"tokenizer.ggml.token_type", gguf_value::make_i32_array(types)},
        {"tokenizer.ggml.merges", gguf_value::make_string_array(merge_text)},
    };
}

// <unk> <s> </s>, 256 <0xHH> byte tokens, then the pieces with their scores.
inline std::vector<gguf_kv> spm_vocab(const std::vector<std::pair<std::string, float>>& pieces) {
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
    for (const auto& [p, s] : pieces) {
        tokens.push_back(p);
        types.push_back(1);
        scores.push_back(s);
    }
    return {
        {"tokenizer.ggml.model", gguf_value::make_string("llama")},
        {"tokenizer.ggml.tokens", gguf_value::make_string_array(tokens)},
        {"tokenizer.ggml.token_type", gguf_value::make_i32_array(types)},
        {"tokenizer.ggml.scores", gguf_value::make_f32_array(scores)},
        {"tokenizer.ggml.bos_token_id", gguf_value::make_u32(1)},
        {"tokenizer.ggml.eos_token_id", gguf_value::make_u32(2)},
        {"tokenizer.ggml.unknown_token_id", gguf_value::make_u32(0)},
    };
}

inline void set_kv(std::vector<gguf_kv>& kv, const std::string& key, gguf_value v) {
    for (auto& e : kv) {
        if (e.key == key) {
            e.value = std::move(v);
            return;
        }
    }
    kv.push_back({key, std::move(v)});
}

}  // namespace holo::test
