// The session and generation loop on a tiny random-weight model: session logits are
// forward()'s, batching does not change them beyond rounding, generation stops where
// it should (max tokens, stop strings, the callback), same seed → same text, and the
// streamed text is valid UTF-8. Also: RSS while generating stays within file size +
// KV cache + 10%.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/synth.h"
#include "runtime/generate.h"
#include "runtime/session.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace holo {
namespace {

struct fixture_model {
    std::string path;
    std::shared_ptr<const model> m;
    std::unique_ptr<tokenizer> tok;
};

fixture_model make_model(const std::string& preset, const std::string& type, std::optional<int64_t> layers = {}) {
    fixture_model f;
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.output_path = test::temp_path(preset + "_" + type + ".gguf");
    o.progress = false;
    o.n_layer = layers;
    auto w = write_synth_model(o);
    EXPECT_TRUE(w.ok()) << w.message();
    if (!w.ok()) return f;
    f.path = o.output_path;
    auto m = load_model(f.path);
    EXPECT_TRUE(m.ok()) << m.message();
    if (!m.ok()) return f;
    f.m = m.value();
    auto t = tokenizer::from_gguf(f.m->file());
    EXPECT_TRUE(t.ok()) << t.message();
    if (t.ok()) f.tok = std::move(t.value());
    return f;
}

class generate_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() { tiny_ = new fixture_model(make_model("tiny-qwen3moe", "q8_0")); }
    static void TearDownTestSuite() { delete tiny_; }
    void SetUp() override {
        if (!tiny_->m || !tiny_->tok) GTEST_SKIP() << "tiny synth model could not be made (see failure above)";
    }
    static fixture_model* tiny_;

    session_options opts(int64_t n_ctx = 256, int64_t n_batch = 512) const {
        session_options o;
        o.n_ctx = n_ctx;
        o.n_threads = 2;
        o.n_batch = n_batch;
        return o;
    }
    std::vector<int32_t> prompt() const { return tiny_->tok->encode("Once upon a time there was", true, false); }
};
fixture_model* generate_test::tiny_ = nullptr;

TEST_F(generate_test, session_logits_are_forwards) {
    const auto p = prompt();
    session s(tiny_->m, opts());
    ASSERT_TRUE(s.eval(p, true).ok());
    ASSERT_EQ(s.n_rows(), int64_t(p.size()));
    EXPECT_EQ(s.n_past(), int64_t(p.size()));

    kv_cache kv(*tiny_->m, 256);
    thread_pool pool(2);
    std::vector<float> direct;
    ASSERT_TRUE(forward(*tiny_->m, kv, p, 0, true, direct, pool).ok());
    const std::vector<float> got(s.logits().begin(), s.logits().end());
    EXPECT_EQ(got, direct);  // same call, same threads: bit-identical

    // Without all_logits only the last row is kept, and it matches.
    session last(tiny_->m, opts());
    ASSERT_TRUE(last.eval(p, false).ok());
    ASSERT_EQ(last.n_rows(), 1);
    const std::vector<float> last_row(last.row(0).begin(), last.row(0).end());
    const std::vector<float> want(direct.end() - tiny_->m->hp().n_vocab, direct.end());
    EXPECT_EQ(last_row, want);
}

TEST_F(generate_test, batching_and_decode_steps_agree_with_one_batch) {
    const auto p = prompt();
    session one(tiny_->m, opts());
    ASSERT_TRUE(one.eval(p, true).ok());
    session batched(tiny_->m, opts(256, 3));
    ASSERT_TRUE(batched.eval(p, true).ok());
    session steps(tiny_->m, opts());
    std::vector<float> step_logits;
    for (int32_t id : p) {
        const int32_t t[1] = {id};
        ASSERT_TRUE(steps.eval(t, false).ok());
        step_logits.insert(step_logits.end(), steps.logits().begin(), steps.logits().end());
    }
    const std::vector<float> a(one.logits().begin(), one.logits().end());
    const std::vector<float> b(batched.logits().begin(), batched.logits().end());
    // Batched and per-token kernels may quantize activations in different groupings:
    // allow 1% relative RMS error (Q8_0 weights, random model).
    EXPECT_LT(test::relative_rmse(a, b), 1e-2);
    EXPECT_LT(test::relative_rmse(a, step_logits), 1e-2);
}

TEST_F(generate_test, context_overflow_is_an_error_not_a_crash) {
    session s(tiny_->m, opts(8));
    std::vector<int32_t> ten(10, 5);
    auto r = s.eval(ten, false);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("context"), std::string::npos);
    EXPECT_EQ(s.n_past(), 0);
    EXPECT_FALSE(s.eval(std::vector<int32_t>{}, false).ok());
    EXPECT_FALSE(s.eval(std::vector<int32_t>{int32_t(tiny_->m->hp().n_vocab)}, false).ok());
}

generation_result gen(session& s, const tokenizer& tok, const std::vector<int32_t>& p, const generation_params& gp,
                      std::vector<std::string>* chunks = nullptr, int cancel_after = -1) {
    s.reset();
    int calls = 0;
    auto r = generate(s, tok, p, gp, [&](std::string_view t) {
        if (chunks) chunks->emplace_back(t);
        return ++calls != cancel_after;
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return r.ok() ? r.value() : generation_result{};
}

TEST_F(generate_test, max_tokens_and_seed_determinism) {
    session s(tiny_->m, opts());
    generation_params gp;
    gp.max_tokens = 24;
    gp.sampling.temperature = 1.0f;
    gp.sampling.seed = 11;
    const auto a = gen(s, *tiny_->tok, prompt(), gp);
    if (a.reason == stop_reason::end_of_generation) {
        EXPECT_LT(a.tokens.size(), 24u);
    } else {
        EXPECT_EQ(a.reason, stop_reason::max_tokens);
        EXPECT_EQ(a.tokens.size(), 24u);
    }
    const auto b = gen(s, *tiny_->tok, prompt(), gp);
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_EQ(a.text, b.text);
    gp.sampling.seed = 12;
    const auto c = gen(s, *tiny_->tok, prompt(), gp);
    EXPECT_NE(a.tokens, c.tokens);  // 24 draws over a 1024-token vocabulary at T = 1
    // The last sampled token is never evaluated when max tokens ends the run.
    EXPECT_EQ(s.n_past(), int64_t(prompt().size() + c.tokens.size()) - (c.reason == stop_reason::max_tokens ? 1 : 0));
}

TEST_F(generate_test, stop_string_cuts_the_text_before_it) {
    session s(tiny_->m, opts());
    generation_params gp;
    gp.max_tokens = 40;
    gp.sampling.temperature = 0;
    const auto full = gen(s, *tiny_->tok, prompt(), gp);
    ASSERT_GE(full.text.size(), 12u) << "greedy text too short to cut";
    // A stop string that starts in one token and ends in a later one.
    size_t piece_end = 0, at = 0;
    for (size_t i = 0; i < full.tokens.size() && piece_end < 6; ++i) piece_end += tiny_->tok->token_to_piece(full.tokens[i]).size();
    at = piece_end - 1;
    std::string stop = full.text.substr(at, 4);
    while (!utf8_is_valid(stop) && at > 0) stop = full.text.substr(--at, 4);
    ASSERT_TRUE(utf8_is_valid(stop));
    gp.stop = {stop};
    std::vector<std::string> chunks;
    const auto cut = gen(s, *tiny_->tok, prompt(), gp, &chunks);
    EXPECT_EQ(cut.reason, stop_reason::stop_string);
    EXPECT_EQ(cut.text, full.text.substr(0, full.text.find(stop)));
    for (const auto& c : chunks) EXPECT_EQ(c.find(stop), std::string::npos);
}

TEST_F(generate_test, callback_can_cancel_and_text_is_valid_utf8) {
    session s(tiny_->m, opts());
    generation_params gp;
    gp.max_tokens = 120;
    gp.sampling.temperature = 2.0f;  // wander through the byte tokens too
    gp.sampling.top_k = 0;
    gp.sampling.top_p = 1;
    gp.sampling.min_p = 0;
    gp.sampling.seed = 3;
    std::vector<std::string> chunks;
    const auto r = gen(s, *tiny_->tok, prompt(), gp, &chunks);
    for (const auto& c : chunks) EXPECT_TRUE(utf8_is_valid(c));
    EXPECT_TRUE(utf8_is_valid(r.text));
    chunks.clear();
    const auto stopped = gen(s, *tiny_->tok, prompt(), gp, &chunks, 3);
    EXPECT_EQ(stopped.reason, stop_reason::cancelled);
    EXPECT_EQ(chunks.size(), 3u);
}

int64_t status_kb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::string(key).size()));
    }
    return -1;
}

TEST(generate_memory, rss_stays_within_file_plus_kv_plus_ten_percent) {
    if (status_kb("VmRSS:") < 0) GTEST_SKIP() << "no /proc/self/status VmRSS on this system";
    // f32 with 8 layers: ~60 MB of weights, large enough that fixed costs don't dominate.
    auto f = make_model("tiny-qwen3moe", "f32", 8);
    ASSERT_TRUE(f.m && f.tok);
    const int64_t before_kb = status_kb("VmRSS:");
    uint64_t kv_bytes = 0;
    int64_t peak_kb = 0;
    {
        session_options o;
        o.n_ctx = 512;
        o.n_threads = 2;
        session s(f.m, o);
        kv_bytes = s.kv_bytes();
        generation_params gp;
        gp.max_tokens = 64;
        gp.sampling.seed = 1;
        auto p = f.tok->encode("The weights stay in the map while we generate", true, false);
        auto r = generate(s, *f.tok, p, gp, [&](std::string_view) {
            peak_kb = std::max(peak_kb, status_kb("VmRSS:"));
            return true;
        });
        ASSERT_TRUE(r.ok()) << r.message();
        peak_kb = std::max(peak_kb, status_kb("VmRSS:"));
    }
    const double file = double(f.m->file().file_size());
    const double budget = (file + double(kv_bytes)) * 1.10 + 8.0 * (1 << 20);  // + 8 MiB: thread stacks, scratch
    const double grown = double(peak_kb - before_kb) * 1024.0;
    EXPECT_LE(grown, budget) << "file " << file << " B, kv " << kv_bytes << " B, RSS grew " << grown << " B";
    EXPECT_GT(grown, 0.5 * file) << "the weights were expected to be paged in";
    std::printf("RSS grew %.1f MB for a %.1f MB file + %.1f MB KV cache (budget %.1f MB)\n", grown / 1e6, file / 1e6,
                double(kv_bytes) / 1e6, budget / 1e6);
}

}  // namespace
}  // namespace holo
