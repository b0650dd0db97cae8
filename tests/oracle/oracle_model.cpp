// Oracle verbs on whole models: llama.cpp's file-level quantizer, its logits for a
// token sequence, and its prefill/decode speed measured the way llama-bench does
// (warm-up, then R repetitions from an empty context; mean and sample sd of tok/s).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "llama.h"
#include "oracle.h"

namespace oracle {

namespace {

struct ftype_name {
    const char* name;
    llama_ftype ftype;
};

// llama-quantize's names; Q3_K/Q4_K/Q5_K mean their _M mixes, as there.
const ftype_name ftype_names[] = {
    {"F32", LLAMA_FTYPE_ALL_F32},         {"F16", LLAMA_FTYPE_MOSTLY_F16},       {"BF16", LLAMA_FTYPE_MOSTLY_BF16},
    {"Q4_0", LLAMA_FTYPE_MOSTLY_Q4_0},    {"Q4_1", LLAMA_FTYPE_MOSTLY_Q4_1},     {"Q5_0", LLAMA_FTYPE_MOSTLY_Q5_0},
    {"Q5_1", LLAMA_FTYPE_MOSTLY_Q5_1},    {"Q8_0", LLAMA_FTYPE_MOSTLY_Q8_0},     {"Q2_K", LLAMA_FTYPE_MOSTLY_Q2_K},
    {"Q2_K_S", LLAMA_FTYPE_MOSTLY_Q2_K_S}, {"Q3_K_S", LLAMA_FTYPE_MOSTLY_Q3_K_S}, {"Q3_K_M", LLAMA_FTYPE_MOSTLY_Q3_K_M},
    {"Q3_K", LLAMA_FTYPE_MOSTLY_Q3_K_M},  {"Q3_K_L", LLAMA_FTYPE_MOSTLY_Q3_K_L}, {"Q4_K_S", LLAMA_FTYPE_MOSTLY_Q4_K_S},
    {"Q4_K_M", LLAMA_FTYPE_MOSTLY_Q4_K_M}, {"Q4_K", LLAMA_FTYPE_MOSTLY_Q4_K_M},  {"Q5_K_S", LLAMA_FTYPE_MOSTLY_Q5_K_S},
    {"Q5_K_M", LLAMA_FTYPE_MOSTLY_Q5_K_M}, {"Q5_K", LLAMA_FTYPE_MOSTLY_Q5_K_M},  {"Q6_K", LLAMA_FTYPE_MOSTLY_Q6_K},
};

llama_ftype ftype_by_name(const std::string& name) {
    for (const auto& f : ftype_names) {
        if (strcasecmp(f.name, name.c_str()) == 0) return f.ftype;
    }
    std::string known;
    for (const auto& f : ftype_names) known += std::string(known.empty() ? "" : ", ") + f.name;
    throw failure("unknown file type '" + name + "' (known: " + known + ")");
}

int default_threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

struct model_deleter {
    void operator()(llama_model* m) const { llama_model_free(m); }
};
struct context_deleter {
    void operator()(llama_context* c) const { llama_free(c); }
};
using model_ptr = std::unique_ptr<llama_model, model_deleter>;
using context_ptr = std::unique_ptr<llama_context, context_deleter>;

// cpu_variant: "" for the best CPU backend, else one libggml-cpu-<variant>.so.
// extra_bufts = false keeps every weight in its file layout (no AMX / repacked copies,
// so all matmuls take ggml's generic CPU path).
model_ptr load_model(const std::string& path, const std::string& cpu_variant = "", bool extra_bufts = true) {
    llama_backend_init();
    load_backends(cpu_variant);
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.use_extra_bufts = extra_bufts;
    model_ptr m(llama_model_load_from_file(path.c_str(), mp));
    if (!m) throw failure(path + ": llama.cpp cannot load this model (ORACLE_VERBOSE=1 says why)");
    return m;
}

// kv_type: the K/V cache's element type; llama.cpp's default is F16, Holobiont's
// cache is F32, so logits comparisons ask for F32 to leave only weight/kernel noise.
context_ptr make_context(llama_model* m, uint32_t n_ctx, uint32_t n_batch, int n_threads,
                         ggml_type kv_type = GGML_TYPE_F16, bool flash_attn_off = false,
                         tensor_dump* dump = nullptr) {
    llama_context_params cp = llama_context_default_params();
    if (dump) {
        cp.cb_eval = dump_eval_callback;
        cp.cb_eval_user_data = dump;
    }
    if (flash_attn_off) cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.type_k = kv_type;
    cp.type_v = kv_type;
    cp.n_ctx = n_ctx;
    cp.n_batch = n_batch;
    cp.n_ubatch = std::min<uint32_t>(n_batch, 512);
    cp.n_seq_max = 1;
    cp.n_threads = n_threads;
    cp.n_threads_batch = n_threads;
    cp.no_perf = true;
    context_ptr c(llama_init_from_model(m, cp));
    if (!c) throw failure("llama.cpp cannot create a context of " + std::to_string(n_ctx) + " tokens");
    return c;
}

ggml_type kv_type_by_name(const std::string& name) {
    if (strcasecmp(name.c_str(), "f16") == 0) return GGML_TYPE_F16;
    if (strcasecmp(name.c_str(), "f32") == 0) return GGML_TYPE_F32;
    throw failure("unknown --kv type '" + name + "' (known: f16, f32)");
}

// "1,2,3", or "@FILE" holding integers separated by commas or white space.
std::vector<llama_token> parse_tokens(const std::string& spec) {
    std::string text = spec;
    if (!spec.empty() && spec[0] == '@') {
        std::vector<uint8_t> bytes = read_file(spec.substr(1));
        text.assign(bytes.begin(), bytes.end());
    }
    std::replace(text.begin(), text.end(), ',', ' ');
    std::istringstream in(text);
    std::vector<llama_token> tokens;
    long long t;
    while (in >> t) tokens.push_back(llama_token(t));
    if (!in.eof()) throw failure("bad token list '" + spec.substr(0, 80) + "'");
    if (tokens.empty()) throw failure("no tokens given");
    return tokens;
}

struct mean_sd {
    double mean = 0, sd = 0;
};

mean_sd stats(const std::vector<double>& xs) {
    mean_sd r;
    if (xs.empty()) return r;
    for (double x : xs) r.mean += x;
    r.mean /= double(xs.size());
    if (xs.size() > 1) {
        double ss = 0;
        for (double x : xs) ss += (x - r.mean) * (x - r.mean);
        r.sd = std::sqrt(ss / double(xs.size() - 1));
    }
    return r;
}

std::string json_list(const std::vector<double>& xs) {
    std::string s = "[";
    char buf[32];
    for (size_t i = 0; i < xs.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%.3f", i ? "," : "", xs[i]);
        s += buf;
    }
    return s + "]";
}

}  // namespace

// quantize IN.gguf OUT.gguf FTYPE [--threads N] [--pure] [--output-type T] [--embed-type T]
int verb_quantize(const args& a) {
    if (a.positional.size() != 3) throw failure("usage: quantize IN.gguf OUT.gguf FTYPE [--threads N] [--pure]");
    llama_backend_init();
    load_backends();
    llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.ftype = ftype_by_name(a.positional[2]);
    qp.nthread = int32_t(a.int_option("threads", default_threads()));
    qp.pure = a.flag("pure");
    if (auto t = a.option("output-type")) qp.output_tensor_type = type_by_name(*t);
    if (auto t = a.option("embed-type")) qp.token_embedding_type = type_by_name(*t);
    const auto t0 = std::chrono::steady_clock::now();
    if (llama_model_quantize(a.positional[0].c_str(), a.positional[1].c_str(), &qp) != 0) {
        throw failure("llama_model_quantize failed on " + a.positional[0] + " (ORACLE_VERBOSE=1 says why)");
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"in\":\"%s\",\"out\":\"%s\",\"ftype\":\"%s\",\"seconds\":%.3f}\n", json_escape(a.positional[0]).c_str(),
                json_escape(a.positional[1]).c_str(), json_escape(a.positional[2]).c_str(), s);
    return 0;
}

// logits FILE.gguf TOKENS [--out OUT.f32] [--threads N] [--kv f16|f32]
// [--flash-attn auto|off] [--cpu VARIANT] [--no-repack] [--dump DIR [--dump-filter TEXT]]:
// one llama_decode over all tokens (positions 0..n-1, one
// sequence) with logits for every position. With --out the logits go there as raw
// f32, [n_vocab, n_tokens] (row per position). --kv sets the K/V cache type (default
// f16, llama.cpp's own); an f32 cache only reaches attention with --flash-attn off,
// since the CPU flash-attention kernel works in f16 whatever the cache holds.
int verb_logits(const args& a) {
    if (a.positional.size() != 2)
        throw failure("usage: logits FILE.gguf TOKENS [--out OUT.f32] [--threads N] [--kv f16|f32] [--flash-attn auto|off] "
                      "[--cpu VARIANT] [--no-repack] [--dump DIR [--dump-filter TEXT]]");
    const ggml_type kv_type = kv_type_by_name(a.option("kv").value_or("f16"));
    const std::string flash_attn = a.option("flash-attn").value_or("auto");
    if (flash_attn != "auto" && flash_attn != "off") throw failure("--flash-attn is auto or off, not '" + flash_attn + "'");
    const std::vector<llama_token> tokens = parse_tokens(a.positional[1]);
    const int n_threads = int(a.int_option("threads", default_threads()));
    model_ptr model = load_model(a.positional[0], a.option("cpu").value_or(""), !a.flag("no-repack"));
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model.get()));
    for (llama_token t : tokens) {
        if (t < 0 || t >= n_vocab) throw failure("token " + std::to_string(t) + " is outside the vocabulary of " + std::to_string(n_vocab));
    }
    const int32_t n = int32_t(tokens.size());
    tensor_dump dump;
    const auto dump_dir = a.option("dump");
    if (dump_dir) {
        dump.dir = *dump_dir;
        dump.filter = a.option("dump-filter").value_or("");
    }
    context_ptr ctx = make_context(model.get(), uint32_t(n), uint32_t(n), n_threads, kv_type,
                                   flash_attn == "off", dump_dir ? &dump : nullptr);

    llama_batch batch = llama_batch_init(n, 0, 1);
    for (int32_t i = 0; i < n; ++i) {
        batch.token[i] = tokens[size_t(i)];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
    }
    batch.n_tokens = n;
    const int32_t rc = llama_decode(ctx.get(), batch);
    llama_batch_free(batch);
    if (rc != 0) throw failure("llama_decode returned " + std::to_string(rc));
    if (dump_dir) write_file(dump.dir + "/index.txt", dump.index.data(), dump.index.size());

    std::vector<float> logits(size_t(n) * size_t(n_vocab));
    for (int32_t i = 0; i < n; ++i) {
        const float* row = llama_get_logits_ith(ctx.get(), i);
        if (!row) throw failure("no logits for position " + std::to_string(i));
        std::memcpy(logits.data() + size_t(i) * size_t(n_vocab), row, size_t(n_vocab) * sizeof(float));
    }
    if (auto out = a.option("out")) {
        write_file(*out, logits.data(), logits.size() * sizeof(float));
        std::printf("{\"n_vocab\":%d,\"n_tokens\":%d,\"out\":\"%s\"}\n", n_vocab, n, json_escape(*out).c_str());
        return 0;
    }
    std::string s = "{\"n_vocab\":" + std::to_string(n_vocab) + ",\"n_tokens\":" + std::to_string(n) + ",\"logits\":[";
    char buf[32];
    for (int32_t i = 0; i < n; ++i) {
        s += i ? ",[" : "[";
        for (int32_t v = 0; v < n_vocab; ++v) {
            std::snprintf(buf, sizeof buf, "%s%.9g", v ? "," : "", logits[size_t(i) * size_t(n_vocab) + size_t(v)]);
            s += buf;
        }
        s += "]";
    }
    s += "]}\n";
    std::fputs(s.c_str(), stdout);
    return 0;
}

// bench FILE.gguf [--threads N] [-p 512] [-n 128] [-r 3]: prefill = one batch of p
// tokens from an empty context; decode = n single-token steps from an empty
// context. Tokens are pseudo-random ids, as llama-bench uses.
int verb_bench(const args& a) {
    if (a.positional.size() != 1) throw failure("usage: bench FILE.gguf [--threads N] [-p 512] [-n 128] [-r 3]");
    const int n_threads = int(a.int_option("threads", default_threads()));
    const int64_t n_prompt = a.int_option("p", 512);
    const int64_t n_gen = a.int_option("n", 128);
    const int64_t reps = a.int_option("r", 3);
    if (n_prompt < 0 || n_gen < 0 || reps < 1 || n_prompt + n_gen == 0) throw failure("need -p >= 0, -n >= 0, one of them > 0, -r >= 1");

    model_ptr model = load_model(a.positional[0]);
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model.get()));
    const uint32_t n_batch = uint32_t(std::max<int64_t>(n_prompt, 1));
    context_ptr ctx = make_context(model.get(), uint32_t(std::max(n_prompt, n_gen)), n_batch, n_threads);
    llama_memory_t mem = llama_get_memory(ctx.get());

    uint64_t rng = 0x9e3779b97f4a7c15ull;
    auto next_token = [&] {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        return llama_token(rng % uint64_t(n_vocab));
    };
    using clock = std::chrono::steady_clock;
    auto run_prompt = [&]() {
        std::vector<llama_token> toks(static_cast<size_t>(n_prompt));
        for (auto& t : toks) t = next_token();
        llama_memory_clear(mem, false);
        const auto t0 = clock::now();
        if (llama_decode(ctx.get(), llama_batch_get_one(toks.data(), int32_t(toks.size()))) != 0) throw failure("llama_decode failed (prefill)");
        llama_synchronize(ctx.get());
        return double(n_prompt) / std::chrono::duration<double>(clock::now() - t0).count();
    };
    auto run_gen = [&](int64_t steps) {
        llama_memory_clear(mem, false);
        const auto t0 = clock::now();
        for (int64_t i = 0; i < steps; ++i) {
            llama_token t = next_token();
            if (llama_decode(ctx.get(), llama_batch_get_one(&t, 1)) != 0) throw failure("llama_decode failed (decode)");
            llama_synchronize(ctx.get());
        }
        return double(steps) / std::chrono::duration<double>(clock::now() - t0).count();
    };

    // Warm-up (page in the weights, build the graphs), not timed.
    if (n_prompt > 0) run_prompt();
    if (n_gen > 0) run_gen(std::min<int64_t>(n_gen, 4));
    std::vector<double> pp, tg;
    for (int64_t r = 0; r < reps; ++r) {
        if (n_prompt > 0) pp.push_back(run_prompt());
        if (n_gen > 0) tg.push_back(run_gen(n_gen));
    }
    const mean_sd p = stats(pp), g = stats(tg);
    auto num = [](bool have, double x) {
        if (!have) return std::string("null");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", x);
        return std::string(buf);
    };
    std::printf(
        "{\"model\":\"%s\",\"n_threads\":%d,\"n_prompt\":%lld,\"n_gen\":%lld,\"reps\":%lld,"
        "\"pp_tok_s\":%s,\"pp_sd\":%s,\"tg_tok_s\":%s,\"tg_sd\":%s,\"pp_samples\":%s,\"tg_samples\":%s}\n",
        json_escape(a.positional[0]).c_str(), n_threads, (long long)n_prompt, (long long)n_gen, (long long)reps,
        num(!pp.empty(), p.mean).c_str(), num(!pp.empty(), p.sd).c_str(), num(!tg.empty(), g.mean).c_str(),
        num(!tg.empty(), g.sd).c_str(), json_list(pp).c_str(), json_list(tg).c_str());
    return 0;
}

}  // namespace oracle
