// forward_multi (one decode step for several sequences, weights read once) against
// forward() run per sequence on identical caches: same logits up to summation
// order, caches advanced by one, and its input checks.
#include <gtest/gtest.h>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/forward_multi.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "test_util.h"

namespace holo {
namespace {

TEST(forward_multi, matches_forward_per_sequence) {
    const std::string path = test::write_tiny_model("fm_tiny.gguf");
    ASSERT_FALSE(path.empty());
    auto m = load_model(path);
    ASSERT_TRUE(m.ok()) << m.message();
    const model& mod = *m.value();
    thread_pool pool(2);

    // Three sequences at different positions (different prompt lengths).
    const std::vector<std::vector<int32_t>> prompts = {{1, 2, 3}, {7, 8, 9, 10, 11, 12, 13}, {42}};
    const std::vector<int32_t> next = {5, 6, 77};
    std::vector<std::unique_ptr<kv_cache>> a, b;
    std::vector<float> scratch;
    for (const auto& p : prompts) {
        for (auto* set : {&a, &b}) {
            set->push_back(std::make_unique<kv_cache>(mod, 64));
            ASSERT_TRUE(forward(mod, *set->back(), p, 0, false, scratch, pool).ok());
        }
    }
    std::vector<sequence_step> steps;
    for (size_t i = 0; i < prompts.size(); ++i) steps.push_back({a[i].get(), next[i]});
    std::vector<float> multi;
    auto r = forward_multi(mod, steps, multi, pool);
    ASSERT_TRUE(r.ok()) << r.message();
    const int64_t n_vocab = mod.hp().n_vocab;
    ASSERT_EQ(int64_t(multi.size()), n_vocab * int64_t(prompts.size()));
    for (size_t i = 0; i < prompts.size(); ++i) {
        std::vector<float> single;
        const int32_t one[1] = {next[i]};
        ASSERT_TRUE(forward(mod, *b[i], one, b[i]->n_pos(), false, single, pool).ok());
        std::vector<float> col(multi.begin() + int64_t(i) * n_vocab, multi.begin() + int64_t(i + 1) * n_vocab);
        // Same kernels, same quantized activations per column: only summation order may differ.
        EXPECT_LT(test::relative_rmse(single, col), 1e-5) << "sequence " << i;
        EXPECT_EQ(a[i]->n_pos(), int64_t(prompts[i].size()) + 1);
    }

    // Checks: nothing changes on an error.
    std::vector<sequence_step> dup = {{a[0].get(), 1}, {a[0].get(), 2}};
    EXPECT_FALSE(forward_multi(mod, dup, multi, pool).ok());
    std::vector<sequence_step> bad = {{a[1].get(), int32_t(n_vocab)}};
    EXPECT_FALSE(forward_multi(mod, bad, multi, pool).ok());
    EXPECT_EQ(a[1]->n_pos(), int64_t(prompts[1].size()) + 1);
    EXPECT_FALSE(forward_multi(mod, std::span<const sequence_step>(), multi, pool).ok());
}

}  // namespace
}  // namespace holo
