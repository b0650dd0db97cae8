// `holo train`: trains a small qwen3moe model on a text corpus with the routing
// options users tune (top-k, noisy top-k, load-balancing aux loss, z-loss), reports
// loss / routing / tokens per second and expert utilization, checkpoints and
// resumes exactly, and exports a GGUF that `holo run` and llama.cpp load.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/command.h"
#include "cli/model_args.h"
#include "train/train_export.h"
#include "train/train_report.h"
#include "train/train_vocab.h"
#include "train/trainer.h"

namespace holo::cli {
namespace {

struct train_args {
    std::string corpus, heldout, out, checkpoint, util_tsv, export_type = "f32";
    train_options opt;
    int64_t steps = 1000;
    int64_t stop_after = 0;  // stop (after checkpointing) at this step; 0: run to the end
    int64_t log_every = 10, eval_every = 100, eval_windows = 32, checkpoint_every = 0;
    double heldout_fraction = 0.05;
    double capacity_factor = 1.25;
    bool resume = false;
};

result<std::string> read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return error{"cannot read " + path};
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int run_train(train_args a) {
    auto corpus = read_text(a.corpus);
    if (!corpus.ok()) return fail("train", corpus.message());
    std::string train_text = std::move(corpus.value()), held_text;
    if (!a.heldout.empty()) {
        auto h = read_text(a.heldout);
        if (!h.ok()) return fail("train", h.message());
        held_text = std::move(h.value());
    } else {
        size_t cut = size_t(double(train_text.size()) * (1.0 - a.heldout_fraction));
        cut = train_text.find('\n', cut);
        if (cut == std::string::npos) return fail("train", a.corpus + ": too short to hold out a part");
        held_text = train_text.substr(cut + 1);
        train_text.resize(cut + 1);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto vocab = train_bpe_vocab(train_text, a.opt.hp.n_vocab);
    if (!vocab.ok()) return fail("train", vocab.message());
    auto tok = make_tokenizer(vocab.value());
    if (!tok.ok()) return fail("train", tok.message());
    std::vector<int32_t> train_tokens = tok.value()->encode(train_text, true, false);
    std::vector<int32_t> held_tokens = tok.value()->encode(held_text, true, false);
    const double t_prep = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "holo train: vocab %lld (%zu merges), %zu train tokens, %zu held-out tokens (%.1f s)\n",
                 (long long)a.opt.hp.n_vocab, vocab->merges.size(), train_tokens.size(), held_tokens.size(), t_prep);
    if (int64_t(train_tokens.size()) <= a.opt.hp.n_ctx + 1 || int64_t(held_tokens.size()) <= a.opt.hp.n_ctx + 1)
        return fail("train", "corpus or held-out text shorter than one context window");

    a.opt.adam.total_steps = a.steps;
    trainer tr(a.opt, std::move(train_tokens));
    const auto& hp = a.opt.hp;
    std::fprintf(stderr, "holo train: %zu parameters: n_embd %lld, %lld layers, %lld heads (%lld kv) x %lld, "
                 "%lld experts top-%lld of width %lld, ctx %lld, batch %lld, %d threads\n",
                 tr.layout().n_params, (long long)hp.n_embd, (long long)hp.n_layer, (long long)hp.n_head,
                 (long long)hp.n_head_kv, (long long)hp.head_dim, (long long)hp.n_expert,
                 (long long)hp.n_expert_used, (long long)hp.n_ff_exp, (long long)hp.n_ctx, (long long)a.opt.batch,
                 a.opt.n_threads);
    if (a.resume) {
        if (a.checkpoint.empty()) return fail("train", "--resume needs --checkpoint FILE");
        if (auto r = tr.load_checkpoint(a.checkpoint); !r.ok()) return fail("train", r.message());
        std::fprintf(stderr, "holo train: resumed %s at step %lld\n", a.checkpoint.c_str(), (long long)tr.step());
    }
    std::FILE* tsv = nullptr;
    if (!a.util_tsv.empty()) {
        tsv = std::fopen(a.util_tsv.c_str(), a.resume ? "a" : "w");
        if (!tsv) return fail("train", "cannot write " + a.util_tsv);
    }
    const std::span<const int32_t> held(held_tokens);
    std::fprintf(stderr, "holo train: step 0 held-out loss %.4f\n", tr.evaluate(held, a.eval_windows));

    step_stats acc;
    int64_t acc_steps = 0;
    auto t_log = std::chrono::steady_clock::now();
    const int64_t end = a.stop_after > 0 ? std::min(a.stop_after, a.steps) : a.steps;
    while (tr.step() < end) {
        step_stats s = tr.train_step();
        if (acc_steps == 0) acc = step_stats{}, acc.load.assign(s.load.size(), 0);
        ++acc_steps;
        acc.loss += s.loss, acc.ce += s.ce, acc.aux += s.aux, acc.z += s.z, acc.n_tokens += s.n_tokens;
        acc.max_logit = std::max(acc.max_logit, s.max_logit);
        for (size_t i = 0; i < s.load.size(); ++i) acc.load[i] += s.load[i];
        const int64_t step = tr.step();
        if (step % a.log_every == 0 || step == end) {
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_log).count();
            const double k = 1.0 / double(acc_steps);
            std::printf("step %6lld  lr %.2e  loss %.4f  ce %.4f  aux %.4f  z %.3f  max|router| %.2f  |g| %.3f  "
                        "load-cv %.3f  %.0f tok/s\n",
                        (long long)step, s.lr, acc.loss * k, acc.ce * k, acc.aux * k, acc.z * k, acc.max_logit,
                        s.grad_norm, mean_load_cv(acc.load, hp.n_layer, hp.n_expert), double(acc.n_tokens) / dt);
            std::fflush(stdout);
            if (tsv) append_utilization_tsv(tsv, step, acc.load, hp.n_layer, hp.n_expert, step == a.log_every);
            acc_steps = 0;
            t_log = std::chrono::steady_clock::now();
        }
        if (step % a.eval_every == 0 || step == end) {
            std::vector<int64_t> load;
            const double hl = tr.evaluate(held, a.eval_windows, &load);
            std::printf("step %6lld  held-out loss %.4f  ppl %.2f\n%s", (long long)step, hl, std::exp(hl),
                        utilization_table(load, hp.n_layer, hp.n_expert, a.capacity_factor).c_str());
            std::fflush(stdout);
        }
        if (!a.checkpoint.empty() && ((a.checkpoint_every > 0 && step % a.checkpoint_every == 0) || step == end)) {
            if (auto r = tr.save_checkpoint(a.checkpoint); !r.ok()) return fail("train", r.message());
        }
    }
    if (tsv) std::fclose(tsv);
    if (tr.step() >= a.steps) {
        const int32_t pctx = int32_t(hp.n_ctx);
        auto ppl = tr.perplexity(held, pctx, 1 << 30);
        if (ppl.ok())
            std::printf("held-out perplexity (llama.cpp chunking, ctx %d, all chunks): %.4f\n", pctx, ppl.value());
    }
    if (!a.out.empty()) {
        export_options eo;
        auto type = type_from_name(a.export_type);
        if (!type) return fail("train", "--export-type: f32 or f16");
        eo.matrix_type = *type;
        eo.provenance = {
            {"holo.train.seed", gguf_value::make_u64(a.opt.seed)},
            {"holo.train.steps", gguf_value::make_u64(uint64_t(tr.step()))},
            {"holo.train.aux_loss", gguf_value::make_f32(float(a.opt.routing.aux_coef))},
            {"holo.train.z_loss", gguf_value::make_f32(float(a.opt.routing.z_coef))},
        };
        if (auto r = export_gguf(tr.layout(), tr.params(), vocab.value(), a.out, eo); !r.ok())
            return fail("train", r.message());
        std::fprintf(stderr, "holo train: wrote %s\n", a.out.c_str());
    }
    return 0;
}

}  // namespace

HOLO_COMMAND("train", "train a small MoE model (qwen3moe) on a text corpus and export it as GGUF", [](CLI::App& app) {
    auto a = std::make_shared<train_args>();
    auto& o = a->opt;
    app.add_option("--corpus", a->corpus, "training text (UTF-8)")->required();
    app.add_option("--heldout", a->heldout, "held-out text (default: the corpus' last --heldout-fraction)");
    app.add_option("--heldout-fraction", a->heldout_fraction, "share of the corpus held out when no --heldout (0.05)");
    app.add_option("-o,--out", a->out, "GGUF to write at the end");
    app.add_option("--export-type", a->export_type, "matrix type of the GGUF: f32 (default) or f16");
    app.add_option("--vocab", o.hp.n_vocab, "vocabulary size (BPE trained on the corpus; default 1024)");
    app.add_option("--ctx", o.hp.n_ctx, "sequence length (default 128)");
    app.add_option("--embd", o.hp.n_embd, "n_embd (default 128)");
    app.add_option("--layers", o.hp.n_layer, "layers (default 4)");
    app.add_option("--heads", o.hp.n_head, "attention heads (default 4)");
    app.add_option("--heads-kv", o.hp.n_head_kv, "key/value heads, GQA (default 2)");
    app.add_option("--head-dim", o.hp.head_dim, "head dimension (default 32)");
    app.add_option("--experts", o.hp.n_expert, "routed experts per layer (default 8)");
    app.add_option("--top-k", o.hp.n_expert_used, "experts per token (default 2)");
    app.add_option("--ff", o.hp.n_ff_exp, "expert FFN width (default 128)");
    app.add_option("--batch", o.batch, "sequences per step (default 16)");
    app.add_option("--steps", a->steps, "optimizer steps (default 1000)");
    app.add_option("--stop-after", a->stop_after, "stop at this step (checkpoint first); resume later");
    app.add_option("--lr", o.adam.lr, "peak learning rate (default 3e-3)");
    app.add_option("--lr-min", o.adam.lr_min, "final learning rate of the cosine decay (default 3e-4)");
    app.add_option("--warmup", o.adam.warmup, "linear warm-up steps (default 100)");
    app.add_option("--weight-decay", o.adam.weight_decay, "AdamW decoupled weight decay (default 0.1)");
    app.add_option("--clip", o.adam.clip, "global gradient-norm clip (default 1; 0: off)");
    app.add_option("--aux-loss", o.routing.aux_coef, "Switch load-balancing loss coefficient (default 0)");
    app.add_option("--z-loss", o.routing.z_coef, "router z-loss coefficient (default 0)");
    app.add_option("--router-noise", o.routing.noise_std, "noisy top-k: std of N(0, s) added to router logits (default 0)");
    app.add_option("--capacity-factor", a->capacity_factor, "capacity reported against, x the balanced load (1.25)");
    app.add_option("--seed", o.seed, "seed of initialization, batches and router noise (default 1)");
    app.add_option("-t,--threads", o.n_threads, "threads (default 2)");
    app.add_option("--log-every", a->log_every, "steps between log lines (default 10)");
    app.add_option("--eval-every", a->eval_every, "steps between held-out evaluations (default 100)");
    app.add_option("--eval-windows", a->eval_windows, "held-out windows per evaluation (default 32)");
    app.add_option("--checkpoint", a->checkpoint, "checkpoint file (written at the end and every --checkpoint-every)");
    app.add_option("--checkpoint-every", a->checkpoint_every, "steps between checkpoints (0: only at the end)");
    app.add_flag("--resume", a->resume, "continue from --checkpoint");
    app.add_option("--util-tsv", a->util_tsv, "write expert utilization per log interval (for plots)");
    return [a] { return run_train(*a); };
});

}  // namespace holo::cli
