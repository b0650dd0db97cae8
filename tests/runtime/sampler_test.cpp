// The sampler's filters keep exactly the candidates their definitions say, on
// hand-built distributions; penalties touch exactly the penalized logits; the draw
// is a function of the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "runtime/sampler.h"

namespace holo {
namespace {

// Logits whose softmax is exactly `probs` (up to float rounding).
std::vector<float> logits_for(const std::vector<double>& probs) {
    std::vector<float> l;
    for (double p : probs) l.push_back(float(std::log(p)));
    return l;
}

std::vector<token_candidate> candidates(const std::vector<float>& logits) {
    std::vector<token_candidate> c;
    for (size_t i = 0; i < logits.size(); ++i) c.push_back({int32_t(i), logits[i], 0});
    sort_and_softmax(c);
    return c;
}

std::set<int32_t> ids(const std::vector<token_candidate>& c) {
    std::set<int32_t> s;
    for (auto& x : c) s.insert(x.id);
    return s;
}

TEST(sampler, greedy_is_argmax) {
    sampler_params p;
    p.temperature = 0;
    sampler s(p);
    std::vector<float> l = {0.1f, -3.f, 7.5f, 7.4f, 2.f};
    EXPECT_EQ(s.sample(l), 2);
    l[4] = 9.f;
    EXPECT_EQ(s.sample(l), 4);
}

TEST(sampler, top_k_keeps_the_k_largest) {
    auto c = candidates({1.f, 5.f, 3.f, 4.f, 2.f});
    keep_top_k(c, 3);
    EXPECT_EQ(ids(c), (std::set<int32_t>{1, 3, 2}));
    auto all = candidates({1.f, 5.f, 3.f});
    keep_top_k(all, 0);  // off
    EXPECT_EQ(all.size(), 3u);
}

TEST(sampler, top_p_keeps_the_smallest_prefix_reaching_p) {
    // probabilities 0.5, 0.25, 0.15, 0.1 (ids 2, 0, 3, 1)
    auto l = logits_for({0.25, 0.1, 0.5, 0.15});
    auto c = candidates(l);
    keep_top_p(c, 0.7f);  // 0.5 < 0.7 ≤ 0.75
    EXPECT_EQ(ids(c), (std::set<int32_t>{2, 0}));
    c = candidates(l);
    keep_top_p(c, 0.8f);  // 0.75 < 0.8 ≤ 0.9
    EXPECT_EQ(ids(c), (std::set<int32_t>{2, 0, 3}));
    c = candidates(l);
    keep_top_p(c, 0.4f);  // the top one alone already reaches it
    EXPECT_EQ(ids(c), (std::set<int32_t>{2}));
}

TEST(sampler, min_p_keeps_those_above_the_scaled_maximum) {
    // p: 0.4, 0.3, 0.2, 0.1 → with min_p 0.5 the threshold is 0.2: keeps 0.4, 0.3, 0.2
    auto l = logits_for({0.1, 0.4, 0.2, 0.3});
    auto c = candidates(l);
    keep_min_p(c, 0.45f);  // threshold 0.18
    EXPECT_EQ(ids(c), (std::set<int32_t>{1, 3, 2}));
    c = candidates(l);
    keep_min_p(c, 0.6f);  // threshold 0.24
    EXPECT_EQ(ids(c), (std::set<int32_t>{1, 3}));
}

TEST(sampler, penalties_change_exactly_the_penalized_logits) {
    std::vector<float> l = {2.f, -2.f, 1.f, 0.5f, -1.f};
    const std::vector<float> orig = l;
    std::vector<int32_t> history = {0, 1, 0, 3, 0};  // 0 ×3, 1 ×1, 3 ×1
    apply_penalties(l, history, 2.0f, 0.1f, 0.5f);
    EXPECT_FLOAT_EQ(l[0], 2.f / 2 - 3 * 0.1f - 0.5f);
    EXPECT_FLOAT_EQ(l[1], -2.f * 2 - 1 * 0.1f - 0.5f);
    EXPECT_FLOAT_EQ(l[3], 0.5f / 2 - 1 * 0.1f - 0.5f);
    EXPECT_EQ(l[2], orig[2]);
    EXPECT_EQ(l[4], orig[4]);
}

TEST(sampler, penalty_window_only_looks_at_the_last_n_tokens) {
    sampler_params p;
    p.temperature = 0;
    p.repeat_penalty = 100.f;
    p.penalty_last_n = 2;
    sampler s(p);
    std::vector<float> l = {5.f, 4.f, 1.f};
    s.accept(0);
    EXPECT_EQ(s.sample(l), 1);  // 0 penalized to 0.05
    s.accept(2);
    s.accept(2);  // 0 has left the window
    EXPECT_EQ(s.sample(l), 0);
}

TEST(sampler, same_seed_same_draws_and_draws_follow_the_distribution) {
    sampler_params p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = 1234;
    auto l = logits_for({0.5, 0.3, 0.2});
    sampler a(p), b(p);
    std::vector<int32_t> da, db;
    std::map<int32_t, int> counts;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        da.push_back(a.sample(l));
        db.push_back(b.sample(l));
        ++counts[da.back()];
    }
    EXPECT_EQ(da, db);
    // Binomial sd at n = 20000 is ≤ 0.0036; 0.015 is > 4 sd.
    EXPECT_NEAR(counts[0] / double(n), 0.5, 0.015);
    EXPECT_NEAR(counts[1] / double(n), 0.3, 0.015);
    EXPECT_NEAR(counts[2] / double(n), 0.2, 0.015);
    p.seed = 99;
    sampler c(p);
    std::vector<int32_t> dc;
    for (int i = 0; i < n; ++i) dc.push_back(c.sample(l));
    EXPECT_NE(da, dc);
    a.reset();
    for (int i = 0; i < 100; ++i) ASSERT_EQ(a.sample(l), da[size_t(i)]);
}

TEST(sampler, filters_restrict_what_can_be_drawn) {
    sampler_params p;
    p.temperature = 1.5f;
    p.top_k = 2;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = 7;
    sampler s(p);
    std::vector<float> l = {1.f, 3.f, 2.9f, 0.f, 2.8f};
    std::set<int32_t> seen;
    for (int i = 0; i < 2000; ++i) seen.insert(s.sample(l));
    EXPECT_EQ(seen, (std::set<int32_t>{1, 2}));
}

TEST(sampler, low_temperature_concentrates_high_spreads) {
    auto l = logits_for({0.4, 0.35, 0.25});
    auto frac_top = [&](float t) {
        sampler_params p;
        p.temperature = t;
        p.top_k = 0;
        p.top_p = 1;
        p.min_p = 0;
        p.seed = 5;
        sampler s(p);
        int top = 0;
        for (int i = 0; i < 5000; ++i) top += s.sample(l) == 0;
        return top / 5000.0;
    };
    // At T = 0.1 the top token has p ≈ 0.79; at T = 1 it is 0.4.
    EXPECT_GT(frac_top(0.1f), 0.72);
    EXPECT_NEAR(frac_top(1.0f), 0.4, 0.03);
}

TEST(sampler, nan_and_infinite_logits_never_crash_or_win) {
    sampler_params p;
    p.temperature = 1.0f;
    p.seed = 2;
    sampler s(p);
    std::vector<float> l(1000, NAN);
    l[17] = 1.0f;
    for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(l), 17);
    std::vector<float> none(8, -INFINITY);
    const int32_t id = s.sample(none);  // nothing is possible: any id, but a valid one
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 8);
    p.temperature = 0;
    sampler g(p);
    EXPECT_EQ(g.sample(l), 17);
}

}  // namespace
}  // namespace holo
