// Perplexity over a token stream with llama.cpp's chunking, so the numbers compare:
// the text is tokenized once (with BOS), cut into n_chunk = n_tokens / n_ctx chunks of
// n_ctx tokens, each chunk's first token replaced by BOS (when the vocabulary adds
// one), evaluated on an empty cache, and only the second half scored: the logits at
// positions [n_ctx/2, n_ctx - 1) predict the tokens after them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"

namespace holo {

struct perplexity_plan {
    int32_t n_ctx = 0;
    int32_t n_chunk = 0;
    int32_t first = 0;             // first scored logit position within a chunk (n_ctx / 2)
    int32_t scored_per_chunk = 0;  // n_ctx - first - 1
};

// Errors when the stream holds fewer than 2 * n_ctx tokens (llama.cpp's requirement).
result<perplexity_plan> plan_perplexity(size_t n_tokens, int32_t n_ctx);

// The n_ctx tokens chunk `i` evaluates; bos >= 0 replaces the first one.
std::vector<int32_t> chunk_tokens(std::span<const int32_t> tokens, const perplexity_plan& plan, int32_t i,
                                  int32_t bos);

// -log softmax(logits)[target], in double so long sums stay exact enough.
double negative_log_likelihood(std::span<const float> logits, int32_t target);

// Running sums of nll and nll² over scored tokens.
class perplexity_accumulator {
public:
    void add(double nll) {
        sum_ += nll;
        sum2_ += nll * nll;
        ++count_;
    }
    int64_t count() const { return count_; }
    double ppl() const;
    // The ± llama.cpp prints: ppl × the standard error of the mean nll.
    double error() const;

private:
    double sum_ = 0, sum2_ = 0;
    int64_t count_ = 0;
};

}  // namespace holo
