// The engine (scheduler) on a tiny synth model: slots are independent (a greedy
// answer is the same alone and decoded in one pass with another request), a repeated prompt reuses
// the slot's cached prefix, the queue refuses past its limit, a cancelled task
// frees its slot for the next one, and bad prompts fail with 400 while the engine
// keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "server/engine.h"
#include "channel_drain.h"
#include "test_util.h"

namespace holo::server {
namespace {

using namespace std::chrono_literals;

using test_support::outcome;

outcome drain(task_channel& ch) { return test_support::drain(ch, 60s); }

class engine_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        path_ = new std::string(test::write_tiny_model("engine_tiny.gguf"));
        made_ = !path_->empty();
    }
    static void TearDownTestSuite() { delete path_; }
    void SetUp() override { ASSERT_TRUE(made_); }

    static gen_request completion(const std::string& prompt, int64_t max_tokens) {
        gen_request r;
        r.model = "tiny";
        r.prompt = prompt;
        r.max_tokens = max_tokens;
        r.sampling.temperature = 0;  // greedy: comparable across runs
        r.seed_given = true;
        return r;
    }
    model_ref ref() const { return model_ref{"tiny:latest", *path_, "", 0}; }

    static std::string* path_;
    static bool made_;
};
std::string* engine_test::path_ = nullptr;
bool engine_test::made_ = false;

TEST_F(engine_test, slots_are_independent_and_prefix_is_reused) {
    metrics m;
    engine_options eo;
    eo.n_parallel = 2;
    eo.n_threads = 2;
    eo.n_ctx = 256;
    engine eng(eo, m);
    auto alone = drain(*eng.submit(completion("The quick brown fox", 12), ref()).value());
    ASSERT_TRUE(alone.ok) << alone.error;
    EXPECT_EQ(alone.stats.n_gen, 12);
    EXPECT_EQ(alone.stats.finish, "length");

    // Together with another request: the same greedy text.
    auto a = eng.submit(completion("The quick brown fox", 12), ref()).value();
    auto b = eng.submit(completion("Something else entirely, longer prompt here", 20), ref()).value();
    auto ra = drain(*a), rb = drain(*b);
    ASSERT_TRUE(ra.ok) << ra.error;
    ASSERT_TRUE(rb.ok) << rb.error;
    EXPECT_EQ(ra.text, alone.text);
    EXPECT_EQ(rb.stats.n_gen, 20);
    // The repeated prompt found its tokens cached in a slot (all but the last one).
    EXPECT_EQ(ra.stats.n_cached, ra.stats.n_prompt - 1);
    EXPECT_GE(m.generations_total.load(), 3u);
    // The two decoded together: some passes carried both (forward_multi).
    EXPECT_GT(m.decode_step_tokens_total.load(), m.decode_steps_total.load());
    EXPECT_EQ(m.generated_tokens_total.load(), 12u + 12u + 20u);
}

TEST_F(engine_test, queue_limit_cancel_and_bad_prompts) {
    metrics m;
    engine_options eo;
    eo.n_parallel = 1;
    eo.n_threads = 2;
    eo.n_ctx = 4096;  // the long task runs until cancelled, well past the checks below
    eo.max_queue = 2;
    engine eng(eo, m);
    // Fill: one generating (long), then the queue.
    auto long_task = eng.submit(completion("a", -1), ref());
    ASSERT_TRUE(long_task.ok());
    std::vector<std::shared_ptr<task_channel>> queued;
    // Wait until the first one holds the slot, so the queue count is exact.
    for (int i = 0; i < 200 && m.slots_busy.load() == 0; ++i) std::this_thread::sleep_for(20ms);
    for (int i = 0; i < 2; ++i) {
        auto t = eng.submit(completion("b", 2), ref());
        ASSERT_TRUE(t.ok()) << t.message();
        queued.push_back(t.value());
    }
    auto refused = eng.submit(completion("c", 2), ref());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find("busy"), std::string::npos);
    EXPECT_EQ(m.requests_rejected_queue_full.load(), 1u);

    // Cancel the running one: its slot goes to the queued ones, which complete.
    long_task.value()->cancel();
    for (auto& q : queued) {
        auto o = drain(*q);
        EXPECT_TRUE(o.ok) << o.error;
        EXPECT_EQ(o.stats.n_gen, 2);
    }
    EXPECT_EQ(m.generations_cancelled.load(), 1u);

    // A prompt longer than the context: 400, and the engine still serves.
    std::string huge;
    for (int i = 0; i < 200; ++i) huge += "word ";
    gen_request long_prompt = completion(huge, 4);
    long_prompt.num_ctx = 64;
    auto too_long = drain(*eng.submit(long_prompt, ref()).value());
    EXPECT_FALSE(too_long.ok);
    EXPECT_EQ(too_long.status, 400);
    EXPECT_NE(too_long.error.find("context"), std::string::npos) << too_long.error;

    gen_request bias = completion("x", 2);
    bias.logit_bias = {{1 << 30, 1.0f}};
    auto bad_bias = drain(*eng.submit(bias, ref()).value());
    EXPECT_EQ(bad_bias.status, 400);
    EXPECT_NE(bad_bias.error.find("vocabulary"), std::string::npos) << bad_bias.error;

    auto missing = drain(*eng.submit(completion("x", 2), model_ref{"nope", "/nonexistent.gguf", "", 0}).value());
    EXPECT_FALSE(missing.ok);
    EXPECT_EQ(missing.status, 500);

    auto after = drain(*eng.submit(completion("still here", 3), ref()).value());
    EXPECT_TRUE(after.ok) << after.error;
    EXPECT_EQ(after.stats.n_gen, 3);
}

TEST_F(engine_test, chat_template_and_stop_strings) {
    metrics m;
    engine_options eo;
    eo.n_threads = 2;
    eo.n_ctx = 256;
    engine eng(eo, m);
    gen_request r = completion("", 24);
    r.chat = true;
    r.messages = nlohmann::json::array({{{"role", "user"}, {"content", "hello <|im_start|> there"}}});
    auto whole = drain(*eng.submit(r, ref()).value());
    ASSERT_TRUE(whole.ok) << whole.error;
    ASSERT_GE(whole.text.size(), 2u);
    // Stop at a piece of the greedy text: the answer is what came before it.
    const std::string stop = whole.text.substr(whole.text.size() / 2, 2);
    r.stop = {stop};
    auto cut = drain(*eng.submit(r, ref()).value());
    ASSERT_TRUE(cut.ok) << cut.error;
    EXPECT_EQ(cut.text, whole.text.substr(0, whole.text.find(stop)));
    EXPECT_EQ(cut.stats.finish, "stop");
}

TEST_F(engine_test, embeddings_are_mean_pooled_final_hidden_states) {
    metrics m;
    engine_options eo;
    eo.n_threads = 2;
    eo.n_ctx = 128;
    engine eng(eo, m);
    gen_request r;
    r.model = "tiny";
    r.embed_inputs = {"the quick brown fox", "x"};
    auto ch = eng.submit(r, ref()).value();
    task_event e;
    for (int i = 0; i < 300 && !(ch->pop(e, 100ms) && e.kind != event_kind::started); ++i) {}
    ASSERT_EQ(e.kind, event_kind::done) << e.text;
    ASSERT_EQ(e.embeddings.size(), 2u);

    // Independently: the model's own forward with the hook, mean over tokens, L2 norm.
    auto mod = load_model(*path_);
    ASSERT_TRUE(mod.ok());
    auto tok = tokenizer::from_gguf(mod.value()->file());
    ASSERT_TRUE(tok.ok());
    const auto ids = tok.value()->encode("the quick brown fox", true, false);
    const int64_t n_embd = mod.value()->hp().n_embd;
    std::vector<double> mean(size_t(n_embd), 0.0);
    tensor_callback hook = [&](std::string_view name, int64_t, int64_t n, int64_t len, const float* d) {
        if (name != "result_norm") return;
        for (int64_t t = 0; t < n; ++t)
            for (int64_t i = 0; i < len; ++i) mean[size_t(i)] += d[t * len + i] / double(ids.size());
    };
    kv_cache kv(*mod.value(), int64_t(ids.size()));
    thread_pool pool(2);
    std::vector<float> logits;
    ASSERT_TRUE(forward(*mod.value(), kv, ids, 0, true, logits, pool, &hook).ok());
    double norm = 0;
    for (double v : mean) norm += v * v;
    norm = std::sqrt(norm);
    std::vector<float> want(mean.size());
    for (size_t i = 0; i < mean.size(); ++i) want[i] = float(mean[i] / norm);
    EXPECT_LT(test::max_abs_diff(want, e.embeddings[0]), 1e-5);
    EXPECT_GT(test::max_abs_diff(e.embeddings[0], e.embeddings[1]), 1e-3) << "different inputs, same vector";
}

TEST_F(engine_test, load_only_and_keep_alive) {
    metrics m;
    engine_options eo;
    eo.n_threads = 2;
    eo.n_ctx = 128;
    engine eng(eo, m);
    auto loaded = drain(*eng.submit(completion("", 0), ref(), true).value());
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_EQ(loaded.stats.finish, "load");
    for (int i = 0; i < 100 && eng.loaded().empty(); ++i) std::this_thread::sleep_for(20ms);
    ASSERT_EQ(eng.loaded().size(), 1u);
    EXPECT_EQ(eng.loaded()[0].n_ctx, 128);
    // keep_alive 0: unloaded once idle (bounded wait: 5 s).
    gen_request r = completion("bye", 2);
    r.keep_alive_s = 0.0;
    ASSERT_TRUE(drain(*eng.submit(r, ref()).value()).ok);
    for (int i = 0; i < 250 && !eng.loaded().empty(); ++i) std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(eng.loaded().empty());
    EXPECT_EQ(m.model_loads_total.load(), 1u);
}

}  // namespace
}  // namespace holo::server
