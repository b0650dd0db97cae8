#include "tokenizer/special_split.h"

#include <algorithm>

namespace holo {

namespace {
uint32_t key2(uint8_t a, uint8_t b) { return (uint32_t(a) << 8) | b | 0x10000u; }
uint32_t key1(uint8_t a) { return a; }
}  // namespace

special_splitter::special_splitter(const vocab& v) : vocab_(&v) {
    for (int32_t id = 0; id < v.size(); ++id) {
        const token_kind k = v.kinds[id];
        const std::string& t = v.tokens[id];
        if (t.empty()) continue;
        if (k != token_kind::control && k != token_kind::user_defined && k != token_kind::unknown) continue;
        const auto* b = reinterpret_cast<const uint8_t*>(t.data());
        const uint32_t key = t.size() == 1 ? key1(b[0]) : key2(b[0], b[1]);
        has_one_byte_ |= t.size() == 1;
        by_prefix_[key].push_back({id, k != token_kind::user_defined});
    }
    for (auto& [key, list] : by_prefix_) {
        std::stable_sort(list.begin(), list.end(), [&](const candidate& a, const candidate& b) {
            return v.tokens[a.id].size() > v.tokens[b.id].size();
        });
    }
}

void special_splitter::split(std::string_view text, bool parse_special, std::vector<text_fragment>& out) const {
    size_t start = 0, i = 0;
    const auto* b = reinterpret_cast<const uint8_t*>(text.data());
    while (i < text.size()) {
        int32_t found = -1;
        size_t found_len = 0;
        auto consider = [&](uint32_t key) {
            auto it = by_prefix_.find(key);
            if (it == by_prefix_.end()) return;
            for (const candidate& c : it->second) {
                if (c.control && !parse_special) continue;
                const std::string& t = vocab_->tokens[c.id];
                if (t.size() <= found_len) break;  // sorted longest first
                if (text.compare(i, t.size(), t) == 0) {
                    found = c.id;
                    found_len = t.size();
                    break;
                }
            }
        };
        if (i + 1 < text.size()) consider(key2(b[i], b[i + 1]));
        if (has_one_byte_ && found < 0) consider(key1(b[i]));
        if (found < 0) {
            ++i;
            continue;
        }
        if (i > start) out.push_back({-1, start, i - start});
        out.push_back({found, i, found_len});
        i += found_len;
        start = i;
    }
    if (start < text.size()) out.push_back({-1, start, text.size() - start});
}

}  // namespace holo
