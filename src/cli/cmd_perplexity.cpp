// `holo perplexity MODEL -f FILE [--ctx N] [--batch N]`: perplexity with llama.cpp's
// chunking (runtime/perplexity.h), printing the running value per chunk and the
// final estimate ± error in llama.cpp's format so the numbers line up.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/command.h"
#include "cli/model_args.h"
#include "runtime/perplexity.h"
#include "runtime/session.h"

namespace holo::cli {
namespace {

struct perplexity_args {
    std::string model_path;
    std::string file;
    int32_t ctx = 512;
    int64_t batch = 0;
    int threads = 0;
    int32_t chunks = -1;
    bool reference = false;
};

int run(const perplexity_args& a) {
    std::ifstream in(a.file, std::ios::binary);
    if (!in) return fail("perplexity", a.file + ": cannot open the text file");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();

    auto lm = load_model_and_tokenizer(a.model_path);
    if (!lm.ok()) return fail("perplexity", lm.message());
    auto& [m, tok] = lm.value();

    // Tokenized once, with BOS when the vocabulary asks, as llama.cpp does.
    const std::vector<int32_t> tokens = tok->encode(text, true, false);
    auto plan = plan_perplexity(tokens.size(), a.ctx);
    if (!plan.ok()) return fail("perplexity", a.file + ": " + plan.message());
    perplexity_plan p = plan.value();
    if (a.chunks > 0) p.n_chunk = std::min(p.n_chunk, a.chunks);
    const int32_t bos = tok->specials().add_bos ? tok->specials().bos : -1;

    session_options so;
    so.n_ctx = p.n_ctx;
    so.n_batch = a.batch > 0 ? a.batch : p.n_ctx;
    so.n_threads = a.threads > 0 ? a.threads : default_threads();
    so.reference = a.reference;
    session s(m, so);
    std::fprintf(stderr, "perplexity: %zu tokens, %d chunks, n_ctx=%d, batch=%lld, %d threads\n", tokens.size(),
                 p.n_chunk, p.n_ctx, (long long)so.n_batch, s.n_threads());

    perplexity_accumulator acc;
    const auto t0 = std::chrono::steady_clock::now();
    for (int32_t i = 0; i < p.n_chunk; ++i) {
        const std::vector<int32_t> chunk = chunk_tokens(tokens, p, i, bos);
        s.reset();
        // The first half only fills the cache; logits are needed from `first` on.
        const std::span<const int32_t> all(chunk);
        if (auto r = s.eval(all.subspan(0, size_t(p.first)), false); !r.ok()) return fail("perplexity", r.message());
        if (auto r = s.eval(all.subspan(size_t(p.first)), true); !r.ok()) return fail("perplexity", r.message());
        for (int32_t j = 0; j < p.scored_per_chunk; ++j) {
            acc.add(negative_log_likelihood(s.row(j), chunk[size_t(p.first + j + 1)]));
        }
        if (i == 0) {
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(stderr, "perplexity: %.2f seconds per pass - ETA %.2f minutes\n", sec, sec * p.n_chunk / 60);
        }
        std::printf("[%d]%.4lf,", i + 1, acc.ppl());
        std::fflush(stdout);
    }
    std::printf("\nFinal estimate: PPL = %.4lf +/- %.5lf\n", acc.ppl(), acc.error());
    return 0;
}

}  // namespace

HOLO_COMMAND("perplexity", "perplexity over a text file (llama.cpp's chunking)", [](CLI::App& app) {
    auto a = std::make_shared<perplexity_args>();
    app.add_option("model", a->model_path, "GGUF model file")->required();
    app.add_option("-f,--file", a->file, "text file")->required();
    app.add_option("-c,--ctx", a->ctx, "tokens per chunk (default 512)");
    app.add_option("-b,--batch", a->batch, "tokens per forward call (default: the chunk)");
    app.add_option("--chunks", a->chunks, "stop after this many chunks");
    app.add_option("-t,--threads", a->threads, "threads (default: all)");
    app.add_flag("--reference", a->reference, "use the slow f32 reference forward pass");
    return [a] { return run(*a); };
});

}  // namespace holo::cli
