// holo train's loop and export: a checkpointed, resumed run equals the straight
// run bit for bit; the exported GGUF gives the trainer's own logits in the engine
// (forward) and the same next-token predictions in llama.cpp (oracle).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "oracle/oracle_client.h"
#include "test_util.h"
#include "train/train_export.h"
#include "train/train_vocab.h"
#include "train/trainer.h"

namespace holo {
namespace {

// A small corpus with structure to learn: counting words.
std::string toy_text() {
    static const char* w[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    std::string s;
    for (int r = 0; r < 60; ++r)
        for (int i = 0; i < 10; ++i) s += std::string(i == 0 ? "\n" : " ") + w[(i + r) % 10];
    return s;
}

train_options small_options() {
    train_options o;
    o.hp.n_vocab = 300;
    o.hp.n_ctx = 32;
    o.hp.n_embd = 32;
    o.hp.n_layer = 2;
    o.hp.n_head = 4;
    o.hp.n_head_kv = 2;
    o.hp.head_dim = 8;
    o.hp.n_expert = 4;
    o.hp.n_expert_used = 2;
    o.hp.n_ff_exp = 32;
    o.batch = 4;
    o.n_threads = 2;
    o.seed = 9;
    o.routing = {0.01, 0.001, 0.3};  // aux, z, and router noise: all of it must resume exactly
    o.adam.warmup = 2;
    o.adam.total_steps = 8;
    return o;
}

std::vector<int32_t> toy_tokens(synth_vocab* vocab_out = nullptr) {
    auto v = train_bpe_vocab(toy_text(), 300);
    EXPECT_TRUE(v.ok());
    auto tok = make_tokenizer(v.value());
    EXPECT_TRUE(tok.ok()) << (tok.ok() ? "" : tok.message());
    if (vocab_out) *vocab_out = v.value();
    return tok.value()->encode(toy_text(), true, false);
}

TEST(train, resume_is_exact) {
    const auto tokens = toy_tokens();
    trainer straight(small_options(), tokens);
    for (int i = 0; i < 8; ++i) (void)straight.train_step();

    const std::string ckpt = test::temp_path("resume.ckpt");
    {
        trainer first(small_options(), tokens);
        for (int i = 0; i < 4; ++i) (void)first.train_step();
        ASSERT_TRUE(first.save_checkpoint(ckpt).ok());
    }
    trainer second(small_options(), tokens);
    ASSERT_TRUE(second.load_checkpoint(ckpt).ok());
    EXPECT_EQ(second.step(), 4);
    for (int i = 0; i < 4; ++i) (void)second.train_step();
    ASSERT_EQ(straight.params().size(), second.params().size());
    EXPECT_EQ(std::memcmp(straight.params().data(), second.params().data(), straight.params().size() * sizeof(float)),
              0)
        << "resumed parameters differ from the straight run";
    // and training moved them at all
    trainer fresh(small_options(), tokens);
    EXPECT_NE(std::memcmp(fresh.params().data(), second.params().data(), fresh.params().size() * sizeof(float)), 0);
}

TEST(train, checkpoint_with_other_dimensions_is_an_error) {
    const auto tokens = toy_tokens();
    trainer a(small_options(), tokens);
    const std::string ckpt = test::temp_path("dims.ckpt");
    ASSERT_TRUE(a.save_checkpoint(ckpt).ok());
    train_options o = small_options();
    o.hp.n_expert = 8;
    trainer b(o, tokens);
    auto r = b.load_checkpoint(ckpt);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("dimensions"), std::string::npos) << r.err().message;
}

struct exported {
    std::string path;
    std::vector<int32_t> tokens;    // evaluated ids (n)
    std::vector<float> logits;      // trainer's, [n_vocab, n]
    int64_t n_vocab = 0;
};

exported train_and_export() {
    synth_vocab vocab;
    const auto all = toy_tokens(&vocab);
    train_options o = small_options();
    trainer tr(o, all);
    for (int i = 0; i < 8; ++i) (void)tr.train_step();
    exported ex;
    ex.path = test::temp_path("trained.gguf");
    auto r = export_gguf(tr.layout(), tr.params(), vocab, ex.path);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    const int64_t n = o.hp.n_ctx;
    std::vector<int32_t> seq(all.begin() + 5, all.begin() + 5 + n + 1);
    seq_pass<float> pass(tr.layout());
    seq_stats st;
    pass.forward(tr.params().data(), seq, routing_options{}, 0, st);
    ex.tokens.assign(seq.begin(), seq.end() - 1);
    ex.logits = pass.logits();
    ex.n_vocab = o.hp.n_vocab;
    return ex;
}

int64_t argmax(const float* x, int64_t n) { return std::max_element(x, x + n) - x; }

TEST(train, exported_gguf_runs_in_the_engine_with_the_trainers_logits) {
    const exported ex = train_and_export();
    auto m = load_model(ex.path);
    ASSERT_TRUE(m.ok()) << m.message();
    kv_cache kv(*m.value(), int64_t(ex.tokens.size()));
    thread_pool pool(2);
    std::vector<float> logits;
    ASSERT_TRUE(forward(*m.value(), kv, ex.tokens, 0, true, logits, pool).ok());
    ASSERT_EQ(logits.size(), ex.logits.size());
    // Same f32 weights, different summation order: 1e-3 of the logit range.
    float range = 0;
    for (float x : ex.logits) range = std::max(range, std::fabs(x));
    EXPECT_LT(test::max_abs_diff(ex.logits, logits), 1e-3f * range);
    const int64_t V = ex.n_vocab, n = int64_t(ex.tokens.size());
    for (int64_t t = 0; t < n; ++t)
        EXPECT_EQ(argmax(&logits[size_t(t * V)], V), argmax(&ex.logits[size_t(t * V)], V)) << "position " << t;
    // the file's tokenizer is the trained one
    auto tok = tokenizer::from_gguf(m.value()->file());
    ASSERT_TRUE(tok.ok()) << tok.message();
    EXPECT_EQ(tok.value()->n_vocab(), V);
}

TEST(train, exported_gguf_gives_llama_cpp_the_same_next_tokens) {
    HOLO_REQUIRE_ORACLE();
    const exported ex = train_and_export();
    std::string list;
    for (int32_t t : ex.tokens) list += (list.empty() ? "" : ",") + std::to_string(t);
    const std::string out = test::temp_path("oracle_logits.f32");
    std::string printed;
    const std::string cmd = test::shell_quote(test::oracle_path()) + " logits " + test::shell_quote(ex.path) + " " +
                            list + " --threads 1 --out " + test::shell_quote(out);
    ASSERT_EQ(test::run_command(cmd, &printed), 0) << cmd << "\n" << printed;
    auto bytes = test::read_bytes(out);
    ASSERT_TRUE(bytes.has_value());
    const std::vector<float> ll = test::bytes_to_floats(*bytes);
    ASSERT_EQ(ll.size(), ex.logits.size());
    float range = 0;
    for (float x : ex.logits) range = std::max(range, std::fabs(x));
    EXPECT_LT(test::max_abs_diff(ex.logits, ll), 2e-3f * range);
    const int64_t V = ex.n_vocab, n = int64_t(ex.tokens.size());
    for (int64_t t = 0; t < n; ++t)
        EXPECT_EQ(argmax(&ll[size_t(t * V)], V), argmax(&ex.logits[size_t(t * V)], V)) << "position " << t;
}

TEST(train, import_reads_back_what_export_wrote) {
    const exported ex = train_and_export();
    auto f = gguf_file::open(ex.path);
    ASSERT_TRUE(f.ok()) << f.message();
    auto hp = hparams_from_gguf(f.value());
    ASSERT_TRUE(hp.ok()) << hp.message();
    EXPECT_EQ(hp->n_embd, small_options().hp.n_embd);
    EXPECT_EQ(hp->n_expert_used, small_options().hp.n_expert_used);
    const param_layout lay = make_layout(hp.value());
    auto p = import_params(lay, f.value());
    ASSERT_TRUE(p.ok()) << p.message();
    seq_pass<float> pass(lay);
    seq_stats st;
    std::vector<int32_t> seq = ex.tokens;
    seq.push_back(0);
    pass.forward(p->data(), seq, routing_options{}, 0, st);
    EXPECT_EQ(test::max_abs_diff(pass.logits(), ex.logits), 0.0f);
}

}  // namespace
}  // namespace holo
