// `holo run [MODEL] -p TEXT`: generates text, streaming it to stdout as it is made;
// timing goes to stderr at the end so stdout stays just the text.
#include <cstdio>
#include <random>

#include "cli/command.h"
#include "cli/default_model.h"
#include "cli/model_args.h"
#include "cli/sampling_args.h"
#include "runtime/generate.h"
#include "runtime/session.h"

namespace holo::cli {
namespace {

struct run_args {
    std::string model_path;
    std::string prompt;
    int32_t n_predict = 128;
    sampler_params sp;
    int64_t seed = -1;
    std::vector<std::string> stop;
    int threads = 0;
    int64_t ctx = 0;
    bool mlock = false;
    bool reference = false;
};

int run(run_args a) {
    if (a.model_path.empty()) a.model_path = default_model_path();
    if (a.model_path.empty()) {
        return fail("run", "no MODEL given and no default model was found next to the holo binary "
                           "(default-model.gguf; rebuild, or set HOLO_DEFAULT_MODEL); "
                           "pass a GGUF file: holo run path/to/model.gguf -p \"...\"");
    }
    auto lm = load_model_and_tokenizer(a.model_path, a.mlock);
    if (!lm.ok()) return fail("run", lm.message());
    auto& [m, tok] = lm.value();

    generation_params gp;
    gp.max_tokens = a.n_predict;
    gp.stop = a.stop;
    gp.sampling = a.sp;
    gp.sampling.seed = a.seed >= 0 ? uint64_t(a.seed) : std::random_device{}();

    std::vector<int32_t> prompt = tok->encode(a.prompt, true, false);
    if (prompt.empty()) return fail("run", "the prompt tokenizes to nothing; pass some text with -p");

    session_options so;
    so.n_ctx = a.ctx;
    so.n_threads = a.threads > 0 ? a.threads : default_threads();
    so.reference = a.reference;
    session s(m, so);
    if (int64_t(prompt.size()) >= s.n_ctx()) {
        return fail("run", "the prompt is " + std::to_string(prompt.size()) + " tokens, the context only " +
                               std::to_string(s.n_ctx()) + "; pass a larger --ctx");
    }

    auto r = generate(s, *tok, prompt, gp, [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
    });
    std::fputc('\n', stdout);
    std::fflush(stdout);
    if (!r.ok()) return fail("run", r.message());
    const auto& g = r.value();
    const double gen_rate = g.gen_s > 0 ? double(g.tokens.size()) / g.gen_s : 0.0;
    std::fprintf(stderr,
                 "\nprompt: %lld tokens, %.2f tok/s | generated: %zu tokens, %.2f tok/s | first token after %.2f s | "
                 "stop: %s | seed %llu | %d threads\n",
                 (long long)g.n_prompt, g.prompt_s > 0 ? double(g.n_prompt) / g.prompt_s : 0.0, g.tokens.size(),
                 gen_rate, g.first_token_s, stop_reason_name(g.reason), (unsigned long long)gp.sampling.seed,
                 s.n_threads());
    return 0;
}

}  // namespace

HOLO_COMMAND("run", "generate text from a prompt, streaming it to stdout", [](CLI::App& app) {
    auto a = std::make_shared<run_args>();
    app.add_option("model", a->model_path, "GGUF model file (default: the embedded model, when built in)");
    app.add_option("-p,--prompt", a->prompt, "prompt text")->required();
    app.add_option("-n,--n-predict", a->n_predict, "maximum tokens to generate (-1: until the context is full)");
    add_sampling_options(app, a->sp);
    app.add_option("--seed", a->seed, "random seed (default: random; printed at the end)");
    app.add_option("--stop", a->stop, "stop when this text is generated (repeatable; not printed)");
    app.add_option("-t,--threads", a->threads, "threads (default: all)");
    app.add_option("-c,--ctx", a->ctx, "context length (default: the model's, at most 4096)");
    app.add_flag("--mlock", a->mlock, "lock the weights in RAM");
    app.add_flag("--reference", a->reference, "use the slow f32 reference forward pass");
    return [a] { return run(*a); };
});

}  // namespace holo::cli
