#include "tokenizer/vocab_tokenizer.h"

#include <algorithm>

#include "tokenizer/utf8.h"

namespace holo {

namespace {
// End-of-turn markers of common chat formats; a generation stops on any of them
// even when the file names only one eos/eot id (llama.cpp does the same).
bool looks_like_end_of_turn(std::string_view t) {
    static const std::string_view known[] = {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
        "<EOT>", "<|end_of_text|>", "<｜end▁of▁sentence｜>", "</s>", "<|return|>", "<|call|>",
    };
    return std::find(std::begin(known), std::end(known), t) != std::end(known);
}
}  // namespace

vocab_tokenizer::vocab_tokenizer(vocab v) : vocab_(std::move(v)), splitter_(vocab_) {
    id_of_.reserve(vocab_.tokens.size());
    for (int32_t id = 0; id < vocab_.size(); ++id) id_of_.emplace(vocab_.tokens[id], id);
    const special_tokens& sp = vocab_.specials;
    if (sp.eos >= 0) eog_.push_back(sp.eos);
    if (sp.eot >= 0) eog_.push_back(sp.eot);
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        if (vocab_.kinds[id] == token_kind::control && looks_like_end_of_turn(vocab_.tokens[id])) eog_.push_back(id);
    }
    std::sort(eog_.begin(), eog_.end());
    eog_.erase(std::unique(eog_.begin(), eog_.end()), eog_.end());
}

std::vector<int32_t> vocab_tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
    std::vector<int32_t> out;
    const special_tokens& sp = vocab_.specials;
    if (add_special && sp.add_bos && sp.bos >= 0) out.push_back(sp.bos);
    // Invalid bytes become U+FFFD first, as in the reference tokenizers, so every
    // later stage sees valid UTF-8.
    std::string clean;
    if (!utf8_is_valid(text)) {
        clean = utf8_sanitize(text);
        text = clean;
    }
    std::vector<text_fragment> fragments;
    splitter_.split(text, parse_special, fragments);
    bool after_special = true;
    for (const text_fragment& f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
            after_special = true;
        } else {
            encode_fragment(text.substr(f.offset, f.length), after_special, out);
            after_special = false;
        }
    }
    if (add_special && sp.add_eos && sp.eos >= 0) out.push_back(sp.eos);
    return out;
}

std::string vocab_tokenizer::token_to_piece(int32_t id) const {
    if (id < 0 || id >= vocab_.size()) return {};
    return piece_[id];
}

std::string vocab_tokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) {
        if (id >= 0 && id < vocab_.size()) out += piece_[id];
    }
    return out;
}

bool vocab_tokenizer::is_end_of_generation(int32_t id) const {
    return std::binary_search(eog_.begin(), eog_.end(), id);
}

std::string_view vocab_tokenizer::token_text(int32_t id) const {
    if (id < 0 || id >= vocab_.size()) return {};
    return vocab_.tokens[id];
}

bool vocab_tokenizer::is_control(int32_t id) const {
    if (id < 0 || id >= vocab_.size()) return false;
    return vocab_.kinds[id] == token_kind::control || vocab_.kinds[id] == token_kind::unknown;
}

int32_t vocab_tokenizer::find_token(std::string_view text) const {
    auto it = id_of_.find(std::string(text));
    return it == id_of_.end() ? -1 : it->second;
}

}  // namespace holo
