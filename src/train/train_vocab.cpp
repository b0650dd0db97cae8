#include "train/train_vocab.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include "tokenizer/pre_tokenizer.h"

namespace holo {

result<synth_vocab> train_bpe_vocab(std::string_view corpus, int64_t n_vocab) {
    if (n_vocab < 259) return error{"vocabulary size " + std::to_string(n_vocab) + " is below 259 (bytes + 3 specials)"};
    auto pre = pre_tokenizer::for_name("qwen2");
    if (!pre.ok()) return pre.err();
    std::vector<text_span> spans;
    pre->split(corpus, spans);
    std::map<std::string_view, int64_t> counts;  // ordered: deterministic word order
    for (const auto& s : spans) ++counts[corpus.substr(s.offset, s.length)];

    synth_vocab v;
    std::vector<std::string> text;  // token id -> stored text
    for (int b = 0; b < 256; ++b) text.push_back(byte_token_text(uint8_t(b)));
    std::vector<std::vector<int32_t>> words;
    std::vector<int64_t> freq;
    for (const auto& [w, c] : counts) {
        std::vector<int32_t> sym;
        for (unsigned char ch : w) sym.push_back(ch);
        if (sym.size() < 2) continue;
        words.push_back(std::move(sym));
        freq.push_back(c);
    }
    const int64_t n_merges = n_vocab - 256 - 3;
    for (int64_t m = 0; m < n_merges; ++m) {
        std::unordered_map<uint64_t, int64_t> pairs;
        for (size_t i = 0; i < words.size(); ++i)
            for (size_t j = 0; j + 1 < words[i].size(); ++j)
                pairs[(uint64_t(uint32_t(words[i][j])) << 32) | uint32_t(words[i][j + 1])] += freq[i];
        uint64_t best = 0;
        int64_t best_n = 0;
        for (const auto& [p, c] : pairs)
            if (c > best_n || (c == best_n && p < best)) best = p, best_n = c;
        if (best_n < 2) break;  // nothing repeats: the rest becomes padding
        const int32_t a = int32_t(best >> 32), b = int32_t(best & 0xffffffffu);
        const int32_t id = int32_t(text.size());
        v.merges.push_back(text[size_t(a)] + " " + text[size_t(b)]);
        text.push_back(text[size_t(a)] + text[size_t(b)]);
        for (auto& w : words) {
            size_t o = 0;
            for (size_t j = 0; j < w.size(); ++j) {
                if (j + 1 < w.size() && w[j] == a && w[j + 1] == b) {
                    w[o++] = id;
                    ++j;
                } else {
                    w[o++] = w[j];
                }
            }
            w.resize(o);
        }
    }
    for (auto& t : text) {
        v.tokens.push_back(t);
        v.token_types.push_back(int32_t(synth_token_type::normal));
    }
    auto add_special = [&](const char* s) {
        v.tokens.emplace_back(s);
        v.token_types.push_back(int32_t(synth_token_type::control));
        return int32_t(v.tokens.size() - 1);
    };
    v.bos_id = v.pad_id = add_special("<|endoftext|>");
    add_special("<|im_start|>");
    v.eos_id = add_special("<|im_end|>");
    while (int64_t(v.tokens.size()) < n_vocab) {
        v.tokens.push_back("[PAD" + std::to_string(v.tokens.size()) + "]");
        v.token_types.push_back(int32_t(synth_token_type::unused));
    }
    v.chat_template = build_synth_vocab(259).chat_template;
    return v;
}

std::vector<gguf_kv> vocab_metadata(const synth_vocab& v) {
    auto u32 = [](int64_t x) { return gguf_value::make_u32(uint32_t(x)); };
    return {
        {"tokenizer.ggml.model", gguf_value::make_string("gpt2")},
        {"tokenizer.ggml.pre", gguf_value::make_string("qwen2")},
        {"tokenizer.ggml.tokens", gguf_value::make_string_array(v.tokens)},
        {"tokenizer.ggml.token_type", gguf_value::make_i32_array(v.token_types)},
        {"tokenizer.ggml.merges", gguf_value::make_string_array(v.merges)},
        {"tokenizer.ggml.bos_token_id", u32(v.bos_id)},
        {"tokenizer.ggml.eos_token_id", u32(v.eos_id)},
        {"tokenizer.ggml.padding_token_id", u32(v.pad_id)},
        {"tokenizer.ggml.add_bos_token", gguf_value::make_bool(false)},
        {"tokenizer.chat_template", gguf_value::make_string(v.chat_template)},
    };
}

result<std::unique_ptr<tokenizer>> make_tokenizer(const synth_vocab& v) {
    return tokenizer::from_metadata(vocab_metadata(v), "trained vocabulary");
}

}  // namespace holo
