// The model-running commands end to end, through the built `holo` binary, on a tiny
// synth model: run streams N tokens and repeats itself under a seed; logits --all
// --json is forward()'s output; bench --json has its keys; perplexity equals an
// independent computation of llama.cpp's chunking rule.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

namespace holo {
namespace {

std::string holo_bin() { return test::binary_dir() + "/holo"; }

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class cli_run : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        path_ = new std::string(test::write_tiny_model("cli_tiny.gguf"));
        made_ = !path_->empty();
    }
    static void TearDownTestSuite() { delete path_; }
    void SetUp() override {
        if (!std::filesystem::exists(holo_bin())) GTEST_SKIP() << holo_bin() << " is not built (ninja holo)";
        ASSERT_TRUE(made_) << "could not write the tiny synth model";
    }
    // Runs holo with `args`; stdout returned, stderr into *err.
    int holo(const std::string& args, std::string* out, std::string* err = nullptr, const std::string& env = "") {
        const std::string err_path = test::temp_path("stderr.txt");
        if (out) out->clear();
        const int rc = test::run_command(env + holo_bin() + " " + args + " 2>" + err_path, out);
        if (err) *err = slurp(err_path);
        return rc;
    }
    static std::string* path_;
    static bool made_;
};
std::string* cli_run::path_ = nullptr;
bool cli_run::made_ = false;

TEST_F(cli_run, without_a_model_it_runs_the_default_model) {
    std::string out, err;
    ASSERT_EQ(holo("run -p 'In the beginning' -n 8 --seed 3 --threads 2", &out, &err), 0) << err;
    EXPECT_FALSE(out.empty()) << err;
}

TEST_F(cli_run, a_missing_default_model_is_a_clear_error) {
    std::string out, err;
    EXPECT_NE(holo("run -p hello", &out, &err, "HOLO_DEFAULT_MODEL=/nonexistent/default.gguf "), 0);
    EXPECT_NE(err.find("/nonexistent/default.gguf"), std::string::npos) << err;
}

TEST_F(cli_run, missing_file_is_a_clear_error) {
    std::string out, err;
    EXPECT_NE(holo("run /nonexistent/model.gguf -p hi", &out, &err), 0);
    EXPECT_NE(err.find("/nonexistent/model.gguf"), std::string::npos) << err;
}

TEST_F(cli_run, generates_n_tokens_and_same_seed_gives_same_text) {
    const std::string args = "run " + *path_ + " -p 'Once upon a time' -n 16 --temp 0.9 --seed 5 --threads 2";
    std::string a, b, err;
    ASSERT_EQ(holo(args, &a, &err), 0) << err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(err, m, std::regex("generated: (\\d+) tokens.*stop: (\\w+)"))) << err;
    if (m[2] == "max_tokens") EXPECT_EQ(m[1], "16");
    else EXPECT_EQ(m[2], "end_of_generation");
    EXPECT_FALSE(a.empty());
    ASSERT_EQ(holo(args, &b), 0);
    EXPECT_EQ(a, b);
    std::string c;
    ASSERT_EQ(holo("run " + *path_ + " -p 'Once upon a time' -n 16 --temp 0.9 --seed 6 --threads 2", &c), 0);
    EXPECT_NE(a, c);
}

TEST_F(cli_run, logits_all_json_is_forwards_output) {
    std::string out, err;
    ASSERT_EQ(holo("logits " + *path_ + " --tokens 1,40,300,7,999 --all --json --threads 2", &out, &err), 0) << err;
    auto j = nlohmann::json::parse(out);
    auto m = load_model(*path_);
    ASSERT_TRUE(m.ok()) << m.message();
    const int64_t n_vocab = m.value()->hp().n_vocab;
    EXPECT_EQ(j["n_vocab"].get<int64_t>(), n_vocab);
    const std::vector<int32_t> tokens = {1, 40, 300, 7, 999};
    EXPECT_EQ(j["tokens"].get<std::vector<int32_t>>(), tokens);
    ASSERT_EQ(j["logits"].size(), tokens.size());

    kv_cache kv(*m.value(), int64_t(tokens.size()));
    thread_pool pool(2);
    std::vector<float> want;
    ASSERT_TRUE(forward(*m.value(), kv, tokens, 0, true, want, pool).ok());
    std::vector<float> got;
    for (auto& row : j["logits"]) {
        ASSERT_EQ(int64_t(row.size()), n_vocab);
        for (auto& v : row) got.push_back(v.get<float>());
    }
    // %.9g round-trips floats, and the pass is the same: equal to the bit.
    EXPECT_EQ(test::max_abs_diff(want, got), 0.0);

    // --top 3 --json: the three largest of each row, in order.
    ASSERT_EQ(holo("logits " + *path_ + " --tokens 1,40,300,7,999 --top 3 --json --threads 2", &out), 0);
    auto t = nlohmann::json::parse(out);
    ASSERT_EQ(t["positions"].size(), tokens.size());
    for (size_t p = 0; p < tokens.size(); ++p) {
        const auto& top = t["positions"][p]["top"];
        ASSERT_EQ(top.size(), 3u);
        const float* row = want.data() + p * size_t(n_vocab);
        const int32_t best = int32_t(std::max_element(row, row + n_vocab) - row);
        EXPECT_EQ(top[0]["id"].get<int32_t>(), best);
        EXPECT_GE(top[0]["logit"].get<float>(), top[1]["logit"].get<float>());
        EXPECT_GE(top[1]["logit"].get<float>(), top[2]["logit"].get<float>());
    }
    EXPECT_NE(holo("logits " + *path_ + " --tokens 1,5000", &out, &err), 0);  // outside the vocabulary
    EXPECT_NE(err.find("5000"), std::string::npos) << err;
}

TEST_F(cli_run, bench_json_reports_rates_and_bandwidth) {
    std::string out, err;
    const std::string cache = test::temp_path("cache");
    ASSERT_EQ(test::run_command("XDG_CACHE_HOME=" + cache + " " + holo_bin() + " bench " + *path_ +
                                    " -p 32 -n 8 -r 2 --threads 2 --json",
                                &out),
              0);
    auto j = nlohmann::json::parse(out);
    for (const char* k : {"pp_tok_s", "pp_sd", "tg_tok_s", "tg_sd", "gb_s", "bw_fraction"}) {
        ASSERT_TRUE(j.contains(k) && j[k].is_number()) << k << " in " << out;
        EXPECT_GE(j[k].get<double>(), 0.0) << k;
    }
    EXPECT_GT(j["pp_tok_s"].get<double>(), 0.0);
    EXPECT_GT(j["tg_tok_s"].get<double>(), 0.0);
    EXPECT_EQ(j["threads"].get<int>(), 2);
    EXPECT_EQ(j["n_prompt"].get<int>(), 32);
    EXPECT_EQ(j["n_gen"].get<int>(), 8);
    EXPECT_EQ(j["reps"].get<int>(), 2);
    EXPECT_EQ(j["tg_samples"].size(), 2u);
    // gb_s is rate × bytes per token, and the fraction is against the measured machine.
    EXPECT_NEAR(j["gb_s"].get<double>(), j["tg_tok_s"].get<double>() * j["active_bytes_per_token"].get<double>() / 1e9,
                1e-6 * j["gb_s"].get<double>());
    EXPECT_NEAR(j["bw_fraction"].get<double>(), j["gb_s"].get<double>() / j["machine_gb_s"].get<double>(), 1e-9);
    EXPECT_TRUE(std::filesystem::exists(cache + "/holobiont/memory_bandwidth.json"));
}

TEST_F(cli_run, perplexity_matches_an_independent_computation) {
    const std::string text_path = test::temp_path("ppl.txt");
    {
        std::ofstream f(text_path);
        for (int i = 0; i < 12; ++i) f << "It was the best of times, it was the worst of times, line " << i << ".\n";
    }
    std::string out, err;
    ASSERT_EQ(holo("perplexity " + *path_ + " -f " + text_path + " --ctx 64 --threads 2", &out, &err), 0) << err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex("Final estimate: PPL = ([0-9.]+) \\+/- ([0-9.]+)"))) << out;
    const double ppl = std::stod(m[1]);

    // The rule, written out again: tokens with BOS; n / 64 chunks; BOS first; the
    // logits of positions 32..62 score tokens 33..63.
    auto model = load_model(*path_);
    ASSERT_TRUE(model.ok());
    auto tok = tokenizer::from_gguf(model.value()->file());
    ASSERT_TRUE(tok.ok());
    const std::vector<int32_t> tokens = tok.value()->encode(slurp(text_path), true, false);
    const int n_ctx = 64, n_chunk = int(tokens.size()) / n_ctx;
    ASSERT_GE(n_chunk, 2);
    const int64_t n_vocab = model.value()->hp().n_vocab;
    thread_pool pool(2);
    double nll = 0;
    int count = 0;
    for (int c = 0; c < n_chunk; ++c) {
        std::vector<int32_t> chunk(tokens.begin() + c * n_ctx, tokens.begin() + (c + 1) * n_ctx);
        if (tok.value()->specials().add_bos) chunk[0] = tok.value()->specials().bos;
        kv_cache kv(*model.value(), n_ctx);
        std::vector<float> logits;
        ASSERT_TRUE(forward(*model.value(), kv, chunk, 0, true, logits, pool).ok());
        for (int j = n_ctx / 2; j < n_ctx - 1; ++j) {
            const float* row = logits.data() + size_t(j) * size_t(n_vocab);
            double mx = *std::max_element(row, row + n_vocab), sum = 0;
            for (int64_t v = 0; v < n_vocab; ++v) sum += std::exp(row[v] - mx);
            nll += std::log(sum) + mx - row[chunk[size_t(j + 1)]];
            ++count;
        }
    }
    // The command evaluates each chunk in two batches (halves): batching may move the
    // logits by rounding; 0.1% on the perplexity covers it.
    EXPECT_NEAR(ppl, std::exp(nll / count), 1e-3 * ppl);
    // And it prints one running value per chunk.
    EXPECT_NE(out.find("[" + std::to_string(n_chunk) + "]"), std::string::npos) << out;
}

TEST_F(cli_run, perplexity_on_too_short_text_says_how_many_tokens_it_needs) {
    const std::string text_path = test::temp_path("short.txt");
    std::ofstream(text_path) << "too short";
    std::string out, err;
    EXPECT_NE(holo("perplexity " + *path_ + " -f " + text_path + " --ctx 512", &out, &err), 0);
    EXPECT_NE(err.find("1024"), std::string::npos) << err;
}

TEST_F(cli_run, stop_string_is_not_printed) {
    std::string full, err;
    ASSERT_EQ(holo("run " + *path_ + " -p 'Hello' -n 24 --temp 0 --threads 2", &full, &err), 0) << err;
    ASSERT_GT(full.size(), 8u);
    // The first 3-byte window past the first token made only of shell-safe letters.
    std::string stop;
    for (size_t i = 4; i + 3 <= full.size() && stop.empty(); ++i) {
        const std::string w = full.substr(i, 3);
        if (std::all_of(w.begin(), w.end(), [](char ch) { return std::isalpha((unsigned char)ch); })) stop = w;
    }
    if (stop.empty()) GTEST_SKIP() << "greedy text has no 3-letter window to use as a stop string";
    std::string cut;
    ASSERT_EQ(holo("run " + *path_ + " -p 'Hello' -n 24 --temp 0 --threads 2 --stop '" + stop + "'", &cut, &err), 0);
    EXPECT_EQ(cut, full.substr(0, full.find(stop)) + "\n");
}

TEST_F(cli_run, mlock_either_locks_or_explains) {
    std::string out, err;
    const int rc = holo("run " + *path_ + " -p hi -n 2 --mlock --threads 2", &out, &err);
    if (rc != 0) EXPECT_NE(err.find("mlock"), std::string::npos) << err;
}

}  // namespace
}  // namespace holo
