// `holo chat [MODEL]`: an interactive conversation on the terminal, one user turn per
// line, rendered with the model's chat template (the GGUF's own or a built-in). The
// session keeps the conversation's KV cache and re-evaluates only what changed.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli/command.h"
#include "cli/default_model.h"
#include "cli/model_args.h"
#include "cli/sampling_args.h"
#include "runtime/generate.h"
#include "runtime/session.h"
#include "server/chat_prompt.h"

namespace holo::cli {
namespace {

struct chat_args {
    std::string model_path;
    std::string system;
    int32_t n_predict = 256;
    sampler_params sp;
    int64_t seed = -1;
    int threads = 0;
    int64_t ctx = 0;
};

int chat(chat_args a) {
    if (a.model_path.empty()) a.model_path = default_model_path();
    if (a.model_path.empty()) return fail("chat", "no MODEL given and no default model was found; pass a GGUF file");
    auto lm = load_model_and_tokenizer(a.model_path);
    if (!lm.ok()) return fail("chat", lm.message());
    auto& [m, tok] = lm.value();
    auto pb = server::make_prompt_builder(m->file(), *tok);
    if (!pb.ok()) return fail("chat", pb.message());

    session_options so;
    so.n_ctx = a.ctx;
    so.n_threads = a.threads > 0 ? a.threads : default_threads();
    session s(m, so);

    generation_params gp;
    gp.max_tokens = a.n_predict;
    gp.sampling = a.sp;
    gp.sampling.seed = a.seed >= 0 ? uint64_t(a.seed) : std::random_device{}();

    const bool tty = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    if (tty) std::fprintf(stderr, "chat with %s (template: %s); an empty line or /bye ends it\n",
                          a.model_path.c_str(), pb->template_name.c_str());
    nlohmann::json messages = nlohmann::json::array();
    if (!a.system.empty()) messages.push_back({{"role", "system"}, {"content", a.system}});
    std::vector<int32_t> cached;  // the tokens the session holds
    std::string line;
    while (true) {
        if (tty) std::fputs("> ", stdout), std::fflush(stdout);
        if (!std::getline(std::cin, line) || line.empty() || line == "/bye") break;
        messages.push_back({{"role", "user"}, {"content", line}});
        auto prompt = server::build_chat_prompt(pb.value(), *tok, messages);
        if (!prompt.ok()) return fail("chat", prompt.message());
        const std::vector<int32_t>& p = prompt.value();
        if (int64_t(p.size()) >= s.n_ctx()) return fail("chat", "the conversation no longer fits the context; pass a larger --ctx");
        // Reuse the longest cached prefix, but evaluate at least one token.
        size_t keep = std::mismatch(cached.begin(), cached.end(), p.begin(), p.end()).first - cached.begin();
        keep = std::min(keep, p.size() - 1);
        s.truncate(int64_t(keep));
        auto r = generate(s, *tok, std::span(p).subspan(keep), gp, [](std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
            return true;
        });
        std::fputc('\n', stdout);
        if (!r.ok()) return fail("chat", r.message());
        // The template re-renders the reply next turn, so only the prompt stays cached.
        s.truncate(int64_t(p.size()));
        cached = p;
        messages.push_back({{"role", "assistant"}, {"content", r->text}});
    }
    return 0;
}

}  // namespace

HOLO_COMMAND("chat", "interactive chat on the terminal using the model's chat template", [](CLI::App& app) {
    auto a = std::make_shared<chat_args>();
    app.add_option("model", a->model_path, "GGUF model file (default: the embedded model)");
    app.add_option("--system", a->system, "system prompt");
    app.add_option("-n,--n-predict", a->n_predict, "maximum tokens per reply");
    add_sampling_options(app, a->sp);
    app.add_option("--seed", a->seed, "random seed");
    app.add_option("-t,--threads", a->threads, "threads (default: all)");
    app.add_option("-c,--ctx", a->ctx, "context length (default: the model's, at most 4096)");
    return [a] { return chat(*a); };
});

}  // namespace holo::cli
