#include "runtime/perplexity.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace holo {

result<perplexity_plan> plan_perplexity(size_t n_tokens, int32_t n_ctx) {
    if (n_ctx < 4) return error{"perplexity: --ctx must be at least 4, got " + std::to_string(n_ctx)};
    if (n_tokens < 2 * size_t(n_ctx)) {
        return error{"perplexity: the text tokenizes to " + std::to_string(n_tokens) + " tokens; a context of " +
                     std::to_string(n_ctx) + " needs at least " + std::to_string(2 * size_t(n_ctx)) +
                     " (pass a longer file or a smaller --ctx)"};
    }
    perplexity_plan p;
    p.n_ctx = n_ctx;
    p.n_chunk = int32_t(n_tokens / size_t(n_ctx));
    p.first = n_ctx / 2;
    p.scored_per_chunk = n_ctx - p.first - 1;
    return p;
}

std::vector<int32_t> chunk_tokens(std::span<const int32_t> tokens, const perplexity_plan& plan, int32_t i,
                                  int32_t bos) {
    const size_t start = size_t(i) * size_t(plan.n_ctx);
    std::vector<int32_t> out(tokens.begin() + start, tokens.begin() + start + plan.n_ctx);
    if (bos >= 0) out[0] = bos;
    return out;
}

double negative_log_likelihood(std::span<const float> logits, int32_t target) {
    float max_logit = -INFINITY;
    for (float l : logits) max_logit = std::max(max_logit, l);
    double sum = 0;
    for (float l : logits) sum += std::exp(double(l) - max_logit);
    return std::log(sum) + max_logit - double(logits[size_t(target)]);
}

double perplexity_accumulator::ppl() const { return count_ ? std::exp(sum_ / double(count_)) : 0.0; }

double perplexity_accumulator::error() const {
    if (count_ < 2) return 0.0;
    const double mean = sum_ / double(count_);
    const double var = sum2_ / double(count_) - mean * mean;
    if (var <= 0) return 0.0;
    return std::sqrt(var / double(count_ - 1)) * ppl();
}

}  // namespace holo
