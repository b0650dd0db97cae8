// Holobiont's forward pass against llama.cpp's (the oracle, tests/oracle) on the same
// tiny synth files, for every architecture: top-1 agreement and mean KL divergence
// of the next-token distributions over issue 3's 512-token sequence, with llama.cpp's
// K/V cache and attention in f32 like ours (oracle logits --kv f32 --flash-attn off:
// llama.cpp's CPU flash attention rounds K/V to f16 whatever the cache type). Skips
// when the oracle is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include "../oracle/oracle_client.h"
#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/requantize.h"
#include "model/synth.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

namespace holo {
namespace {

struct agreement {
    double top1 = 0;        // fraction of positions whose argmax agrees
    double top1_clear = 1;  // the same, over positions where llama.cpp's best leads by > k_clear_margin
    double mean_kl = 0;     // mean KL(oracle || ours)
    double median_kl = 0;
    double max_abs = 0;
};

// Random tiny models have flat next-token distributions, so the argmax often sits
// on a near-tie; agreement is required where llama.cpp's choice is clear.
constexpr double k_clear_margin = 0.25;

// llama.cpp's logits for `tokens` (one sequence from position 0), K/V and attention
// in f32 like Holobiont: [n_vocab] floats per position, or nullopt with `err` set.
std::optional<std::vector<float>> llama_logits(const std::string& model, const std::vector<int32_t>& tokens,
                                               const std::string& out, std::string* err) {
    std::string list;
    for (int32_t t : tokens) list += (list.empty() ? "" : ",") + std::to_string(t);
    if (!test::run_oracle("logits " + test::shell_quote(model) + " " + list + " --out " + test::shell_quote(out) +
                              " --threads 2 --kv f32 --flash-attn off",
                          err)) {
        return std::nullopt;
    }
    auto bytes = test::read_bytes(out);
    std::remove(out.c_str());
    if (!bytes) {
        *err = "cannot read " + out;
        return std::nullopt;
    }
    return test::bytes_to_floats(*bytes);
}

agreement compare(const std::vector<float>& want, const std::vector<float>& got, int64_t V) {
    const int64_t n = int64_t(want.size()) / V;
    agreement a;
    std::vector<double> kls;
    int64_t n_clear = 0, n_clear_agree = 0;
    for (int64_t t = 0; t < n; ++t) {
        const float* w = want.data() + t * V;
        const float* g = got.data() + t * V;
        const int64_t best = std::max_element(w, w + V) - w;
        const bool agree = best == (std::max_element(g, g + V) - g);
        a.top1 += agree;
        float second = -INFINITY;
        for (int64_t i = 0; i < V; ++i)
            if (i != best) second = std::max(second, w[i]);
        if (w[best] - second > k_clear_margin) {
            ++n_clear;
            n_clear_agree += agree;
        }
        const double mw = *std::max_element(w, w + V), mg = *std::max_element(g, g + V);
        double sw = 0, sg = 0;
        for (int64_t i = 0; i < V; ++i) {
            sw += std::exp(double(w[i]) - mw);
            sg += std::exp(double(g[i]) - mg);
            a.max_abs = std::max(a.max_abs, double(std::fabs(w[i] - g[i])));
        }
        double kl = 0;
        for (int64_t i = 0; i < V; ++i) {
            const double lp = double(w[i]) - mw - std::log(sw), lq = double(g[i]) - mg - std::log(sg);
            kl += std::exp(lp) * (lp - lq);
        }
        a.mean_kl += kl;
        kls.push_back(kl);
        if (std::getenv("HOLO_ORACLE_VERBOSE")) std::printf("  pos %lld kl %.3g\n", (long long)t, kl);
    }
    a.top1 /= double(n);
    a.mean_kl /= double(n);
    if (n_clear) a.top1_clear = double(n_clear_agree) / double(n_clear);
    std::sort(kls.begin(), kls.end());
    a.median_kl = kls[kls.size() / 2];
    return a;
}

class forward_vs_llama_cpp : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(forward_vs_llama_cpp, next_token_distributions_agree) {
    HOLO_REQUIRE_ORACLE();
    const std::string preset = std::get<0>(GetParam()), type = std::get<1>(GetParam());
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.output_path = test::temp_path("oracle-" + preset + "-" + type + ".gguf");
    o.seed = 3;
    o.routing_skew = 1.0;
    o.n_threads = 2;
    o.progress = false;
    auto w = write_synth_model(o);
    ASSERT_TRUE(w.ok()) << w.message();
    auto m = load_model(o.output_path);
    ASSERT_TRUE(m.ok()) << m.message();
    const int64_t V = m.value()->hp().n_vocab;

    // HOLO_ORACLE_TOKENS overrides the length (for measuring the full table).
    const char* n_env = std::getenv("HOLO_ORACLE_TOKENS");
    const int64_t n_tokens = n_env ? std::atoll(n_env) : 512;
    std::mt19937 rng(17);
    std::vector<int32_t> tokens(static_cast<size_t>(n_tokens));
    for (auto& t : tokens) t = int32_t(rng() % uint32_t(V));
    std::string err;
    const auto llama = llama_logits(o.output_path, tokens, test::temp_path("oracle-" + preset + "-" + type + ".f32"), &err);
    ASSERT_TRUE(llama) << err;
    const std::vector<float>& want = *llama;
    ASSERT_EQ(want.size(), size_t(V) * tokens.size());

    thread_pool pool(2);
    kv_cache kv(*m.value(), n_tokens);
    std::vector<float> got;
    auto f = forward(*m.value(), kv, tokens, 0, true, got, pool);
    ASSERT_TRUE(f.ok()) << f.message();
    const agreement a = compare(want, got, V);
    std::printf("[ %s %s vs llama.cpp ] top1=%.3f top1_clear=%.3f mean_kl=%.3g median_kl=%.3g max_abs=%.3g\n",
                preset.c_str(), type.c_str(), a.top1, a.top1_clear, a.mean_kl, a.median_kl, a.max_abs);
    // Issue 3: mean KL <= 1e-3 at Q8_0, <= 5e-3 at Q4_K, top-1 >= 99%. With both
    // engines' attention in f32, F32 files agree to ~1e-13 KL and every quantized
    // file meets the KL bounds with >= 3x margin (worst mean 3.1e-4, tiny-qwen2moe
    // Q8_0). Plain top-1 on quantized files is 96-99%, short of 99%, and llama.cpp
    // is no closer to itself: its AMX path and its generic CPU path (oracle logits
    // --no-repack) agree on 96.1-100% of these positions (bench/oracle_agreement.sh).
    // The activation quantizers are byte-identical (oracle_activation_test) and each
    // matmul matches llama.cpp's to 1-2 ulp given the same input; ulp-level
    // differences in RMS norm, RoPE and attention flip an 8-bit rounding now and then,
    // and on these random models' near-tied argmaxes that moves top-1 (docs/oracle.md,
    // "Why quantized files differ"). Where llama.cpp's best leads by > 0.25 agreement
    // is 100%. Those are asserted as measured.
    if (type == "f32") {
        EXPECT_LE(a.mean_kl, 1e-9);
        EXPECT_GE(a.top1, 0.99);
    } else {
        const double kl_bound = type == "q4_k" ? 5e-3 : 1e-3;
        EXPECT_LE(a.mean_kl, kl_bound);
        EXPECT_LE(a.median_kl, kl_bound);
        EXPECT_GE(a.top1, 0.95);
        EXPECT_GE(a.top1_clear, 0.99);
    }
    std::remove(o.output_path.c_str());
}

// The same comparison on trained models, on 128-token windows (their training
// context) of the held-out KJV text. Their next-token choices are mostly clear, as a
// real model's are, so here the plain top-1 bound holds and is asserted.
//   default: the default model (qwen3moe, 128-wide rows) quantized by the test. Its
//     rows are too narrow for K-quant blocks, so (as in llama.cpp's quantizer) the
//     Q4_K_M mix falls back to q5_0/q5_1/q8_0 per tensor.
//   wide: tests/data/kjv-wide256-q4_k.gguf, a qwen3moe with 256-wide rows trained the
//     same way and committed at q4_K (30 q4_K tensors; tests/data/kjv-wide256-q4_k.md),
//     so trained q4_K blocks are covered too.
struct trained_case {
    const char* name;
    const char* file;  // under the source tree
    const char* type;  // requantized to this first; "" = as committed
    double kl_bound;   // issue 3: 1e-3 at Q8_0, 5e-3 at Q4_K
};

class trained_vs_llama_cpp : public ::testing::TestWithParam<trained_case> {};

TEST_P(trained_vs_llama_cpp, next_token_distributions_agree) {
    HOLO_REQUIRE_ORACLE();
    const trained_case c = GetParam();
    const std::string type = *c.type ? c.type : "as committed";
    requantize_options q;
    q.input_path = test::source_dir() + "/" + c.file;
    q.output_path = q.input_path;
    if (*c.type) {
        q.output_path = test::temp_path(std::string("oracle-") + c.name + ".gguf");
        q.type = c.type;
        q.n_threads = 2;
        q.progress = false;
        auto r = requantize_model(q);
        ASSERT_TRUE(r.ok()) << r.message();
    }
    auto m = load_model(q.output_path);
    ASSERT_TRUE(m.ok()) << m.message();
    auto tok = tokenizer::from_gguf(m.value()->file());
    ASSERT_TRUE(tok.ok()) << tok.message();
    std::ifstream f(test::source_dir() + "/tests/data/kjv-heldout.txt", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::vector<int32_t> ids = tok.value()->encode(ss.str(), false, false);
    constexpr size_t k_window = 128, k_windows = 4;
    ASSERT_GE(ids.size(), k_window * k_windows);
    const int64_t V = m.value()->hp().n_vocab;

    thread_pool pool(2);
    std::vector<float> want, got;
    for (size_t w = 0; w < k_windows; ++w) {
        const std::vector<int32_t> window(ids.begin() + long(w * k_window), ids.begin() + long((w + 1) * k_window));
        std::string err;
        const auto l = llama_logits(q.output_path, window, test::temp_path(std::string("oracle-") + c.name + ".f32"), &err);
        ASSERT_TRUE(l) << err;
        ASSERT_EQ(l->size(), size_t(V) * k_window);
        want.insert(want.end(), l->begin(), l->end());
        kv_cache kv(*m.value(), int64_t(k_window));
        std::vector<float> g;
        auto fw = forward(*m.value(), kv, window, 0, true, g, pool);
        ASSERT_TRUE(fw.ok()) << fw.message();
        got.insert(got.end(), g.begin(), g.end());
    }
    const agreement a = compare(want, got, V);
    std::printf("[ %s (%s) vs llama.cpp ] top1=%.3f top1_clear=%.3f mean_kl=%.3g median_kl=%.3g max_abs=%.3g\n", c.file,
                type.c_str(), a.top1, a.top1_clear, a.mean_kl, a.median_kl, a.max_abs);
    EXPECT_GE(a.top1, 0.99);
    EXPECT_LE(a.mean_kl, c.kl_bound);
    if (*c.type) std::remove(q.output_path.c_str());
}

INSTANTIATE_TEST_SUITE_P(trained_model, trained_vs_llama_cpp,
                         ::testing::Values(trained_case{"default_q8_0", "assets/default-model.gguf", "q8_0", 1e-3},
                                           trained_case{"default_q4_k_m", "assets/default-model.gguf", "q4_k_m", 5e-3},
                                           trained_case{"wide256_q4_k", "tests/data/kjv-wide256-q4_k.gguf", "", 5e-3}),
                         [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(all, forward_vs_llama_cpp,
                         ::testing::Combine(::testing::Values("tiny-llama", "tiny-mixtral", "tiny-qwen2", "tiny-qwen3",
                                                              "tiny-qwen2moe", "tiny-qwen3moe"),
                                            ::testing::Values("f32", "q8_0", "q4_k")),
                         [](const auto& info) {
                             std::string s = std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param);
                             for (char& c : s)
                                 if (c == '-') c = '_';
                             return s;
                         });

}  // namespace
}  // namespace holo
