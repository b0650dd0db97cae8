#include "tokenizer/bpe_tokenizer.h"

#include <queue>

#include "tokenizer/unicode_normalize.h"

namespace holo {

result<std::unique_ptr<bpe_tokenizer>> bpe_tokenizer::create(vocab v) {
    auto pre = pre_tokenizer::for_name(v.pre);
    if (!pre.ok()) return error{v.source + ": tokenizer.ggml.pre: " + pre.message()};
    return std::unique_ptr<bpe_tokenizer>(new bpe_tokenizer(std::move(v), std::move(pre).value()));
}

bpe_tokenizer::bpe_tokenizer(vocab v, pre_tokenizer pre) : vocab_tokenizer(std::move(v)), pre_(std::move(pre)) {
    const std::string& p = vocab_.pre;
    ignore_merges_ = p == "llama-bpe" || p == "llama3" || p == "llama-v3" || p == "smaug-bpe" || p == "dbrx";
    nfc_ = p == "qwen2" || p == "qwen35" || p == "deepseek-r1-qwen" || p == "qwen";
    for (int b = 0; b < 256; ++b) {
        auto it = id_of_.find(bytes_.encoded(uint8_t(b)));
        byte_token_[b] = it == id_of_.end() ? -1 : it->second;
    }
    merges_.reserve(vocab_.merges.size());
    for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
        const std::string& m = vocab_.merges[rank];
        const size_t sp = m.find(' ', 1);
        const std::string left = m.substr(0, sp), right = m.substr(sp + 1);
        auto l = id_of_.find(left), r = id_of_.find(right), res = id_of_.find(left + right);
        if (l == id_of_.end() || r == id_of_.end() || res == id_of_.end()) continue;
        // The first (lowest-rank) merge of a pair is the one that applies.
        merges_.emplace(pair_key(l->second, r->second), merge{int32_t(rank), res->second});
    }
    // Normal tokens are stored in the byte alphabet; added tokens as plain text.
    piece_.resize(vocab_.tokens.size());
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const std::string& t = vocab_.tokens[id];
        const token_kind k = vocab_.kinds[id];
        if (k == token_kind::control || k == token_kind::user_defined || k == token_kind::unknown) {
            piece_[id] = t;
            continue;
        }
        if (k == token_kind::byte) {
            const int b = parse_byte_token(t);
            piece_[id] = std::string(1, char(b));
            continue;
        }
        std::string bytes;
        for (size_t i = 0; i < t.size();) {
            size_t n = utf8_valid_length(t, i);
            if (n == 0) {  // vocabularies are valid UTF-8; keep odd bytes rather than fail
                bytes += t[i++];
                continue;
            }
            const uint32_t cp = utf8_decode(t, i, n);
            const int b = bytes_.byte_of(cp);
            if (b >= 0) {
                bytes += char(b);
            } else {
                bytes.append(t, i, n);
            }
            i += n;
        }
        piece_[id] = std::move(bytes);
    }
}

void bpe_tokenizer::encode_fragment(std::string_view text, bool, std::vector<int32_t>& out) const {
    std::string normalized;
    if (nfc_) {
        normalized = nfc(text);
        text = normalized;
    }
    std::vector<text_span> words;
    pre_.split(text, words);
    for (const text_span& w : words) encode_word(text.substr(w.offset, w.length), out);
}

void bpe_tokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
    if (word.empty()) return;
    if (ignore_merges_ || word.size() == 1) {
        std::string mapped;
        for (char c : word) mapped += bytes_.encoded(uint8_t(c));
        auto it = id_of_.find(mapped);
        if (it != id_of_.end()) {
            out.push_back(it->second);
            return;
        }
    }
    // A doubly linked list of symbols, one per byte to start with.
    struct symbol {
        int32_t id;
        int32_t prev, next;  // -1 at the ends
    };
    std::vector<symbol> sym(word.size());
    for (size_t i = 0; i < word.size(); ++i) {
        sym[i] = {byte_token_[uint8_t(word[i])], int32_t(i) - 1, i + 1 < word.size() ? int32_t(i + 1) : -1};
    }
    struct candidate {
        int32_t rank, left, right, left_id, right_id, result;
        // Lowest rank first; among equal ranks, the leftmost pair.
        bool operator<(const candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
    };
    std::priority_queue<candidate> queue;
    auto try_push = [&](int32_t left) {
        if (left < 0) return;
        const int32_t right = sym[left].next;
        if (right < 0 || sym[left].id < 0 || sym[right].id < 0) return;
        auto it = merges_.find(pair_key(sym[left].id, sym[right].id));
        if (it != merges_.end()) queue.push({it->second.rank, left, right, sym[left].id, sym[right].id, it->second.result});
    };
    for (int32_t i = 0; i + 1 < int32_t(word.size()); ++i) try_push(i);
    while (!queue.empty()) {
        const candidate c = queue.top();
        queue.pop();
        symbol& l = sym[c.left];
        // Stale when either side was merged away or changed since it was queued.
        if (l.id != c.left_id || l.next != c.right || sym[c.right].id != c.right_id) continue;
        l.id = c.result;
        symbol& r = sym[c.right];
        l.next = r.next;
        if (r.next >= 0) sym[r.next].prev = c.left;
        r.id = -2;  // dead
        try_push(l.prev);
        try_push(c.left);
    }
    for (int32_t i = 0; i >= 0; i = sym[i].next) {
        if (sym[i].id >= 0) {
            out.push_back(sym[i].id);
        } else if (vocab_.specials.unk >= 0) {  // a byte the vocabulary cannot spell
            out.push_back(vocab_.specials.unk);
        }
    }
}

}  // namespace holo
