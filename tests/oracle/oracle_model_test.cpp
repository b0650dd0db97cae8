// Whole files between Holobiont and llama.cpp, through the oracle: models written
// by `holo synth` load and run in llama.cpp; files quantized by llama.cpp read in
// Holobiont with llama.cpp's values; `holo quantize` picks llama.cpp's per-tensor
// types for the same mix, and its output gives llama.cpp the logits of llama.cpp's
// own quantization.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "oracle/dequant_compare.h"
#include "oracle/oracle_client.h"
#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo::test {
namespace {

const auto* const scratch_cleanup = ::testing::AddGlobalTestEnvironment(new remove_scratch_at_end);

std::string holo_path() { return binary_dir() + "/holo"; }

#define HOLO_REQUIRE_HOLO_BINARY()                                                                   \
    do {                                                                                             \
        if (!std::filesystem::exists(holo_path())) GTEST_SKIP() << holo_path() << " is not built";   \
    } while (0)

// Runs `holo ARGS`; "" or what went wrong.
std::string run_holo(const std::string& args) {
    std::string out;
    const std::string cmd = shell_quote(holo_path()) + " " + args + " 2>&1";
    if (run_command(cmd, &out) != 0) return cmd + " failed:\n" + out;
    return {};
}

// A tiny synth model, made once per process per preset.
std::string synth(const std::string& preset) {
    static std::map<std::string, std::string> made;
    if (auto it = made.find(preset); it != made.end()) return it->second;
    const std::string path = temp_path(preset + "_f16.gguf");
    const std::string err = run_holo("synth --preset " + preset + " --type f16 -q -t 1 -o " + shell_quote(path));
    if (!err.empty()) {
        ADD_FAILURE() << err;
        return {};
    }
    return made[preset] = path;
}

std::string llama_quantize(const std::string& in, const std::string& ftype) {
    const std::string out = temp_path(std::filesystem::path(in).stem().string() + "_llama_" + ftype + ".gguf");
    std::string err;
    if (!run_oracle("quantize " + shell_quote(in) + " " + shell_quote(out) + " " + ftype + " --threads 1", &err)) {
        ADD_FAILURE() << err;
        return {};
    }
    return out;
}

std::string holo_quantize(const std::string& in, const std::string& mix) {
    const std::string out = temp_path(std::filesystem::path(in).stem().string() + "_holo_" + mix + ".gguf");
    const std::string err = run_holo("quantize " + shell_quote(in) + " " + shell_quote(out) + " --type " + mix + " -q -t 1");
    if (!err.empty()) {
        ADD_FAILURE() << err;
        return {};
    }
    return out;
}

// llama.cpp's logits for `tokens`, [n_vocab, n_tokens].
std::vector<float> llama_logits(const std::string& model, const std::string& tokens, int64_t* n_vocab) {
    static int counter = 0;
    const std::string out = temp_path("logits_" + std::to_string(counter++) + ".f32");
    std::string printed;
    const std::string cmd = shell_quote(oracle_path()) + " logits " + shell_quote(model) + " " + tokens +
                            " --threads 1 --out " + shell_quote(out);
    if (run_command(cmd, &printed) != 0) {
        ADD_FAILURE() << cmd << " failed:\n" << printed;
        return {};
    }
    *n_vocab = nlohmann::json::parse(printed)["n_vocab"].get<int64_t>();
    auto b = read_bytes(out);
    return b ? bytes_to_floats(*b) : std::vector<float>{};
}

const std::string tokens_1_to_48 = [] {
    std::string s;
    for (int i = 1; i <= 48; ++i) {
        if (i > 1) s += ',';
        s += std::to_string(i);
    }
    return s;
}();

TEST(oracle_model, synth_models_run_in_llama) {
    HOLO_REQUIRE_ORACLE();
    HOLO_REQUIRE_HOLO_BINARY();
    for (const char* preset : {"tiny-llama", "tiny-mixtral", "tiny-qwen2", "tiny-qwen3", "tiny-qwen2moe", "tiny-qwen3moe"}) {
        SCOPED_TRACE(preset);
        const std::string model = synth(preset);
        ASSERT_FALSE(model.empty());
        auto file = gguf_file::open(model);
        ASSERT_TRUE(file.ok()) << file.message();
        const gguf_tensor_info* embd = file->find_tensor("token_embd.weight");
        ASSERT_NE(embd, nullptr);
        int64_t n_vocab = 0;
        const std::vector<float> logits = llama_logits(model, tokens_1_to_48, &n_vocab);
        EXPECT_EQ(n_vocab, embd->ne[1]);
        ASSERT_EQ(logits.size(), size_t(48 * n_vocab));
        size_t n_bad = 0;
        for (float x : logits) n_bad += !std::isfinite(x);
        EXPECT_EQ(n_bad, 0u) << "non-finite logits from llama.cpp";
    }
}

// The file-level face of oracle_quant_test: llama.cpp's quantizer on a whole model
// (its Q4_K_M mix), every tensor read by Holobiont's reader and dequantized by
// Holobiont equals llama.cpp's values.
TEST(oracle_model, llama_quantized_file_dequantizes_in_holo) {
    HOLO_REQUIRE_ORACLE();
    HOLO_REQUIRE_HOLO_BINARY();
    const std::string q = llama_quantize(synth("tiny-qwen3moe"), "Q4_K_M");
    ASSERT_FALSE(q.empty());
    auto file = gguf_file::open(q);
    ASSERT_TRUE(file.ok()) << file.message();
    std::map<std::string, int> types_seen;
    for (const gguf_tensor_info& t : file->tensors()) {
        SCOPED_TRACE(t.name);
        ++types_seen[std::string(type_name(t.type))];
        const auto bytes = file->tensor_data(t);
        std::vector<float> ours(static_cast<size_t>(t.n_elements()));
        traits_of(t.type).dequantize_row(bytes.data(), ours.data(), int64_t(ours.size()));
        std::string err;
        auto theirs = oracle_dequant_tensor(q, t.name, &err);
        ASSERT_TRUE(theirs.has_value()) << err;
        const std::string diff = compare_dequantized(t.type, *theirs, ours);
        EXPECT_TRUE(diff.empty()) << type_name(t.type) << ": " << diff;
    }
    EXPECT_GT(types_seen["q4_K"], 0);
    EXPECT_GT(types_seen["q6_K"], 0);
}

// `holo quantize --type <mix>` gives every tensor the type llama.cpp's quantizer
// gives it for the same mix (so "q4_k_m" means the same file to both).
TEST(oracle_model, holo_quantize_mix_matches_llama) {
    HOLO_REQUIRE_ORACLE();
    HOLO_REQUIRE_HOLO_BINARY();
    const std::pair<const char*, const char*> cases[] = {
        {"tiny-qwen3moe", "Q4_K_M"}, {"tiny-qwen3moe", "Q3_K_M"}, {"tiny-qwen3moe", "Q5_K_M"},
        {"tiny-qwen3moe", "Q2_K"},   {"tiny-qwen2moe", "Q4_K_M"}, {"tiny-mixtral", "Q4_K_M"},
        {"tiny-llama", "Q3_K_S"},    {"tiny-qwen3", "Q8_0"},
    };
    for (const auto& [preset, ftype] : cases) {
        SCOPED_TRACE(std::string(preset) + " " + ftype);
        const std::string in = synth(preset);
        ASSERT_FALSE(in.empty());
        std::string mix = ftype;
        for (char& c : mix) c = char(std::tolower(c));
        const std::string lq = llama_quantize(in, ftype), hq = holo_quantize(in, mix);
        ASSERT_FALSE(lq.empty() || hq.empty());
        auto lf = gguf_file::open(lq), hf = gguf_file::open(hq);
        ASSERT_TRUE(lf.ok()) << lf.message();
        ASSERT_TRUE(hf.ok()) << hf.message();
        EXPECT_EQ(lf->tensors().size(), hf->tensors().size());
        for (const gguf_tensor_info& t : lf->tensors()) {
            const gguf_tensor_info* h = hf->find_tensor(t.name);
            if (!h) {
                ADD_FAILURE() << "holo's file lacks " << t.name;
                continue;
            }
            EXPECT_EQ(type_name(h->type), type_name(t.type)) << t.name;
        }
    }
}

// llama.cpp runs Holobiont's Q4_K_M file and gets (nearly) the logits of its own
// Q4_K_M file: the distance between the two is at most 5% of the distance either
// has from the f16 model (the quantization's own effect).
TEST(oracle_model, holo_quantized_file_gives_llama_its_own_logits) {
    HOLO_REQUIRE_ORACLE();
    HOLO_REQUIRE_HOLO_BINARY();
    const std::string f16 = synth("tiny-qwen3moe");
    ASSERT_FALSE(f16.empty());
    const std::string lq = llama_quantize(f16, "Q4_K_M"), hq = holo_quantize(f16, "q4_k_m");
    ASSERT_FALSE(lq.empty() || hq.empty());
    int64_t n_vocab = 0;
    const std::vector<float> base = llama_logits(f16, tokens_1_to_48, &n_vocab);
    const std::vector<float> theirs = llama_logits(lq, tokens_1_to_48, &n_vocab);
    const std::vector<float> ours = llama_logits(hq, tokens_1_to_48, &n_vocab);
    ASSERT_FALSE(base.empty() || theirs.empty() || ours.empty());
    ASSERT_EQ(ours.size(), theirs.size());
    const double quant_effect = relative_rmse(base, theirs);
    const double gap = relative_rmse(theirs, ours);
    EXPECT_GT(quant_effect, 0.0);
    EXPECT_LE(gap, 0.05 * quant_effect) << "llama.cpp logits: Holobiont's Q4_K_M vs llama.cpp's Q4_K_M, relative RMSE "
                                        << gap << "; f16 vs llama.cpp's Q4_K_M " << quant_effect;
}

// The bench verb other tests and docs rely on: llama-bench's keys, sane values.
TEST(oracle_model, bench_reports_prefill_and_decode_speed) {
    HOLO_REQUIRE_ORACLE();
    HOLO_REQUIRE_HOLO_BINARY();
    const std::string model = synth("tiny-qwen3");
    ASSERT_FALSE(model.empty());
    std::string out;
    const std::string cmd = shell_quote(oracle_path()) + " bench " + shell_quote(model) + " --threads 1 -p 32 -n 8 -r 2";
    ASSERT_EQ(run_command(cmd, &out), 0) << cmd << "\n" << out;
    const auto j = nlohmann::json::parse(out);
    EXPECT_GT(j["pp_tok_s"].get<double>(), 0.0);
    EXPECT_GT(j["tg_tok_s"].get<double>(), 0.0);
    EXPECT_GE(j["pp_sd"].get<double>(), 0.0);
    EXPECT_GE(j["tg_sd"].get<double>(), 0.0);
    EXPECT_EQ(j["pp_samples"].size(), 2u);
    EXPECT_EQ(j["tg_samples"].size(), 2u);
    EXPECT_EQ(j["n_threads"].get<int>(), 1);
}

}  // namespace
}  // namespace holo::test
