// `holo convert-vocab` and `holo tokenize`: a vocabulary GGUF converted from a
// synthetic tokenizer.json tokenizes on the command line exactly as the library
// does (ids, pieces, --special, --no-bos), and bad input gives a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tokenizer/hf_vocab_import.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace holo {
namespace {

using json = nlohmann::json;

std::string holo_bin() { return test::binary_dir() + "/holo"; }

// A tiny byte-level tokenizer.json: 256 byte tokens, a few merges, two specials.
std::string write_tokenizer_json() {
    byte_unicode_map map;
    json vocab = json::object();
    for (int b = 0; b < 256; ++b) vocab[map.encoded(uint8_t(b))] = b;
    const std::string G = map.encoded(' ');
    vocab["he"] = 256;
    vocab["ll"] = 257;
    vocab["hell"] = 258;
    vocab["hello"] = 259;
    vocab[G + "w"] = 260;
    json tok = {
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"h e", "l l", "he ll", "hell o", G + " w"}}}},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"},
             {"pattern",
              {{"Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
                         "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
             {"behavior", "Isolated"}},
            {{"type", "ByteLevel"}, {"use_regex", false}}}}}},
        {"added_tokens",
         {{{"id", 261}, {"content", "<|im_start|>"}, {"special", true}},
          {{"id", 262}, {"content", "<|endoftext|>"}, {"special", true}}}},
    };
    json cfg = {{"bos_token", "<|endoftext|>"}, {"add_bos_token", true}, {"eos_token", "<|im_start|>"}};
    const std::string dir = test::temp_path("cli_vocab");
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/tokenizer.json") << tok.dump();
    std::ofstream(dir + "/tokenizer_config.json") << cfg.dump();
    return dir + "/tokenizer.json";
}

TEST(tokenize_cli, matches_the_library) {
    if (!std::filesystem::exists(holo_bin())) GTEST_SKIP() << "holo binary not built (ninja holo)";
    const std::string tj = write_tokenizer_json();
    const std::string gguf = test::temp_path("cli_vocab.gguf");
    std::string out;
    ASSERT_EQ(test::run_command("'" + holo_bin() + "' convert-vocab '" + tj + "' -o '" + gguf + "'", &out), 0) << out;

    auto kv = import_hf_vocab_files(tj);
    ASSERT_TRUE(kv.ok()) << kv.message();
    auto tok = tokenizer::from_metadata(*kv, tj);
    ASSERT_TRUE(tok.ok()) << tok.message();

    const std::string text = "hello world<|im_start|>hello";
    for (bool special : {false, true}) {
        for (bool no_bos : {false, true}) {
            out.clear();
            const std::string cmd = "'" + holo_bin() + "' tokenize '" + gguf + "' --json" +
                                    (special ? " --special" : "") + (no_bos ? " --no-bos" : "") + " '" + text + "'";
            ASSERT_EQ(test::run_command(cmd, &out), 0) << cmd << "\n" << out;
            const json j = json::parse(out);
            const auto want = (*tok)->encode(text, !no_bos, special);
            EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), want) << cmd;
            ASSERT_EQ(j["pieces"].size(), want.size());
            std::string joined;
            for (const auto& p : j["pieces"]) joined += p.get<std::string>();
            EXPECT_EQ(joined, (no_bos ? "" : "<|endoftext|>") + text) << cmd;
        }
    }
    // The merges and the add_bos_token flag came through the conversion.
    const auto ids = (*tok)->encode("hello", true, false);
    EXPECT_EQ(ids, (std::vector<int32_t>{262, 259}));
}

TEST(tokenize_cli, bad_input_is_a_clear_error) {
    if (!std::filesystem::exists(holo_bin())) GTEST_SKIP() << "holo binary not built (ninja holo)";
    const std::string missing = test::temp_path("does_not_exist.gguf");
    std::string out;
    EXPECT_NE(test::run_command("'" + holo_bin() + "' tokenize '" + missing + "' hi 2>&1", &out), 0);
    EXPECT_NE(out.find("does_not_exist.gguf"), std::string::npos) << out;
    const std::string bad = test::temp_path("bad_tokenizer.json");
    std::ofstream(bad) << "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}";
    out.clear();
    EXPECT_NE(test::run_command("'" + holo_bin() + "' convert-vocab '" + bad + "' -o /dev/null 2>&1", &out), 0);
    EXPECT_NE(out.find("WordPiece"), std::string::npos) << out;
}

}  // namespace
}  // namespace holo
