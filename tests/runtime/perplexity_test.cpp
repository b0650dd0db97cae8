// Perplexity bookkeeping follows llama.cpp's rule: n_tokens / n_ctx chunks, BOS in
// front of each, second half scored; the estimate and its ± from known nll values.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "runtime/bench_stats.h"
#include "runtime/perplexity.h"

namespace holo {
namespace {

TEST(perplexity, chunk_arithmetic) {
    std::vector<int32_t> tokens(1000);
    std::iota(tokens.begin(), tokens.end(), 100);
    auto plan = plan_perplexity(tokens.size(), 128);
    ASSERT_TRUE(plan.ok()) << plan.message();
    EXPECT_EQ(plan->n_chunk, 7);  // 1000 / 128, the tail of 104 tokens dropped
    EXPECT_EQ(plan->first, 64);
    EXPECT_EQ(plan->scored_per_chunk, 63);
    auto c = chunk_tokens(tokens, *plan, 2, 1);
    ASSERT_EQ(c.size(), 128u);
    EXPECT_EQ(c[0], 1);             // BOS replaces the chunk's first token
    EXPECT_EQ(c[1], 100 + 256 + 1);
    EXPECT_EQ(c[127], 100 + 256 + 127);
    auto nobos = chunk_tokens(tokens, *plan, 0, -1);
    EXPECT_EQ(nobos[0], 100);
    // Odd context: first = 32 of 65, 32 scored.
    auto odd = plan_perplexity(200, 65);
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(odd->n_chunk, 3);
    EXPECT_EQ(odd->first, 32);
    EXPECT_EQ(odd->scored_per_chunk, 32);
}

TEST(perplexity, too_short_text_is_an_error_naming_the_numbers) {
    auto plan = plan_perplexity(255, 128);
    ASSERT_FALSE(plan.ok());
    EXPECT_NE(plan.message().find("255"), std::string::npos);
    EXPECT_NE(plan.message().find("256"), std::string::npos);
}

TEST(perplexity, nll_and_estimate) {
    // Uniform over 8 tokens: nll = log 8 for any target, ppl = 8, no spread.
    std::vector<float> uniform(8, 0.25f);
    EXPECT_NEAR(negative_log_likelihood(uniform, 3), std::log(8.0), 1e-12);
    std::vector<float> l = {1000.f, 999.f, -5.f};  // large logits must not overflow
    const double z = std::log(1 + std::exp(-1.0) + std::exp(-1005.0));
    EXPECT_NEAR(negative_log_likelihood(l, 1), 1.0 + z, 1e-9);
    perplexity_accumulator acc;
    for (int i = 0; i < 10; ++i) acc.add(std::log(8.0));
    EXPECT_NEAR(acc.ppl(), 8.0, 1e-9);
    EXPECT_NEAR(acc.error(), 0.0, 1e-6);
    // nll ∈ {1, 3}: mean 2, population variance 1, error = sqrt(1 / (n-1)) * e^2.
    perplexity_accumulator b;
    for (int i = 0; i < 50; ++i) b.add(i % 2 ? 3.0 : 1.0);
    EXPECT_NEAR(b.ppl(), std::exp(2.0), 1e-9);
    EXPECT_NEAR(b.error(), std::sqrt(1.0 / 49) * std::exp(2.0), 1e-9);
}

TEST(bench_stats, mean_and_sample_sd) {
    auto s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
    EXPECT_DOUBLE_EQ(s.mean, 5.0);
    EXPECT_NEAR(s.sd, std::sqrt(32.0 / 7), 1e-12);
    EXPECT_EQ(summarize({3.0}).sd, 0.0);
    EXPECT_EQ(summarize({}).mean, 0.0);
}

}  // namespace
}  // namespace holo
