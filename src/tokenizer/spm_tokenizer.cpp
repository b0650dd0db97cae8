#include "tokenizer/spm_tokenizer.h"

#include <queue>

#include "tokenizer/utf8.h"

namespace holo {

namespace {
constexpr std::string_view k_space_marker = "\xE2\x96\x81";  // U+2581 ▁
}

result<std::unique_ptr<spm_tokenizer>> spm_tokenizer::create(vocab v) {
    return std::unique_ptr<spm_tokenizer>(new spm_tokenizer(std::move(v)));
}

spm_tokenizer::spm_tokenizer(vocab v) : vocab_tokenizer(std::move(v)) {
    byte_token_.fill(-1);
    piece_.resize(vocab_.tokens.size());
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const std::string& t = vocab_.tokens[id];
        const token_kind k = vocab_.kinds[id];
        const int b = parse_byte_token(t);
        if (k == token_kind::byte && b >= 0) {
            byte_token_[b] = id;
            piece_[id] = std::string(1, char(b));
        } else if (k == token_kind::control || k == token_kind::unknown) {
            piece_[id] = t;
        } else {
            std::string s;
            for (size_t i = 0; i < t.size();) {
                if (t.compare(i, k_space_marker.size(), k_space_marker) == 0) {
                    s += ' ';
                    i += k_space_marker.size();
                } else {
                    s += t[i++];
                }
            }
            piece_[id] = std::move(s);
        }
    }
}

void spm_tokenizer::encode_fragment(std::string_view text, bool after_special, std::vector<int32_t>& out) const {
    std::string s;
    s.reserve(text.size() * 2 + 3);
    if (vocab_.add_space_prefix && after_special) s += k_space_marker;
    for (char c : text) {
        if (c == ' ') {
            s += k_space_marker;
        } else {
            s += c;
        }
    }
    if (s.empty()) return;
    struct symbol {
        size_t offset, length;  // length 0: merged into its left neighbour
        int32_t prev, next;
    };
    std::vector<symbol> sym;
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_valid_length(s, i);
        if (n == 0) n = 1;  // cannot happen after sanitizing; one byte keeps progress
        sym.push_back({i, n, int32_t(sym.size()) - 1, -1});
        if (sym.size() > 1) sym[sym.size() - 2].next = int32_t(sym.size()) - 1;
        i += n;
    }
    struct candidate {
        float score;
        int32_t left, right;
        size_t length;  // combined length when queued (detects stale entries)
        // Highest score first; ties go to the leftmost pair.
        bool operator<(const candidate& o) const { return score != o.score ? score < o.score : left > o.left; }
    };
    std::priority_queue<candidate> queue;
    std::string key;
    auto try_push = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        key.assign(s, sym[left].offset, sym[left].length + sym[right].length);
        auto it = id_of_.find(key);
        if (it == id_of_.end()) return;
        const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[it->second];
        queue.push({score, left, right, key.size()});
    };
    for (int32_t i = 0; i + 1 < int32_t(sym.size()); ++i) try_push(i, i + 1);
    while (!queue.empty()) {
        const candidate c = queue.top();
        queue.pop();
        symbol& l = sym[c.left];
        symbol& r = sym[c.right];
        if (l.length == 0 || r.length == 0 || l.length + r.length != c.length || l.next != c.right) continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (r.next >= 0) sym[r.next].prev = c.left;
        try_push(l.prev, c.left);
        try_push(c.left, l.next);
    }
    for (int32_t i = 0; i >= 0; i = sym[i].next) {
        key.assign(s, sym[i].offset, sym[i].length);
        auto it = id_of_.find(key);
        if (it != id_of_.end()) {
            out.push_back(it->second);
            continue;
        }
        for (char c : key) {
            const int32_t b = byte_token_[uint8_t(c)];
            if (b >= 0) {
                out.push_back(b);
            } else if (vocab_.specials.unk >= 0) {
                out.push_back(vocab_.specials.unk);
            }
        }
    }
}

std::string spm_tokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    bool after_special = true;
    for (int32_t id : ids) {
        if (id < 0 || id >= vocab_.size()) continue;
        if (is_control(id)) {
            out += piece_[id];
            after_special = true;
            continue;
        }
        std::string_view p = piece_[id];
        if (after_special && vocab_.add_space_prefix && !p.empty() && p[0] == ' ') p.remove_prefix(1);
        out += p;
        after_special = false;
    }
    return out;
}

}  // namespace holo
