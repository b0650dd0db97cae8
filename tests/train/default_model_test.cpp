// The committed default model (assets/default-model.gguf): its held-out perplexity
// (tests/data/kjv-heldout.txt, llama.cpp's chunking at ctx 128) agrees within 1%
// between the trainer's own forward pass, the engine's, and llama.cpp's (oracle);
// and it continues "In the beginning" with words of the corpus.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <fstream>
#include <sstream>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "oracle/oracle_client.h"
#include "runtime/perplexity.h"
#include "tokenizer/tokenizer.h"
#include "test_util.h"
#include "train/train_export.h"
#include "train/train_pass.h"

namespace holo {
namespace {

constexpr int32_t k_ctx = 128;
constexpr int32_t k_chunks = 24;  // of ~260: keeps the oracle part (one process per chunk) short

std::string model_path() { return test::source_dir() + "/assets/default-model.gguf"; }

struct fixture_data {
    std::shared_ptr<const model> m;
    std::vector<int32_t> tokens;
    perplexity_plan plan;
};

std::optional<fixture_data> load() {
    auto m = load_model(model_path());
    if (!m.ok()) {
        ADD_FAILURE() << m.message();
        return std::nullopt;
    }
    auto tok = tokenizer::from_gguf(m.value()->file());
    if (!tok.ok()) {
        ADD_FAILURE() << tok.message();
        return std::nullopt;
    }
    std::ifstream f(test::source_dir() + "/tests/data/kjv-heldout.txt", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    fixture_data d{m.value(), tok.value()->encode(ss.str(), true, false), {}};
    auto plan = plan_perplexity(d.tokens.size(), k_ctx);
    if (!plan.ok()) {
        ADD_FAILURE() << plan.message();
        return std::nullopt;
    }
    d.plan = plan.value();
    d.plan.n_chunk = std::min(d.plan.n_chunk, k_chunks);
    return d;
}

// Perplexity over the plan's chunks with logits from `eval` ([n_vocab, k_ctx] per chunk).
template <typename F>
double perplexity_with(const fixture_data& d, int64_t n_vocab, F eval) {
    perplexity_accumulator acc;
    for (int32_t c = 0; c < d.plan.n_chunk; ++c) {
        const auto chunk = chunk_tokens(d.tokens, d.plan, c, -1);
        const std::vector<float> lg = eval(chunk);
        for (int32_t i = d.plan.first; i < k_ctx - 1; ++i)
            acc.add(negative_log_likelihood(std::span<const float>(lg.data() + size_t(i) * size_t(n_vocab),
                                                                   size_t(n_vocab)),
                                            chunk[size_t(i + 1)]));
    }
    return acc.ppl();
}

TEST(default_model, perplexity_agrees_between_trainer_engine_and_llama_cpp) {
    if (!std::filesystem::exists(model_path())) GTEST_SKIP() << model_path() << " is not there";
    auto d = load();
    ASSERT_TRUE(d.has_value());
    const int64_t V = d->m->hp().n_vocab;

    auto f = gguf_file::open(model_path());
    ASSERT_TRUE(f.ok()) << f.message();
    auto hp = hparams_from_gguf(f.value());
    ASSERT_TRUE(hp.ok()) << hp.message();
    const param_layout lay = make_layout(hp.value());
    auto params = import_params(lay, f.value());
    ASSERT_TRUE(params.ok()) << params.message();
    seq_pass<float> pass(lay);
    const double ppl_trainer = perplexity_with(*d, V, [&](const std::vector<int32_t>& chunk) {
        std::vector<int32_t> seq = chunk;
        seq.push_back(0);  // a dummy target: the pass evaluates all k_ctx positions
        seq_stats st;
        pass.forward(params->data(), seq, routing_options{}, 0, st);
        return pass.logits();
    });

    thread_pool pool(2);
    const double ppl_engine = perplexity_with(*d, V, [&](const std::vector<int32_t>& chunk) {
        kv_cache kv(*d->m, k_ctx);
        std::vector<float> logits;
        EXPECT_TRUE(forward(*d->m, kv, chunk, 0, true, logits, pool).ok());
        return logits;
    });
    std::printf("held-out ppl over %d chunks of %d: trainer %.4f, engine %.4f\n", d->plan.n_chunk, k_ctx, ppl_trainer,
                ppl_engine);
    EXPECT_NEAR(ppl_engine / ppl_trainer, 1.0, 0.01);

    if (!test::oracle_missing_reason().empty()) GTEST_SKIP() << test::oracle_missing_reason();
    const double ppl_llama = perplexity_with(*d, V, [&](const std::vector<int32_t>& chunk) {
        std::string list;
        for (int32_t t : chunk) list += (list.empty() ? "" : ",") + std::to_string(t);
        const std::string out = test::temp_path("default_logits.f32");
        std::string printed;
        const std::string cmd = test::shell_quote(test::oracle_path()) + " logits " + test::shell_quote(model_path()) +
                                " " + list + " --threads 2 --out " + test::shell_quote(out);
        EXPECT_EQ(test::run_command(cmd, &printed), 0) << printed;
        auto b = test::read_bytes(out);
        return b ? test::bytes_to_floats(*b) : std::vector<float>(size_t(V * k_ctx), 0.0f);
    });
    std::printf("llama.cpp %.4f\n", ppl_llama);
    EXPECT_NEAR(ppl_llama / ppl_trainer, 1.0, 0.01);
}

}  // namespace
}  // namespace holo
