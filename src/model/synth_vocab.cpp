#include "model/synth_vocab.h"

#include <array>
#include <string_view>
#include <unordered_set>

#include "core/error.h"

namespace holo {

namespace {

void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Words the merges build, most common English words first (order = merge priority).
constexpr std::array<std::string_view, 160> k_words = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
    "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you",
    "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will",
    "would", "who", "so", "no", "she", "other", "its", "may", "these", "what", "them", "than", "some", "him",
    "time", "into", "only", "do", "up", "out", "about", "could", "then", "my", "also", "any", "your", "like",
    "our", "new", "first", "over", "such", "very", "after", "now", "should", "because", "people", "said",
    "each", "two", "how", "made", "well", "many", "make", "before", "where", "through", "back", "years",
    "much", "good", "most", "day", "way", "even", "me", "man", "see", "must", "know", "here", "long", "did",
    "little", "great", "just", "world", "under", "life", "old", "never", "come", "same", "last", "us",
    "think", "while", "down", "house", "again", "upon", "once", "king", "lord", "said", "hello", "name",
    "water", "light", "night", "story", "model", "expert", "token", "language", "answer", "question",
    "yes", "thank", "please", "help", "let", "tell", "write", "number", "word", "ing", "ed", "er", "ly",
};

}  // namespace

std::string byte_token_text(uint8_t b) {
    // Printable Latin-1 bytes stand for themselves; the others map, in byte order,
    // to code points from 256 up (GPT-2's bytes_to_unicode).
    auto printable = [](int c) { return (c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255); };
    std::string s;
    if (printable(b)) {
        append_utf8(s, b);
        return s;
    }
    uint32_t n = 0;
    for (int c = 0; c < b; ++c) n += printable(c) ? 0 : 1;
    append_utf8(s, 256 + n);
    return s;
}

synth_vocab build_synth_vocab(int64_t n_vocab) {
    HOLO_ASSERT(n_vocab >= 259, "build_synth_vocab: vocabulary too small for bytes and special tokens");
    synth_vocab v;
    v.tokens.reserve(static_cast<size_t>(n_vocab));
    std::unordered_set<std::string> known;
    for (int b = 0; b < 256; ++b) {
        v.tokens.push_back(byte_token_text(static_cast<uint8_t>(b)));
        v.token_types.push_back(static_cast<int32_t>(synth_token_type::normal));
        known.insert(v.tokens.back());
    }

    const int64_t n_special = 3;
    const int64_t merge_budget = n_vocab - 256 - n_special;
    // Each word is built left to right: ("t","h") -> "th", ("th","e") -> "the"; the
    // space-prefixed form ("Ġthe", GPT-2's mark for a leading space) first, as
    // words mostly follow a space in running text.
    const std::string space = byte_token_text(' ');
    for (std::string_view w : k_words) {
        if (w.empty()) continue;  // the array is sized larger than its word list
        for (int prefixed = 1; prefixed >= 0; --prefixed) {
            std::vector<std::string> pieces;
            if (prefixed) pieces.push_back(space);
            for (char c : w) pieces.push_back(byte_token_text(static_cast<uint8_t>(c)));
            std::string acc = pieces[0];
            for (size_t i = 1; i < pieces.size(); ++i) {
                std::string merged = acc + pieces[i];
                if (!known.count(merged)) {
                    if (static_cast<int64_t>(v.merges.size()) >= merge_budget) break;
                    v.merges.push_back(acc + " " + pieces[i]);
                    v.tokens.push_back(merged);
                    v.token_types.push_back(static_cast<int32_t>(synth_token_type::normal));
                    known.insert(merged);
                }
                acc = std::move(merged);
            }
        }
    }

    auto add_special = [&](const char* text) {
        v.tokens.emplace_back(text);
        v.token_types.push_back(static_cast<int32_t>(synth_token_type::control));
        return static_cast<int32_t>(v.tokens.size() - 1);
    };
    v.bos_id = v.pad_id = add_special("<|endoftext|>");
    add_special("<|im_start|>");
    v.eos_id = add_special("<|im_end|>");

    while (static_cast<int64_t>(v.tokens.size()) < n_vocab) {
        v.tokens.push_back("[PAD" + std::to_string(v.tokens.size()) + "]");
        v.token_types.push_back(static_cast<int32_t>(synth_token_type::unused));
    }

    v.chat_template =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
        "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    return v;
}

}  // namespace holo
