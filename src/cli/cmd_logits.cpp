// `holo logits MODEL (-p TEXT | --tokens ID,...) [--top K | --all] [--json]`: the
// next-token logits at every position, for comparing with other implementations
// (with --all --json: {"n_vocab": V, "tokens": [...], "logits": [[V floats], ...]}).
#include <algorithm>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/model_args.h"
#include "runtime/session.h"
#include "tokenizer/utf8.h"

namespace holo::cli {
namespace {

struct logits_args {
    std::string model_path;
    std::string prompt;
    std::string tokens;
    int top = 5;
    bool all = false;
    bool json = false;
    bool reference = false;
    int threads = 0;
};

// %.9g round-trips a float exactly.
void append_float(std::string& s, float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    s += buf;
}

int run(const logits_args& a) {
    if (a.prompt.empty() == a.tokens.empty()) return fail("logits", "pass exactly one of -p TEXT or --tokens ID,ID,...");
    auto lm = load_model_and_tokenizer(a.model_path);
    if (!lm.ok()) return fail("logits", lm.message());
    auto& [m, tok] = lm.value();
    const int64_t n_vocab = m->hp().n_vocab;

    std::vector<int32_t> ids;
    if (!a.tokens.empty()) {
        auto parsed = parse_token_list(a.tokens, n_vocab);
        if (!parsed.ok()) return fail("logits", parsed.message());
        ids = std::move(parsed.value());
    } else {
        ids = tok->encode(a.prompt, true, false);
        if (ids.empty()) return fail("logits", "the prompt tokenizes to nothing");
    }

    session_options so;
    so.n_ctx = int64_t(ids.size());
    so.n_batch = int64_t(ids.size());
    so.n_threads = a.threads > 0 ? a.threads : default_threads();
    so.reference = a.reference;
    session s(m, so);
    auto r = s.eval(ids, true);
    if (!r.ok()) return fail("logits", r.message());

    const int64_t n_pos = s.n_rows();
    if (a.all) {
        if (!a.json) return fail("logits", "--all prints JSON; add --json");
        std::string out = "{\"n_vocab\":" + std::to_string(n_vocab) + ",\"tokens\":[";
        for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
        out += "],\"logits\":[";
        out.reserve(out.size() + size_t(n_pos) * size_t(n_vocab) * 12);
        for (int64_t p = 0; p < n_pos; ++p) {
            out += p ? ",[" : "[";
            auto row = s.row(p);
            for (int64_t v = 0; v < n_vocab; ++v) {
                if (v) out += ',';
                append_float(out, row[size_t(v)]);
            }
            out += ']';
        }
        out += "]}\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }

    const int k = int(std::clamp<int64_t>(a.top, 1, n_vocab));
    nlohmann::json positions = nlohmann::json::array();
    std::vector<int32_t> order(static_cast<size_t>(n_vocab));
    for (int64_t p = 0; p < n_pos; ++p) {
        auto row = s.row(p);
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t x, int32_t y) {
            return row[size_t(x)] != row[size_t(y)] ? row[size_t(x)] > row[size_t(y)] : x < y;
        });
        if (a.json) {
            nlohmann::json top = nlohmann::json::array();
            for (int i = 0; i < k; ++i) {
                const int32_t id = order[size_t(i)];
                // Pieces may be partial UTF-8; JSON needs valid text.
                top.push_back({{"id", id}, {"logit", row[size_t(id)]}, {"piece", utf8_sanitize(tok->token_to_piece(id))}});
            }
            positions.push_back({{"pos", p}, {"token", ids[size_t(p)]}, {"top", top}});
        } else {
            std::printf("[%lld] token %d %s\n", (long long)p, ids[size_t(p)],
                        nlohmann::json(utf8_sanitize(tok->token_to_piece(ids[size_t(p)]))).dump().c_str());
            for (int i = 0; i < k; ++i) {
                const int32_t id = order[size_t(i)];
                std::printf("    %8d  %12.6f  %s\n", id, row[size_t(id)],
                            nlohmann::json(utf8_sanitize(tok->token_to_piece(id))).dump().c_str());
            }
        }
    }
    if (a.json) {
        nlohmann::json out = {{"n_vocab", n_vocab}, {"tokens", ids}, {"positions", positions}};
        std::printf("%s\n", out.dump().c_str());
    }
    return 0;
}

}  // namespace

HOLO_COMMAND("logits", "print next-token logits at every position (top entries, or all)", [](CLI::App& app) {
    auto a = std::make_shared<logits_args>();
    app.add_option("model", a->model_path, "GGUF model file")->required();
    app.add_option("-p,--prompt", a->prompt, "text to tokenize (BOS added as the vocabulary asks)");
    app.add_option("--tokens", a->tokens, "token ids instead of text: ID,ID,...");
    auto* top = app.add_option("--top", a->top, "print the K largest logits per position (default 5)");
    app.add_flag("--all", a->all, "print every logit (with --json)")->excludes(top);
    app.add_flag("--json", a->json, "machine-readable output");
    app.add_flag("--reference", a->reference, "use the slow f32 reference forward pass");
    app.add_option("-t,--threads", a->threads, "threads (default: all)");
    return [a] { return run(*a); };
});

}  // namespace holo::cli
