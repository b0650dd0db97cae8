// A short real training run: 300 KB of the King James Bible (tests/data, public
// domain), a small MoE (2 layers, 8 experts top-2), 150 steps on 2 threads. The
// held-out loss (tests/data/kjv-heldout.txt, text the run never sees) must fall by
// at least 1.0 nat/token from the untrained model's (about 6.3 = ln 512 + noise).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "test_util.h"
#include "train/train_report.h"
#include "train/train_vocab.h"
#include "train/trainer.h"

namespace holo {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(train_convergence, short_run_lowers_held_out_loss) {
    const std::string train_text = read_file(test::source_dir() + "/tests/data/kjv-train-sample.txt");
    const std::string held_text = read_file(test::source_dir() + "/tests/data/kjv-heldout.txt");
    ASSERT_GT(train_text.size(), 100000u);
    ASSERT_GT(held_text.size(), 50000u);
    train_options o;
    o.hp.n_vocab = 512;
    o.hp.n_ctx = 64;
    o.hp.n_embd = 64;
    o.hp.n_layer = 2;
    o.hp.n_head = 2;
    o.hp.n_head_kv = 1;
    o.hp.head_dim = 32;
    o.hp.n_expert = 8;
    o.hp.n_expert_used = 2;
    o.hp.n_ff_exp = 64;
    o.batch = 8;
    o.seed = 1;
    o.n_threads = 2;
    o.routing.aux_coef = 0.01;
    o.routing.z_coef = 0.001;
    o.adam.lr = 3e-3;
    o.adam.lr_min = 3e-4;
    o.adam.warmup = 20;
    o.adam.total_steps = 150;

    auto vocab = train_bpe_vocab(train_text, o.hp.n_vocab);
    ASSERT_TRUE(vocab.ok()) << vocab.message();
    auto tok = make_tokenizer(vocab.value());
    ASSERT_TRUE(tok.ok()) << tok.message();
    const auto held = tok.value()->encode(held_text, true, false);
    trainer tr(o, tok.value()->encode(train_text, true, false));
    const double before = tr.evaluate(held, 64);
    const auto t0 = std::chrono::steady_clock::now();
    step_stats last;
    for (int64_t i = 0; i < o.adam.total_steps; ++i) last = tr.train_step();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<int64_t> load;
    const double after = tr.evaluate(held, 64, &load);
    std::printf("held-out loss %.3f -> %.3f in %.1f s (%.0f tok/s); load cv %.3f\n%s", before, after, secs,
                double(o.adam.total_steps * o.batch * o.hp.n_ctx) / secs, mean_load_cv(load, 2, 8),
                utilization_table(load, 2, 8, 1.25).c_str());
    EXPECT_LT(after, before - 1.0);
    // with the 0.01 load-balancing loss no expert is starved (balanced share is 12.5%)
    for (int64_t il = 0; il < 2; ++il)
        for (int64_t e = 0; e < 8; ++e) {
            double sum = 0;
            for (int64_t j = 0; j < 8; ++j) sum += double(load[size_t(il * 8 + j)]);
            EXPECT_GT(double(load[size_t(il * 8 + e)]) / sum, 0.02) << "layer " << il << " expert " << e;
        }
}

}  // namespace
}  // namespace holo
