// `holo bench MODEL [-p 512] [-n 128] [-r 5]`: prefill (one batch of p tokens on an
// empty cache) and decode (n single-token steps from an empty cache) speed, mean ±
// sd over r repetitions after a warm-up, with achieved GB/s against the machine's
// measured memory bandwidth. Same protocol as the llama.cpp oracle's bench, so
// bench/compare_llamacpp.sh can put them side by side.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/model_args.h"
#include "core/memory_bandwidth.h"
#include "runtime/active_bytes.h"
#include "runtime/bench_stats.h"
#include "runtime/session.h"

namespace holo::cli {
namespace {

struct bench_args {
    std::string model_path;
    int64_t n_prompt = 512;
    int64_t n_gen = 128;
    int reps = 5;
    int threads = 0;
    bool json = false;
    bool measure_bw = false;
    bool mlock = false;
};

int run(const bench_args& a) {
    if (a.n_prompt < 0 || a.n_gen < 0 || a.n_prompt + a.n_gen == 0 || a.reps < 1) {
        return fail("bench", "need -p >= 0, -n >= 0, one of them > 0, and -r >= 1");
    }
    auto lm = load_model_and_tokenizer(a.model_path, a.mlock);
    if (!lm.ok()) return fail("bench", lm.message());
    const auto& m = lm.value().m;
    const int64_t n_vocab = m->hp().n_vocab;

    session_options so;
    so.n_ctx = std::max(a.n_prompt, a.n_gen);
    so.n_batch = std::max<int64_t>(a.n_prompt, 1);
    so.n_threads = a.threads > 0 ? a.threads : default_threads();
    session s(m, so);

    // Pseudo-random ids (as llama-bench uses): the speed must not depend on the text.
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    auto next_token = [&] {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        return int32_t(rng % uint64_t(n_vocab));
    };
    using clock = std::chrono::steady_clock;
    std::string failure;
    auto run_prompt = [&]() -> double {
        std::vector<int32_t> toks(static_cast<size_t>(a.n_prompt));
        for (auto& t : toks) t = next_token();
        s.reset();
        const auto t0 = clock::now();
        if (auto r = s.eval(toks, false); !r.ok()) {
            failure = r.message();
            return 0;
        }
        return double(a.n_prompt) / std::chrono::duration<double>(clock::now() - t0).count();
    };
    auto run_gen = [&](int64_t steps) -> double {
        s.reset();
        const auto t0 = clock::now();
        for (int64_t i = 0; i < steps; ++i) {
            const int32_t t[1] = {next_token()};
            if (auto r = s.eval(t, false); !r.ok()) {
                failure = r.message();
                return 0;
            }
        }
        return double(steps) / std::chrono::duration<double>(clock::now() - t0).count();
    };

    // Warm-up: pages the weights in and lets the pool spin up; not timed.
    if (a.n_prompt > 0) run_prompt();
    if (a.n_gen > 0) run_gen(std::min<int64_t>(a.n_gen, 4));
    std::vector<double> pp, tg;
    for (int r = 0; r < a.reps && failure.empty(); ++r) {
        if (a.n_prompt > 0) pp.push_back(run_prompt());
        if (a.n_gen > 0) tg.push_back(run_gen(a.n_gen));
    }
    if (!failure.empty()) return fail("bench", a.model_path + ": " + failure);

    const mean_sd p = summarize(pp), g = summarize(tg);
    const active_bytes ab = decode_active_bytes(*m);
    const double gb_s = g.mean * double(ab.per_token()) / 1e9;
    const bandwidth_measurement bw = machine_memory_bandwidth(a.measure_bw);
    const double fraction = bw.gb_s > 0 ? gb_s / bw.gb_s : 0.0;

    if (a.json) {
        auto num_or_null = [](bool have, double v) { return have ? nlohmann::json(v) : nlohmann::json(nullptr); };
        nlohmann::json j = {
            {"model", a.model_path},          {"threads", s.n_threads()},
            {"n_prompt", a.n_prompt},         {"n_gen", a.n_gen},
            {"reps", a.reps},                 {"pp_tok_s", num_or_null(!pp.empty(), p.mean)},
            {"pp_sd", num_or_null(!pp.empty(), p.sd)}, {"tg_tok_s", num_or_null(!tg.empty(), g.mean)},
            {"tg_sd", num_or_null(!tg.empty(), g.sd)}, {"gb_s", num_or_null(!tg.empty(), gb_s)},
            {"bw_fraction", num_or_null(!tg.empty(), fraction)},
            {"machine_gb_s", bw.gb_s},        {"active_bytes_per_token", ab.per_token()},
            {"pp_samples", pp},               {"tg_samples", tg},
        };
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("model: %s (%s, %.2f GiB), %d threads, %d reps\n", a.model_path.c_str(), m->hp().arch.c_str(),
                double(m->file().file_size()) / double(1ull << 30), s.n_threads(), a.reps);
    if (!pp.empty()) std::printf("pp%-5lld %10.2f ± %.2f tok/s\n", (long long)a.n_prompt, p.mean, p.sd);
    if (!tg.empty()) {
        std::printf("tg%-5lld %10.2f ± %.2f tok/s\n", (long long)a.n_gen, g.mean, g.sd);
        std::printf("decode reads %.1f MB of weights per token → %.2f GB/s, %.0f%% of the %.2f GB/s measured (%s)\n",
                    double(ab.per_token()) / 1e6, gb_s, 100 * fraction, bw.gb_s,
                    bw.cached ? bw.source.c_str() : "measured now");
    }
    return 0;
}

}  // namespace

HOLO_COMMAND("bench", "prefill and decode speed (mean ± sd), achieved GB/s vs the machine", [](CLI::App& app) {
    auto a = std::make_shared<bench_args>();
    app.add_option("model", a->model_path, "GGUF model file")->required();
    app.add_option("-p,--n-prompt", a->n_prompt, "prefill batch size in tokens (0: skip)");
    app.add_option("-n,--n-gen", a->n_gen, "decode steps (0: skip)");
    app.add_option("-r,--reps", a->reps, "repetitions after one warm-up");
    app.add_option("-t,--threads", a->threads, "threads (default: all)");
    app.add_flag("--json", a->json, "one JSON object (pp_tok_s, pp_sd, tg_tok_s, tg_sd, gb_s, bw_fraction, ...)");
    app.add_flag("--measure-bandwidth", a->measure_bw, "re-measure the memory bandwidth instead of using the cache");
    app.add_flag("--mlock", a->mlock, "lock the weights in RAM");
    return [a] { return run(*a); };
});

}  // namespace holo::cli
