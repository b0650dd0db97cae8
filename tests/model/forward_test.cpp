// The optimized forward pass against its plain reference twin, for tiny synth models
// of every architecture at F32, F16, Q8_0, Q4_K and Q3_K: logits at prompt lengths
// 1, 7, 64 and 300, incremental decoding vs one batch, KV truncation, input errors,
// and the layer-by-layer debug hook.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/reference_forward.h"
#include "model/synth.h"
#include "test_util.h"

namespace holo {
namespace {

struct bounds {
    double max_abs;     // on logits
    double mean_kl;     // mean over positions of KL(softmax(ref) || softmax(fast))
    double flip_logit;  // a routing choice may differ from the reference's only between
                        // experts whose reference router logits are this close
};

// The fast path quantizes activations to Q8_0 / Q8_K for quantized weights (and
// rounds them to f16 for F16 weights); the reference stays in f32/double. F32
// differs only by summation order. For MoE models that noise can flip a top-k
// choice between two nearly tied experts, a discrete change the numeric bounds
// cannot cover: so MoE logits are compared with the reference routed like the fast
// pass (forced experts), and the flips themselves are checked to be near-ties.
bounds bounds_for(const std::string& type) {
    if (type == "f32") return {2e-4, 1e-10, 1e-4};
    if (type == "f16") return {1e-2, 2e-6, 0.02};
    if (type == "q8_0") return {0.25, 5e-4, 0.15};
    return {0.4, 1.2e-3, 0.3};  // q4_k, q3_k
}

const char* const k_presets[] = {"tiny-llama", "tiny-mixtral", "tiny-qwen2", "tiny-qwen3", "tiny-qwen2moe", "tiny-qwen3moe"};
const char* const k_types[] = {"f32", "f16", "q8_0", "q4_k", "q3_k"};
constexpr int64_t k_max_len = 300;

std::shared_ptr<const model> synth_model(const std::string& preset, const std::string& type) {
    static std::map<std::string, std::shared_ptr<const model>> cache;
    const std::string key = preset + "-" + type;
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.output_path = test::temp_path(key + ".gguf");
    o.seed = 7;
    o.n_threads = 2;
    o.progress = false;
    auto w = write_synth_model(o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.message());
    if (!w.ok()) return nullptr;
    auto m = load_model(o.output_path);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.message());
    if (!m.ok()) return nullptr;
    std::remove(o.output_path.c_str());  // the map keeps the data alive
    return cache[key] = m.value();
}

std::vector<int32_t> prompt(int64_t n_vocab, int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int32_t> d(0, int32_t(n_vocab - 1));
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (auto& x : t) x = d(rng);
    return t;
}

std::vector<double> softmax(const float* x, int64_t n) {
    double mx = x[0];
    for (int64_t i = 1; i < n; ++i) mx = std::max(mx, double(x[i]));
    std::vector<double> p(static_cast<size_t>(n));
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += (p[size_t(i)] = std::exp(double(x[i]) - mx));
    for (double& v : p) v /= s;
    return p;
}

double kl(const float* ref, const float* got, int64_t n) {
    auto p = softmax(ref, n), q = softmax(got, n);
    double k = 0;
    for (int64_t i = 0; i < n; ++i)
        if (p[size_t(i)] > 0) k += p[size_t(i)] * (std::log(p[size_t(i)]) - std::log(std::max(q[size_t(i)], 1e-300)));
    return k;
}

class forward_vs_reference : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

using tensor_map = std::map<std::string, std::vector<float>>;

tensor_callback collect_into(tensor_map& into, const std::string& suffix) {
    return [&into, suffix](std::string_view name, int64_t, int64_t n_tokens, int64_t row_len, const float* d) {
        if (!name.ends_with(suffix)) return;
        auto& v = into[std::string(name)];
        v.insert(v.end(), d, d + n_tokens * row_len);
    };
}

// Checks the fast pass's expert choices against the router logits the reference
// computes on the same history (reference run with the fast pass's routing): every
// chosen expert must be within `tol` of the reference's k-th best logit, i.e. a
// choice may differ from the reference's top-k only between near-tied experts.
// Returns the fraction of (position, layer) choices that differ at all.
double check_routing(const model& m, const tensor_map& fast, const tensor_map& ref, double tol) {
    const int64_t n_used = m.hp().n_expert_used, n_expert = m.hp().n_expert;
    int64_t n = 0, n_flip = 0;
    for (int64_t il = 0; il < m.hp().n_layer; ++il) {
        const std::string p = "l" + std::to_string(il) + ".";
        const auto& fi = fast.at(p + "moe_ids");
        const auto& rl = ref.at(p + "moe_logits");
        const int64_t n_pos = int64_t(fi.size()) / n_used;
        EXPECT_EQ(int64_t(rl.size()), n_pos * n_expert);
        for (int64_t t = 0; t < n_pos; ++t, ++n) {
            const float* f = fi.data() + t * n_used;
            std::vector<float> lg(rl.begin() + t * n_expert, rl.begin() + (t + 1) * n_expert);
            std::vector<float> sorted = lg;
            std::sort(sorted.begin(), sorted.end(), std::greater<float>());
            const float kth = sorted[size_t(n_used - 1)];
            bool flipped = false;
            for (int64_t k = 0; k < n_used; ++k) {
                const float l = lg[size_t(f[k])];
                flipped |= l < kth;
                EXPECT_GE(l, kth - tol) << "layer " << il << " position " << t << ": expert " << f[k]
                                        << " chosen over a clear winner";
            }
            n_flip += flipped;
        }
    }
    return n ? double(n_flip) / double(n) : 0.0;
}

TEST_P(forward_vs_reference, logits_match_at_prompt_lengths_1_7_64_300) {
    const std::string preset = std::get<0>(GetParam()), type = std::get<1>(GetParam());
    auto m = synth_model(preset, type);
    ASSERT_TRUE(m);
    const int64_t V = m->hp().n_vocab;
    const bool moe = m->hp().n_expert > 0;
    const auto tokens = prompt(V, k_max_len, 11);
    const bounds b = bounds_for(type);
    thread_pool pool(2);

    // Dense models: the reference is causal and one token at a time, so one run with
    // every position's logits gives the reference for every prompt length. MoE
    // models: for each length the reference is routed like that fast run (batch size
    // changes the kernels' rounding, hence near-tie choices), and the fast run's
    // routing is checked against the router logits the reference computes on that
    // history (see bounds_for).
    std::vector<float> dense_ref;
    if (!moe) {
        kv_cache kv(*m, 512);
        auto r = forward_reference(*m, kv, tokens, 0, true, dense_ref);
        ASSERT_TRUE(r.ok()) << r.message();
        ASSERT_EQ(dense_ref.size(), size_t(V * k_max_len));
    }

    for (int64_t len : {1, 7, 64, 300}) {
        const std::span<const int32_t> prefix = std::span(tokens).first(size_t(len));
        kv_cache kv(*m, 512);
        std::vector<float> got;
        tensor_map fast_routing;
        const tensor_callback cb_fast = collect_into(fast_routing, "moe_ids");
        auto f = forward(*m, kv, prefix, 0, true, got, pool, moe ? &cb_fast : nullptr);
        ASSERT_TRUE(f.ok()) << f.message();
        ASSERT_EQ(got.size(), size_t(V * len));
        EXPECT_EQ(kv.n_pos(), len);

        std::vector<float> moe_ref;
        if (moe) {
            std::vector<std::vector<int32_t>> forced(size_t(m->hp().n_layer));
            for (int64_t il = 0; il < m->hp().n_layer; ++il)
                for (float id : fast_routing.at("l" + std::to_string(il) + ".moe_ids"))
                    forced[size_t(il)].push_back(int32_t(id));
            tensor_map ref_routing;
            const tensor_callback cb_ref = collect_into(ref_routing, "moe_logits");
            reference_options opt;
            opt.forced_experts = &forced;
            opt.on_tensor = &cb_ref;
            kv_cache kv2(*m, 512);
            auto r = forward_reference_with(*m, kv2, prefix, 0, true, moe_ref, opt);
            ASSERT_TRUE(r.ok()) << r.message();
            const double flips = check_routing(*m, fast_routing, ref_routing, b.flip_logit);
            std::printf("[ %s %s len=%3lld ] routing choices differing from the reference's top-k: %.2f%%\n",
                        preset.c_str(), type.c_str(), (long long)len, 100 * flips);
            if (len >= 64) EXPECT_LE(flips, type == "f32" ? 0.0 : type == "f16" ? 0.01 : 0.05);
        }
        const std::vector<float>& ref = moe ? moe_ref : dense_ref;
        double max_abs = 0, sum_kl = 0, max_ref = 0;
        for (int64_t t = 0; t < len; ++t) {
            for (int64_t i = 0; i < V; ++i) {
                max_abs = std::max(max_abs, double(std::fabs(got[size_t(t * V + i)] - ref[size_t(t * V + i)])));
                max_ref = std::max(max_ref, double(std::fabs(ref[size_t(t * V + i)])));
            }
            sum_kl += kl(ref.data() + t * V, got.data() + t * V, V);
        }
        const double mean_kl = sum_kl / double(len);
        std::printf("[ %s %s len=%3lld ] max|ref|=%.3f max_abs_err=%.3g mean_kl=%.3g\n", preset.c_str(), type.c_str(),
                    (long long)len, max_ref, max_abs, mean_kl);
        EXPECT_LE(max_abs, b.max_abs) << preset << " " << type << " len " << len;
        EXPECT_LE(mean_kl, b.mean_kl) << preset << " " << type << " len " << len;

        // The last-position-only mode returns exactly the last row of all_logits.
        if (len == 7) {
            kv_cache kv2(*m, 512);
            std::vector<float> last;
            ASSERT_TRUE(forward(*m, kv2, std::span(tokens).first(7), 0, false, last, pool).ok());
            ASSERT_EQ(last.size(), size_t(V));
            for (int64_t i = 0; i < V; ++i) EXPECT_NEAR(last[size_t(i)], got[size_t(6 * V + i)], 1e-4);
        }
    }
}

TEST_P(forward_vs_reference, incremental_decoding_equals_one_batch) {
    const std::string preset = std::get<0>(GetParam()), type = std::get<1>(GetParam());
    auto m = synth_model(preset, type);
    ASSERT_TRUE(m);
    const int64_t V = m->hp().n_vocab;
    const auto tokens = prompt(V, 12, 5);
    thread_pool pool(2);

    kv_cache kv_batch(*m, 64);
    std::vector<float> batch;
    ASSERT_TRUE(forward(*m, kv_batch, tokens, 0, true, batch, pool).ok());

    kv_cache kv(*m, 64);
    std::vector<float> step;
    ASSERT_TRUE(forward(*m, kv, std::span(tokens).first(7), 0, false, step, pool).ok());
    double max_abs = 0;
    for (int64_t i = 0; i < V; ++i) max_abs = std::max(max_abs, double(std::fabs(step[size_t(i)] - batch[size_t(6 * V + i)])));
    for (int64_t p = 7; p < 12; ++p) {
        ASSERT_TRUE(forward(*m, kv, std::span(tokens).subspan(size_t(p), 1), p, false, step, pool).ok());
        for (int64_t i = 0; i < V; ++i)
            max_abs = std::max(max_abs, double(std::fabs(step[size_t(i)] - batch[size_t(p * V + i)])));
    }
    // Same activations quantization per token either way; only summation order differs.
    EXPECT_LE(max_abs, 1e-3) << preset << " " << type;

    // Truncating the cache back to 7 and replaying gives the same logits again.
    kv.truncate(7);
    EXPECT_EQ(kv.n_pos(), 7);
    std::vector<float> replay;
    ASSERT_TRUE(forward(*m, kv, std::span(tokens).subspan(7), 7, true, replay, pool).ok());
    for (int64_t i = 0; i < 5 * V; ++i) EXPECT_NEAR(replay[size_t(i)], batch[size_t(7 * V + i)], 1e-3);
}

INSTANTIATE_TEST_SUITE_P(all, forward_vs_reference,
                         ::testing::Combine(::testing::ValuesIn(k_presets), ::testing::ValuesIn(k_types)),
                         [](const auto& info) {
                             std::string s = std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param);
                             for (char& c : s)
                                 if (c == '-') c = '_';
                             return s;
                         });

TEST(forward_errors, bad_inputs_are_errors_not_crashes) {
    auto m = synth_model("tiny-qwen3moe", "q8_0");
    ASSERT_TRUE(m);
    thread_pool pool(1);
    kv_cache kv(*m, 16);
    std::vector<float> out;
    const int32_t bad_hi[] = {1, int32_t(m->hp().n_vocab)};
    const int32_t bad_lo[] = {-1};
    for (auto fn : {0, 1}) {
        auto run = [&](std::span<const int32_t> t, int64_t pos0) {
            return fn == 0 ? forward(*m, kv, t, pos0, false, out, pool) : forward_reference(*m, kv, t, pos0, false, out);
        };
        auto r = run(bad_hi, 0);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.message().find("outside the vocabulary"), std::string::npos) << r.message();
        EXPECT_FALSE(run(bad_lo, 0).ok());
        EXPECT_FALSE(run({}, 0).ok());
        const std::vector<int32_t> many(17, 3);
        auto o = run(many, 0);
        ASSERT_FALSE(o.ok());
        EXPECT_NE(o.message().find("context overflow"), std::string::npos) << o.message();
        EXPECT_FALSE(run(std::span(many).first(2), 5).ok());  // cache holds 0 positions
        EXPECT_EQ(kv.n_pos(), 0);
    }
    // Filling the context exactly is fine; one more token is an error.
    const std::vector<int32_t> fill(16, 3);
    ASSERT_TRUE(forward(*m, kv, fill, 0, false, out, pool).ok());
    const int32_t one[] = {3};
    EXPECT_FALSE(forward(*m, kv, one, 16, false, out, pool).ok());
}

// The debug hook names every intermediate; fast and reference agree layer by layer.
TEST(forward_debug, intermediates_match_layer_by_layer) {
    auto m = synth_model("tiny-qwen2moe", "f32");
    ASSERT_TRUE(m);
    const auto tokens = prompt(m->hp().n_vocab, 5, 3);
    std::map<std::string, std::vector<float>> fast, ref;
    auto collect = [](std::map<std::string, std::vector<float>>& into) {
        return tensor_callback([&into](std::string_view name, int64_t, int64_t n_tokens, int64_t row_len, const float* d) {
            auto& v = into[std::string(name)];
            v.insert(v.end(), d, d + n_tokens * row_len);
        });
    };
    const tensor_callback cf = collect(fast), cr = collect(ref);
    thread_pool pool(2);
    kv_cache kv1(*m, 8), kv2(*m, 8);
    std::vector<float> l1, l2;
    ASSERT_TRUE(forward(*m, kv1, tokens, 0, true, l1, pool, &cf).ok());
    ASSERT_TRUE(forward_reference(*m, kv2, tokens, 0, true, l2, &cr).ok());
    for (const char* name : {"inp_embd", "l0.attn_norm", "l0.q", "l0.k", "l0.v", "l0.kqv", "l0.attn_out", "l0.ffn_inp",
                             "l0.ffn_norm", "l0.moe_logits", "l0.ffn_out", "l0.l_out", "l2.l_out", "result_norm",
                             "result_output"}) {
        ASSERT_TRUE(fast.count(name)) << name;
        ASSERT_TRUE(ref.count(name)) << name;
        ASSERT_EQ(fast[name].size(), ref[name].size()) << name;
        EXPECT_LE(test::relative_rmse(ref[name], fast[name]), 1e-4) << name;
    }
}

}  // namespace
}  // namespace holo
