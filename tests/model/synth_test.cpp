// holo synth: every tiny preset at several types reopens with the GGUF reader with
// llama.cpp's metadata keys, the planned shapes and the mix's types; output is
// deterministic by seed (and independent of threads); --routing-skew skews top-k
// routing on random inputs the way it promises; llama.cpp's own quantizer picks the
// same per-tensor types (oracle) and loads the files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>
#include <random>
#include <set>

#include "gguf/gguf_file.h"
#include "model/presets.h"
#include "model/synth.h"
#include "model/synth_layout.h"
#include "model/synth_vocab.h"
#include "model/synth_weights.h"
#include "oracle/oracle_client.h"
#include "test_util.h"

namespace holo {
namespace {

std::string synth_to(const std::string& preset, const std::string& type, uint64_t seed = 42, int threads = 2,
                     std::optional<int64_t> n_layer = std::nullopt, double skew = 0.0) {
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.seed = seed;
    o.n_threads = threads;
    o.n_layer = n_layer;
    o.routing_skew = skew;
    o.progress = false;
    o.output_path = test::temp_path(preset + "_" + type + "_" + std::to_string(seed) + "_" + std::to_string(threads) +
                                    (n_layer ? "_L" + std::to_string(*n_layer) : "") + ".gguf");
    auto r = write_synth_model(o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return o.output_path;
}

std::vector<char> file_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

uint64_t get_u(const gguf_file& f, const std::string& key) {
    auto v = f.get_uint(key);
    EXPECT_TRUE(v.ok() && v->has_value()) << "missing or mistyped " << key;
    return v.ok() && v->has_value() ? **v : 0;
}

// Checks one written file against the preset: llama.cpp's keys, tensor names and
// shapes in plan order, the mix's types, sizes that match the type's blocks.
void check_file(const std::string& path, const model_preset& p, const std::string& type) {
    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok()) << f.message();
    const std::string a = arch_name(p.arch);
    EXPECT_EQ(f->get_string("general.architecture").value().value(), a);
    EXPECT_EQ(get_u(*f, a + ".block_count"), uint64_t(p.n_layer));
    EXPECT_EQ(get_u(*f, a + ".embedding_length"), uint64_t(p.n_embd));
    EXPECT_EQ(get_u(*f, a + ".context_length"), uint64_t(p.n_ctx_train));
    EXPECT_EQ(get_u(*f, a + ".feed_forward_length"), uint64_t(p.n_ff));
    EXPECT_EQ(get_u(*f, a + ".attention.head_count"), uint64_t(p.n_head));
    EXPECT_EQ(get_u(*f, a + ".attention.head_count_kv"), uint64_t(p.n_head_kv));
    EXPECT_NEAR(f->get_float(a + ".rope.freq_base").value().value(), p.rope_freq_base, p.rope_freq_base * 1e-6);
    EXPECT_NEAR(f->get_float(a + ".attention.layer_norm_rms_epsilon").value().value(), p.rms_eps, p.rms_eps * 1e-5);
    EXPECT_EQ(get_u(*f, "general.quantization_version"), 2u);
    auto mix = find_type_mix(type);
    ASSERT_TRUE(mix.ok());
    EXPECT_EQ(get_u(*f, "general.file_type"), mix->file_type);
    if (p.is_moe()) {
        EXPECT_EQ(get_u(*f, a + ".expert_count"), uint64_t(p.n_expert));
        EXPECT_EQ(get_u(*f, a + ".expert_used_count"), uint64_t(p.n_expert_used));
        if (p.arch != synth_arch::llama) EXPECT_EQ(get_u(*f, a + ".expert_feed_forward_length"), uint64_t(p.n_ff_exp));
        if (p.n_ff_shexp) EXPECT_EQ(get_u(*f, a + ".expert_shared_feed_forward_length"), uint64_t(p.n_ff_shexp));
    } else {
        EXPECT_EQ(f->find(a + ".expert_count"), nullptr);
    }
    if (p.head_dim * p.n_head != p.n_embd) EXPECT_EQ(get_u(*f, a + ".attention.key_length"), uint64_t(p.head_dim));

    // Vocabulary: n_vocab tokens, byte tokens first, special ids in range and named.
    const gguf_value* toks = f->find("tokenizer.ggml.tokens");
    ASSERT_NE(toks, nullptr);
    ASSERT_NE(toks->as_array(), nullptr);
    const auto& items = toks->as_array()->items;
    ASSERT_EQ(items.size(), size_t(p.n_vocab));
    EXPECT_EQ(*items[' '].as_string(), "\xC4\xA0");  // GPT-2's 'Ġ' for the space byte
    EXPECT_EQ(*items['a'].as_string(), "a");
    EXPECT_EQ(f->get_string("tokenizer.ggml.model").value().value(), "gpt2");
    EXPECT_EQ(f->get_string("tokenizer.ggml.pre").value().value(), "qwen2");
    EXPECT_EQ(*items[get_u(*f, "tokenizer.ggml.eos_token_id")].as_string(), "<|im_end|>");
    EXPECT_EQ(*items[get_u(*f, "tokenizer.ggml.bos_token_id")].as_string(), "<|endoftext|>");
    ASSERT_NE(f->find("tokenizer.ggml.token_type"), nullptr);
    EXPECT_EQ(f->find("tokenizer.ggml.token_type")->as_array()->items.size(), size_t(p.n_vocab));

    const std::vector<planned_tensor> plan = plan_tensors(p);
    ASSERT_EQ(f->tensors().size(), plan.size());
    const mix_model_info info{p.n_layer, p.n_expert, p.n_head, p.n_head_kv, p.tied_embeddings};
    for (size_t i = 0; i < plan.size(); ++i) {
        const gguf_tensor_info& t = f->tensors()[i];
        EXPECT_EQ(t.name, plan[i].name);
        EXPECT_EQ(t.ne, plan[i].ne) << t.name;
        const mix_tensor mt{plan[i].name, plan[i].kind, plan[i].il, plan[i].ne};
        if (!mix_allows_quantization(mt)) {
            EXPECT_EQ(t.type, tensor_type::f32) << t.name << ": norms, biases, routers and 1-D tensors stay f32";
        } else {
            EXPECT_EQ(t.type, choose_tensor_type(*mix, {}, info, mt, mix->base)) << t.name;
        }
        EXPECT_EQ(t.n_bytes, *row_bytes(t.type, uint64_t(t.ne[0])) * uint64_t(plan[i].n_rows())) << t.name;
        // Values are finite and of the intended size (no NaN/Inf, nothing exploding).
        std::vector<float> row(size_t(t.ne[0]));
        traits_of(t.type).dequantize_row(f->tensor_data(t).data(), row.data(), t.ne[0]);
        for (float x : row) ASSERT_TRUE(std::isfinite(x) && std::fabs(x) < 4.0f) << t.name << " value " << x;
    }
    if (p.tied_embeddings) EXPECT_EQ(f->find_tensor("output.weight"), nullptr);
}

TEST(synth, every_tiny_preset_at_several_types) {
    for (const model_preset& p : all_presets()) {
        if (!p.name.starts_with("tiny-")) continue;
        for (const char* type : {"f32", "q8_0", "q4_k_m"}) {
            SCOPED_TRACE(p.name + " " + type);
            check_file(synth_to(p.name, type), p, type);
        }
    }
}

TEST(synth, more_mixes_on_one_moe_preset) {
    const model_preset p = *find_preset("tiny-qwen2moe");
    for (const char* type : {"f16", "bf16", "q2_k", "q3_k_s", "q3_k_l", "q4_0", "q5_1", "q5_k_m", "q6_k"}) {
        SCOPED_TRACE(type);
        check_file(synth_to(p.name, type), p, type);
    }
}

TEST(synth, layer_override_and_bad_options) {
    model_preset p = *find_preset("tiny-qwen3moe");
    p.n_layer = 5;
    check_file(synth_to("tiny-qwen3moe", "q4_k_m", 42, 2, 5), p, "q4_k_m");

    synth_options o;
    o.preset = "no-such-model";
    o.output_path = test::temp_path("bad.gguf");
    auto r = write_synth_model(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("no-such-model"), std::string::npos);
    EXPECT_NE(r.message().find("qwen3-30b-a3b"), std::string::npos) << "the error lists the presets";
    o.preset = "tiny-llama";
    o.type = "q9_z";
    r = write_synth_model(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("q9_z"), std::string::npos);
    o.type = "f16";
    o.output_path = "/nonexistent-dir/x.gguf";
    r = write_synth_model(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("/nonexistent-dir/x.gguf"), std::string::npos) << r.message();
}

TEST(synth, row_pool_mode_writes_the_same_layout) {
    synth_options o;
    o.preset = "tiny-qwen2moe";
    o.type = "q4_k_m";
    o.n_threads = 2;
    o.progress = false;
    o.row_pool = 16;
    o.output_path = test::temp_path("pooled.gguf");
    auto r = write_synth_model(o);
    ASSERT_TRUE(r.ok()) << r.message();
    check_file(o.output_path, *find_preset("tiny-qwen2moe"), "q4_k_m");
    auto full = gguf_file::open(synth_to("tiny-qwen2moe", "q4_k_m"));
    auto pooled = gguf_file::open(o.output_path);
    ASSERT_TRUE(full.ok() && pooled.ok());
    for (size_t i = 0; i < full->tensors().size(); ++i) {
        EXPECT_EQ(full->tensors()[i].offset, pooled->tensors()[i].offset) << full->tensors()[i].name;
        EXPECT_EQ(full->tensors()[i].n_bytes, pooled->tensors()[i].n_bytes);
    }
}

TEST(synth, deterministic_by_seed_and_independent_of_threads) {
    const std::string a = synth_to("tiny-qwen2moe", "q4_k_m", 7, 1);
    const std::string b = synth_to("tiny-qwen2moe", "q4_k_m", 7, 3);
    const std::string c = synth_to("tiny-qwen2moe", "q4_k_m", 8, 2);
    const auto ba = file_bytes(a), bb = file_bytes(b), bc = file_bytes(c);
    ASSERT_FALSE(ba.empty());
    EXPECT_TRUE(ba == bb) << "same seed, 1 vs 3 threads: files differ";
    ASSERT_EQ(ba.size(), bc.size()) << "the seed changes values, not sizes";
    size_t differing = 0;
    for (size_t i = 0; i < ba.size(); ++i) differing += ba[i] != bc[i];
    EXPECT_GT(differing, ba.size() / 2) << "a different seed must give different weights";
}

TEST(synth, real_preset_shapes) {
    // The numbers of the real models' config.json files.
    const model_preset q = *find_preset("qwen3-30b-a3b");
    EXPECT_EQ(q.n_embd, 2048);
    EXPECT_EQ(q.n_layer, 48);
    EXPECT_EQ(q.n_expert, 128);
    EXPECT_EQ(q.n_expert_used, 8);
    EXPECT_EQ(q.n_ff_exp, 768);
    EXPECT_EQ(q.n_vocab, 151936);
    const model_preset m = *find_preset("qwen3moe-mini");
    EXPECT_EQ(m.n_embd, q.n_embd);
    EXPECT_EQ(m.n_head, q.n_head);
    EXPECT_EQ(m.n_head_kv, q.n_head_kv);
    EXPECT_EQ(m.head_dim, q.head_dim);
    EXPECT_EQ(m.n_ff_exp, q.n_ff_exp);
    EXPECT_EQ(m.n_expert_used, 8);
    EXPECT_EQ(m.n_expert, 64);
    EXPECT_EQ(m.n_layer, 6);
    EXPECT_EQ(m.n_vocab, 32000);

    // 579 tensors in Qwen3-30B-A3B's GGUF: 12 per layer + token_embd, output_norm, output.
    auto plan = plan_tensors(q);
    EXPECT_EQ(plan.size(), 579u);
    uint64_t params = 0;
    for (auto& t : plan) params += uint64_t(t.n_elements());
    EXPECT_NEAR(double(params), 30.53e9, 0.01e9);  // "30.5B" total parameters
    // Qwen2-57B-A14B: 57.4B parameters.
    params = 0;
    for (auto& t : plan_tensors(*find_preset("qwen2-57b-a14b"))) params += uint64_t(t.n_elements());
    EXPECT_NEAR(double(params), 57.4e9, 0.1e9);
    // Mixtral-8x7B: 46.7B; DeepSeek-R1-Distill-Qwen-7B: 7.6B.
    params = 0;
    for (auto& t : plan_tensors(*find_preset("mixtral-8x7b"))) params += uint64_t(t.n_elements());
    EXPECT_NEAR(double(params), 46.7e9, 0.1e9);
    params = 0;
    for (auto& t : plan_tensors(*find_preset("deepseek-r1-distill-qwen-7b"))) params += uint64_t(t.n_elements());
    EXPECT_NEAR(double(params), 7.62e9, 0.02e9);
}

TEST(synth, vocab_merges_build_known_tokens) {
    const synth_vocab v = build_synth_vocab(1024);
    ASSERT_EQ(v.tokens.size(), 1024u);
    std::set<std::string> toks(v.tokens.begin(), v.tokens.end());
    EXPECT_EQ(toks.size(), v.tokens.size()) << "tokens are unique";
    ASSERT_GT(v.merges.size(), 100u);
    for (const std::string& m : v.merges) {
        const size_t sp = m.find(' ', 1);
        ASSERT_NE(sp, std::string::npos) << m;
        EXPECT_TRUE(toks.count(m.substr(0, sp)) && toks.count(m.substr(sp + 1)) && toks.count(m.substr(0, sp) + m.substr(sp + 1)))
            << "merge '" << m << "' must join two tokens into a token";
    }
    EXPECT_TRUE(toks.count("\xC4\xA0the")) << "' the' is one token";
    EXPECT_EQ(v.token_types[size_t(v.eos_id)], int32_t(synth_token_type::control));
    EXPECT_EQ(v.tokens.back(), "[PAD1023]");
    // Every byte has its own token, distinct from the others.
    std::set<std::string> bytes;
    for (int b = 0; b < 256; ++b) bytes.insert(byte_token_text(uint8_t(b)));
    EXPECT_EQ(bytes.size(), 256u);
}

// Top-k selection shares of each expert on random Gaussian inputs through router rows
// synthesized for layer `il`.
std::vector<double> routing_shares(const model_preset& p, double skew, int il, int n_samples) {
    synth_weight_source src(p, 42, skew);
    planned_tensor router{weight_name(weight_kind::ffn_gate_inp, il), weight_kind::ffn_gate_inp, il, false,
                          {p.n_embd, p.n_expert}};
    std::vector<float> w(size_t(p.n_embd * p.n_expert));
    src.fill(router, 0, p.n_expert, w.data());
    std::mt19937 rng(123);
    std::normal_distribution<float> nd;
    std::vector<double> count(size_t(p.n_expert));
    std::vector<float> x(size_t(p.n_embd));
    std::vector<std::pair<float, int>> logit(size_t(p.n_expert));
    for (int s = 0; s < n_samples; ++s) {
        for (float& v : x) v = nd(rng);
        for (int e = 0; e < p.n_expert; ++e) {
            float acc = 0;
            for (int64_t i = 0; i < p.n_embd; ++i) acc += w[size_t(e * p.n_embd + i)] * x[size_t(i)];
            logit[size_t(e)] = {acc, e};
        }
        std::partial_sort(logit.begin(), logit.begin() + p.n_expert_used, logit.end(),
                          [](auto& a, auto& b) { return a.first > b.first; });
        for (int j = 0; j < p.n_expert_used; ++j) count[size_t(logit[size_t(j)].second)] += 1;
    }
    for (double& c : count) c /= double(n_samples) * double(p.n_expert_used);
    return count;
}

TEST(synth, routing_skew_follows_a_zipf_law_on_random_inputs) {
    const model_preset p = *find_preset("qwen3-30b-a3b");  // 128 experts, 8 used: only the router is built
    const int n_samples = 6000;
    const std::vector<double> flat = routing_shares(p, 0.0, 0, n_samples);
    const auto [fmin, fmax] = std::minmax_element(flat.begin(), flat.end());
    // Uniform share 1/128; with ~375 selections per expert, noise stays within ~2x.
    EXPECT_LT(*fmax / *fmin, 2.5) << "no skew: routing is near uniform";

    const double skew = 1.0;
    const std::vector<double> shares = routing_shares(p, skew, 3, n_samples);
    const std::vector<double> target = zipf_target_shares(p, 42, 3, skew);
    std::vector<double> sorted = shares;
    std::sort(sorted.rbegin(), sorted.rend());
    EXPECT_GT(sorted[0] / sorted[63], 8.0) << "skewed: the top expert is chosen far more than the median one";
    // Popularity order follows the target ranks (Spearman-like: the top 16 by target
    // are mostly the top 16 measured).
    std::vector<int> by_target(size_t(p.n_expert)), by_share(size_t(p.n_expert));
    std::iota(by_target.begin(), by_target.end(), 0);
    std::iota(by_share.begin(), by_share.end(), 0);
    std::sort(by_target.begin(), by_target.end(), [&](int a, int b) { return target[size_t(a)] > target[size_t(b)]; });
    std::sort(by_share.begin(), by_share.end(), [&](int a, int b) { return shares[size_t(a)] > shares[size_t(b)]; });
    std::set<int> top_t(by_target.begin(), by_target.begin() + 16), top_s(by_share.begin(), by_share.begin() + 16);
    int common = 0;
    for (int e : top_t) common += top_s.count(e);
    EXPECT_GE(common, 12);
    // Slope of log(share) against log(rank) over ranks 8..64 (below the 1/k cap) is ~ -skew.
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int r = 8; r < 64; ++r) {
        const double lx = std::log(r + 1.0), ly = std::log(std::max(sorted[size_t(r)], 1e-6));
        sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; ++n;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    EXPECT_NEAR(slope, -skew, 0.35) << "Zipf exponent measured on random inputs";
}

// llama.cpp's quantizer, given our f16 file, chooses exactly the types our mix chose,
// and llama.cpp loads and runs our files.
TEST(synth, llama_cpp_picks_the_same_types_and_loads_the_files) {
    HOLO_REQUIRE_ORACLE();
    struct tc { const char* preset; std::optional<int64_t> layers; const char* mix; const char* ftype; };
    const tc cases[] = {
        {"tiny-mixtral", std::nullopt, "q4_k_m", "Q4_K_M"},
        {"tiny-qwen3", std::nullopt, "q4_k_m", "Q4_K_M"},   {"tiny-qwen3moe", 16, "q4_k_m", "Q4_K_M"},
        {"tiny-qwen3moe", 16, "q3_k_m", "Q3_K_M"},          {"tiny-qwen2moe", std::nullopt, "q2_k", "Q2_K"},
    };
    for (const tc& c : cases) {
        SCOPED_TRACE(std::string(c.preset) + " " + c.mix);
        const std::string f16 = synth_to(c.preset, "f16", 42, 2, c.layers);
        const std::string ours = synth_to(c.preset, c.mix, 42, 2, c.layers);
        const std::string theirs = test::temp_path(std::string(c.preset) + "_llama_" + c.mix + ".gguf");
        std::string err;
        ASSERT_TRUE(test::run_oracle("quantize " + test::shell_quote(f16) + " " + test::shell_quote(theirs) + " " + c.ftype, &err))
            << err;
        auto a = gguf_file::open(ours);
        auto b = gguf_file::open(theirs);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->tensors().size(), b->tensors().size());
        for (const gguf_tensor_info& t : a->tensors()) {
            const gguf_tensor_info* u = b->find_tensor(t.name);
            ASSERT_NE(u, nullptr) << t.name;
            EXPECT_EQ(type_name(t.type), type_name(u->type)) << t.name;
            EXPECT_EQ(t.ne, u->ne) << t.name;
            EXPECT_EQ(t.n_bytes, u->n_bytes) << t.name;
        }
        ASSERT_TRUE(test::run_oracle("logits " + test::shell_quote(ours) + " 1,2,3,260 --out " +
                                         test::shell_quote(test::temp_path("logits.f32")), &err))
            << err;
        auto lb = test::read_bytes(test::temp_path("logits.f32"));
        ASSERT_TRUE(lb.has_value());
        const std::vector<float> logits = test::bytes_to_floats(*lb);
        const model_preset p = *find_preset(c.preset);
        ASSERT_EQ(logits.size(), size_t(4 * p.n_vocab));
        double ss = 0;
        for (float x : logits) {
            ASSERT_TRUE(std::isfinite(x));
            ss += double(x) * x;
        }
        const double rms = std::sqrt(ss / double(logits.size()));
        EXPECT_GT(rms, 0.05) << "logits must not collapse";
        EXPECT_LT(rms, 50.0) << "activations must stay reasonable through all layers";
    }
}

}  // namespace
}  // namespace holo
