#include "runtime/constrained_pick.h"

#include <cmath>

#include "tokenizer/tokenizer.h"

namespace holo {

vocab_bytes make_vocab_bytes(const tokenizer& tok) {
    vocab_bytes vb;
    const int32_t n = tok.n_vocab();
    vb.piece.resize(size_t(n));
    vb.flags.resize(size_t(n), 0);
    for (int32_t id = 0; id < n; ++id) {
        vb.piece[size_t(id)] = tok.token_to_piece(id);
        if (tok.is_control(id)) vb.flags[size_t(id)] |= vocab_bytes::k_control;
        if (tok.is_end_of_generation(id)) vb.flags[size_t(id)] |= vocab_bytes::k_end;
    }
    return vb;
}

namespace {

// Bytes a viable path needs at least: one token per byte is always possible
// (every byte has a token in byte-level and byte-fallback vocabularies).
enum class need { budget, progress, viable };

struct checker {
    const json_matcher& m;
    const vocab_bytes& vb;
    int64_t budget;
    bool complete, affix;
    size_t remaining;  // m.min_remaining()

    // budget: the shortest completion after the token fits the tokens left;
    // progress: the token brings the completion closer (when the budget cannot
    // be met any more, every token still shortens the way to a whole document);
    // viable: the text stays a prefix of one.
    bool ok(int32_t id, need level) const {
        const uint8_t fl = vb.flags[size_t(id)];
        if (fl & vocab_bytes::k_end) return complete;
        const std::string& p = vb.piece[size_t(id)];
        if (p.empty() || ((fl & vocab_bytes::k_control) && !affix)) return false;
        const int64_t left = m.remaining_after(p);
        if (left < 0) return false;
        if (level == need::budget) return budget < 0 || left <= budget - 1;
        if (level == need::progress) return size_t(left) < remaining;
        return true;
    }
};

}  // namespace

constrained_choice pick_constrained(sampler& smp, std::span<const float> logits, const json_matcher& m,
                                    const vocab_bytes& vb, int64_t budget, std::vector<float>& scratch) {
    HOLO_ASSERT(logits.size() == vb.piece.size(), "pick_constrained: logits and vocabulary differ in size");
    const checker chk{m, vb, budget, m.complete(), m.in_affix(), m.min_remaining()};
    auto done = [&](int32_t id) { return constrained_choice{id, (vb.flags[size_t(id)] & vocab_bytes::k_end) != 0}; };
    // 0. Which bytes may come next: tokens starting with any other byte, and end or
    //    control tokens where they cannot be, are out before any draw (cheap, and at
    //    structural positions it leaves few candidates).
    std::array<bool, 256> first{};
    for (int c = 0; c < 256; ++c) {
        const char ch = char(c);
        first[size_t(c)] = m.accepts(std::string_view(&ch, 1));
    }
    auto maybe = [&](size_t id) {
        const uint8_t fl = vb.flags[id];
        if (fl & vocab_bytes::k_end) return chk.complete;
        if ((fl & vocab_bytes::k_control) && !chk.affix) return false;
        const std::string& p = vb.piece[id];
        return !p.empty() && first[uint8_t(p[0])];
    };
    scratch.assign(logits.begin(), logits.end());
    for (size_t id = 0; id < scratch.size(); ++id)
        if (!maybe(id)) scratch[id] = -INFINITY;
    // 1. Draw, reject, draw again: most draws pass, and each miss costs one walk.
    for (int attempt = 0; attempt < 4; ++attempt) {
        const int32_t id = smp.sample(scratch);
        if (scratch[size_t(id)] == -INFINITY) break;  // nothing finite is left to draw
        if (chk.ok(id, need::budget)) return done(id);
        scratch[size_t(id)] = -INFINITY;
    }
    // 2. Mask every non-viable token, then draw once. Within the budget if possible;
    //    when even the shortest completion no longer fits, the tokens that shorten it.
    for (need level : {need::budget, need::progress, need::viable}) {
        std::vector<float> masked(logits.begin(), logits.end());
        size_t n_ok = 0;
        for (size_t id = 0; id < masked.size(); ++id) {
            if (maybe(id) && chk.ok(int32_t(id), level)) {
                ++n_ok;
                if (std::isnan(masked[id])) masked[id] = -1e30f;
            } else {
                masked[id] = -INFINITY;
            }
        }
        if (n_ok == 0) continue;
        const int32_t id = smp.sample(masked);
        if (masked[size_t(id)] != -INFINITY) return done(id);
        // Every viable logit was -inf: take the first viable token.
        for (size_t i = 0; i < masked.size(); ++i)
            if (chk.ok(int32_t(i), level)) return done(int32_t(i));
    }
    return {};
}

}  // namespace holo
