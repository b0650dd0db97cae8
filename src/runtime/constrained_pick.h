// Sampling under a json_matcher: tokens whose first byte cannot come next are
// masked (one pass over the vocabulary, no walks), then the sampler draws as
// usual; a token whose bytes would leave the matcher's language (or could no
// longer be completed within the token budget) is set to -inf and the draw
// repeated. After a few misses every remaining token is walked once and the draw
// is made from the viable ones only. Either way the result is a draw from the
// sampler's distribution renormalised over viable tokens.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/json_matcher.h"
#include "runtime/sampler.h"

namespace holo {

class tokenizer;

// Each token's bytes and kind, built once per model for constrained requests.
struct vocab_bytes {
    std::vector<std::string> piece;  // [n_vocab]
    std::vector<uint8_t> flags;      // [n_vocab]: k_control | k_end
    static constexpr uint8_t k_control = 1, k_end = 2;
};
vocab_bytes make_vocab_bytes(const tokenizer& tok);

struct constrained_choice {
    int32_t id = -1;        // -1: no token is viable (the caller ends the generation)
    bool end = false;       // id ends generation (allowed only when the document is complete)
};

// budget: tokens that may still be generated including this one (< 0: unbounded).
// The picked token is not fed to the matcher; the caller does that.
constrained_choice pick_constrained(sampler& smp, std::span<const float> logits, const json_matcher& m,
                                    const vocab_bytes& vb, int64_t budget, std::vector<float>& scratch);

}  // namespace holo
