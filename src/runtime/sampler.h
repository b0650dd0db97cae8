// Turns a logits vector into the next token: penalties over the recent history,
// then top-k → top-p → min-p → temperature → a seeded draw (llama.cpp's default
// order, so the same settings mean the same thing). Same seed, same logits → same token.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <vector>

namespace holo {

struct sampler_params {
    float temperature = 0.8f;        // <= 0: greedy (argmax after penalties)
    int32_t top_k = 40;              // <= 0: off
    float top_p = 0.95f;             // >= 1: off
    float min_p = 0.05f;             // <= 0: off
    float repeat_penalty = 1.0f;     // 1: off
    float presence_penalty = 0.0f;   // 0: off
    float frequency_penalty = 0.0f;  // 0: off
    int32_t penalty_last_n = 64;     // how many recent tokens the penalties look at; 0: off
    uint64_t seed = 0;
};

// One entry of the candidate list the filters narrow down.
struct token_candidate {
    int32_t id;
    float logit;
    float p;  // probability after the last softmax
};

// The filters, exposed so tests can check the exact candidate sets they keep.
// Penalties apply to `logits` in place: for each token seen c > 0 times in `history`,
// logit := logit > 0 ? logit / repeat : logit * repeat, then logit -= c * frequency + presence.
void apply_penalties(std::span<float> logits, std::span<const int32_t> history, float repeat,
                     float frequency, float presence);
// Sorts by logit (descending, ties by id) and recomputes p as softmax of the logits.
void sort_and_softmax(std::vector<token_candidate>& c);
// Each of these expects sort_and_softmax order and keeps at least one candidate.
void keep_top_k(std::vector<token_candidate>& c, int32_t k);
// Smallest prefix whose probability mass reaches p (renormalized over the list).
void keep_top_p(std::vector<token_candidate>& c, float p);
// Candidates whose probability is at least p times the most likely one's.
void keep_min_p(std::vector<token_candidate>& c, float p);

class sampler {
public:
    explicit sampler(const sampler_params& params);

    // Picks the next token from logits [n_vocab]; does not record it (see accept).
    int32_t sample(std::span<const float> logits);
    // Records a token (prompt or generated) in the penalty history.
    void accept(int32_t id);
    void reset();  // clears the history and reseeds

    const sampler_params& params() const { return params_; }

private:
    sampler_params params_;
    std::mt19937_64 rng_;
    std::deque<int32_t> history_;  // the last penalty_last_n tokens
    std::vector<float> scratch_;
    std::vector<token_candidate> candidates_;
};

}  // namespace holo
