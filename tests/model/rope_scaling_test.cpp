// RoPE scaling metadata (linear, YaRN): how it is resolved into hyper-parameters,
// the optimized pass against the reference with it, and both against llama.cpp
// reading the same file. The files are tiny synth models re-written with the
// extra "<arch>.rope.scaling.*" keys.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "../oracle/oracle_client.h"
#include "core/thread_pool.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/synth.h"
#include "test_util.h"

namespace holo {
namespace {

// Copies `in` to `out`, adding/replacing metadata and optionally adding one f32 tensor.
void rewrite_with(const std::string& in, const std::string& out, const std::vector<std::pair<std::string, gguf_value>>& extra,
                  const std::string& extra_tensor = {}, const std::vector<float>& extra_data = {}) {
    auto f = gguf_file::open(in);
    ASSERT_TRUE(f.ok()) << f.message();
    gguf_writer w;
    for (const gguf_kv& kv : f->metadata())
        if (kv.key != "general.alignment") w.set(kv.key, kv.value);
    for (const auto& [k, v] : extra) w.set(k, v);
    for (const gguf_tensor_info& t : f->tensors()) ASSERT_TRUE(w.add_tensor(t.name, t.type, t.ne).ok());
    if (!extra_tensor.empty())
        ASSERT_TRUE(w.add_tensor(extra_tensor, tensor_type::f32, {int64_t(extra_data.size())}).ok());
    ASSERT_TRUE(w.begin(out).ok());
    for (const gguf_tensor_info& t : f->tensors()) ASSERT_TRUE(w.write_tensor_data(f->tensor_data(t)).ok());
    if (!extra_tensor.empty())
        ASSERT_TRUE(w.write_tensor_data({reinterpret_cast<const uint8_t*>(extra_data.data()), extra_data.size() * 4}).ok());
    ASSERT_TRUE(w.finish().ok());
}

std::string make_model(const std::string& preset, const std::string& scaling, float factor, bool rope_freqs = false) {
    const std::string base = test::temp_path(preset + "-base.gguf");
    synth_options o;
    o.preset = preset;
    o.type = "f32";
    o.output_path = base;
    o.n_threads = 2;
    o.progress = false;
    auto w = write_synth_model(o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.message());
    const std::string arch = preset == "tiny-qwen3" ? "qwen3" : "llama";
    const std::string out = test::temp_path(preset + "-" + scaling + (rope_freqs ? "-freqs" : "") + ".gguf");
    // Llama 3.1-style factors: high frequencies kept, low ones divided by up to 8.
    std::vector<float> freqs(32);
    for (size_t i = 0; i < freqs.size(); ++i) freqs[i] = 1.0f + 7.0f * float(i) / float(freqs.size() - 1);
    rewrite_with(base, out,
                 {{arch + ".rope.scaling.type", gguf_value::make_string(scaling)},
                  {arch + ".rope.scaling.factor", gguf_value::make_f32(factor)},
                  {arch + ".rope.scaling.original_context_length", gguf_value::make_u32(32)}},
                 rope_freqs ? "rope_freqs.weight" : "", freqs);
    return out;
}

TEST(rope_scaling, metadata_resolves_like_llama_cpp) {
    auto y = load_model(make_model("tiny-qwen3", "yarn", 4.0f));
    ASSERT_TRUE(y.ok()) << y.message();
    const hparams& h = y.value()->hp();
    EXPECT_EQ(h.rope_scaling, rope_scaling_type::yarn);
    EXPECT_FLOAT_EQ(h.rope_freq_scale, 0.25f);
    EXPECT_EQ(h.yarn_ext_factor, 1.0f);
    // mscale(4) = 1 + 0.1 ln 4, divided by the same factor the rope op applies again.
    EXPECT_NEAR(h.yarn_attn_factor, 1.0f, 1e-6);
    EXPECT_EQ(h.n_ctx_orig_yarn, 32);

    auto l = load_model(make_model("tiny-llama", "linear", 2.0f));
    ASSERT_TRUE(l.ok()) << l.message();
    EXPECT_EQ(l.value()->hp().rope_scaling, rope_scaling_type::linear);
    EXPECT_FLOAT_EQ(l.value()->hp().rope_freq_scale, 0.5f);
    EXPECT_EQ(l.value()->hp().yarn_ext_factor, 0.0f);
}

TEST(rope_scaling, unknown_scaling_type_is_an_error) {
    const std::string p = make_model("tiny-llama", "longrope", 2.0f);
    auto m = load_model(p);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("longrope"), std::string::npos) << m.message();
}

struct scaling_case {
    const char* preset;
    const char* scaling;
    float factor;
    bool rope_freqs = false;
};

class rope_scaling_forward : public ::testing::TestWithParam<scaling_case> {};

TEST_P(rope_scaling_forward, fast_matches_reference_and_llama_cpp) {
    const scaling_case c = GetParam();
    const std::string path = make_model(c.preset, c.scaling, c.factor, c.rope_freqs);
    auto m = load_model(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m.value()->rope_freqs().size(), c.rope_freqs ? 32u : 0u);
    ASSERT_TRUE(m.ok()) << m.message();
    const int64_t V = m.value()->hp().n_vocab;
    std::mt19937 rng(5);
    std::vector<int32_t> tokens(80);  // past original_context_length (32)
    std::string list;
    for (auto& t : tokens) {
        t = int32_t(rng() % uint32_t(V));
        list += (list.empty() ? "" : ",") + std::to_string(t);
    }
    thread_pool pool(2);
    kv_cache kv1(*m.value(), 128), kv2(*m.value(), 128);
    std::vector<float> fast, ref;
    ASSERT_TRUE(forward(*m.value(), kv1, tokens, 0, true, fast, pool).ok());
    ASSERT_TRUE(forward_reference(*m.value(), kv2, tokens, 0, true, ref).ok());
    EXPECT_LE(test::max_abs_diff(ref, fast), 2e-4);
    {
        // The scaling must matter, or the comparisons below prove nothing.
        auto base = load_model(test::temp_path(std::string(c.preset) + "-base.gguf"));
        ASSERT_TRUE(base.ok());
        kv_cache kv3(*base.value(), 128);
        std::vector<float> plain;
        ASSERT_TRUE(forward(*base.value(), kv3, tokens, 0, true, plain, pool).ok());
        EXPECT_GE(test::max_abs_diff(plain, fast), 0.1);
    }

    const std::string why = test::oracle_missing_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    const std::string out = test::temp_path(std::string(c.preset) + "-" + c.scaling + (c.rope_freqs ? "-freqs" : "") + ".f32");
    std::string err;
    ASSERT_TRUE(test::run_oracle("logits " + test::shell_quote(path) + " " + list + " --out " + test::shell_quote(out) +
                                     " --threads 2",
                                 &err))
        << err;
    const std::vector<float> want = test::bytes_to_floats(*test::read_bytes(out));
    ASSERT_EQ(want.size(), fast.size());
    // F32 weights, dense model: only llama.cpp's f16 K/V cache separates the two.
    EXPECT_LE(test::max_abs_diff(want, fast), 0.02) << c.preset << " " << c.scaling;
}

INSTANTIATE_TEST_SUITE_P(all, rope_scaling_forward,
                         ::testing::Values(scaling_case{"tiny-qwen3", "yarn", 4.0f},
                                           scaling_case{"tiny-llama", "yarn", 8.0f},
                                           scaling_case{"tiny-llama", "linear", 2.0f},
                                           scaling_case{"tiny-llama", "none", 1.0f, true}),
                         [](const auto& info) {
                             std::string s = std::string(info.param.preset) + "_" + info.param.scaling +
                                             (info.param.rope_freqs ? "_rope_freqs" : "");
                             for (char& ch : s)
                                 if (ch == '-') ch = '_';
                             return s;
                         });

}  // namespace
}  // namespace holo
