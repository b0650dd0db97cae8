// Vocabulary metadata from a stranger's GGUF (shared/SECURITY.md, CVE-2025-49847
// class): arrays of different lengths, wrong types, bad byte tokens, special ids
// out of range, a vocabulary that does not match token_embd. Each case is a real
// model file (a tiny synth model with one tokenizer.ggml.* key replaced) loaded
// the way the CLI and the server load it — load_model, then tokenizer::from_gguf
// on the model's file — and must fail with exactly the error below.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "model/synth.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

namespace holo {
namespace {

using kv_list = std::vector<std::pair<std::string, gguf_value>>;

const std::string& base_model() {
    static const std::string path = [] {
        const std::string p = test::temp_path("vocab_base.gguf");
        synth_options o;
        o.preset = "tiny-qwen3moe";
        o.type = "q8_0";
        o.n_layer = 1;
        o.output_path = p;
        o.progress = false;
        auto w = write_synth_model(o);
        EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.message());
        return p;
    }();
    return path;
}

// A copy of the base model with `set` keys replaced and `drop` keys removed.
std::string rewrite(const std::string& tag, const kv_list& set, const std::vector<std::string>& drop = {}) {
    const std::string out = test::temp_path(tag + ".gguf");
    auto f = gguf_file::open(base_model());
    EXPECT_TRUE(f.ok());
    gguf_writer w;
    for (const gguf_kv& kv : f->metadata()) {
        if (kv.key == "general.alignment") continue;
        bool dropped = false;
        for (const auto& d : drop) dropped |= kv.key == d;
        if (!dropped) w.set(kv.key, kv.value);
    }
    for (const auto& [k, v] : set) w.set(k, v);
    for (const gguf_tensor_info& t : f->tensors()) EXPECT_TRUE(w.add_tensor(t.name, t.type, t.ne).ok());
    EXPECT_TRUE(w.begin(out).ok());
    for (const gguf_tensor_info& t : f->tensors()) EXPECT_TRUE(w.write_tensor_data(f->tensor_data(t)).ok());
    EXPECT_TRUE(w.finish().ok());
    return out;
}

// The error of loading model + tokenizer, or "" when both load.
std::string load_error(const std::string& path) {
    auto m = load_model(path);
    if (!m.ok()) return m.message();
    auto tok = tokenizer::from_gguf(m.value()->file());
    if (!tok.ok()) return tok.message();
    return "";
}

std::vector<std::string> base_tokens() {
    auto f = gguf_file::open(base_model());
    std::vector<std::string> out;
    if (!f.ok()) return out;
    const gguf_value* v = f->find("tokenizer.ggml.tokens");
    if (!v || !v->as_array()) return out;
    for (const gguf_value& s : v->as_array()->items) out.push_back(std::string(*s.as_string()));
    return out;
}

std::vector<int32_t> base_types() {
    auto f = gguf_file::open(base_model());
    std::vector<int32_t> out;
    if (!f.ok()) return out;
    const gguf_value* v = f->find("tokenizer.ggml.token_type");
    if (!v || !v->as_array()) return out;
    for (const gguf_value& t : v->as_array()->items) out.push_back(int32_t(t.as_int().value_or(-1)));
    return out;
}

TEST(vocab_malformed, base_model_loads) {
    EXPECT_EQ(load_error(base_model()), "");
}

struct vocab_case {
    const char* tag;
    kv_list set;
    std::vector<std::string> drop;
    std::string expected;  // after "<path>: "
};

TEST(vocab_malformed, each_case_gives_its_error) {
    const std::vector<std::string> tokens = base_tokens();
    ASSERT_GT(tokens.size(), 10u);
    const int32_t n = int32_t(tokens.size());
    std::vector<std::string> more = tokens;
    more.push_back("extra");
    const std::vector<int32_t> types = base_types();
    ASSERT_EQ(types.size(), tokens.size());
    // Drop a plain token from the middle so special ids near the end stay in range.
    std::vector<std::string> fewer = tokens;
    std::vector<int32_t> fewer_types = types;
    fewer.erase(fewer.begin() + 300);
    fewer_types.erase(fewer_types.begin() + 300);
    std::vector<int32_t> more_types = types;
    more_types.push_back(1);
    std::vector<int32_t> types_short(size_t(n - 1), 1);
    std::vector<int32_t> types_bad(size_t(n), 1);
    types_bad[5] = 99;
    std::vector<float> scores_short(size_t(n - 3), 0.0f);
    std::vector<std::string> byte_bad = tokens;
    byte_bad[7] = "<0x-1>";
    std::vector<int32_t> types_byte(size_t(n), 1);
    types_byte[7] = 6;  // token 7 claims to be a byte token
    const std::string not_hex_error =
        "tokenizer.ggml.token_type: token 7 '" + tokens[7] + "' is typed as a byte token but is not of the form <0xHH>";

    const std::vector<vocab_case> cases = {
        // Arrays that agree with each other but not with token_embd.weight's rows.
        {"fewer_tokens_than_embd",
         {{"tokenizer.ggml.tokens", gguf_value::make_string_array(fewer)},
          {"tokenizer.ggml.token_type", gguf_value::make_i32_array(fewer_types)}},
         {},
         "tokenizer.ggml.tokens: has 1023 entries but token_embd.weight has 1024 rows"},
        {"more_tokens_than_embd",
         {{"tokenizer.ggml.tokens", gguf_value::make_string_array(more)},
          {"tokenizer.ggml.token_type", gguf_value::make_i32_array(more_types)}},
         {},
         "tokenizer.ggml.tokens: has 1025 entries but token_embd.weight has 1024 rows"},
        {"token_type_shorter", {{"tokenizer.ggml.token_type", gguf_value::make_i32_array(types_short)}}, {},
         "tokenizer.ggml.token_type: has 1023 entries but tokenizer.ggml.tokens has 1024"},
        {"token_type_unknown_value", {{"tokenizer.ggml.token_type", gguf_value::make_i32_array(types_bad)}}, {},
         "tokenizer.ggml.token_type: token 5 has unknown type 99"},
        {"token_type_strings", {{"tokenizer.ggml.token_type", gguf_value::make_string_array(tokens)}}, {},
         "tokenizer.ggml.token_type: expected integers"},
        {"scores_shorter", {{"tokenizer.ggml.scores", gguf_value::make_f32_array(scores_short)}}, {},
         "tokenizer.ggml.scores: has 1021 entries but tokenizer.ggml.tokens has 1024"},
        {"scores_wrong_type", {{"tokenizer.ggml.scores", gguf_value::make_string_array(tokens)}}, {},
         "tokenizer.ggml.scores: expected an array of f32, found an array of string"},
        {"byte_token_negative",
         {{"tokenizer.ggml.tokens", gguf_value::make_string_array(byte_bad)},
          {"tokenizer.ggml.token_type", gguf_value::make_i32_array(types_byte)}},
         {},
         "tokenizer.ggml.token_type: token 7 '<0x-1>' is typed as a byte token but is not of the form <0xHH>"},
        {"byte_token_not_hex", {{"tokenizer.ggml.token_type", gguf_value::make_i32_array(types_byte)}}, {},
         not_hex_error.c_str()},
        {"bos_id_past_end", {{"tokenizer.ggml.bos_token_id", gguf_value::make_u32(uint32_t(n))}}, {}, "tokenizer.ggml.bos_token_id: token id 1024 is out of range (the vocabulary has 1024 tokens)"},
        {"eos_id_huge", {{"tokenizer.ggml.eos_token_id", gguf_value::make_u32(0xFFFFFFFFu)}}, {}, "tokenizer.ggml.eos_token_id: token id 4294967295 is out of range (the vocabulary has 1024 tokens)"},
        {"pad_id_negative", {{"tokenizer.ggml.padding_token_id", gguf_value::make_i32(-2)}}, {}, "tokenizer.ggml.padding_token_id: token id -2 is out of range (the vocabulary has 1024 tokens)"},
        {"eot_id_wrong_type", {{"tokenizer.ggml.eot_token_id", gguf_value::make_string("1")}}, {}, "tokenizer.ggml.eot_token_id: expected an integer token id, found string"},
        {"tokens_not_strings", {{"tokenizer.ggml.tokens", gguf_value::make_i32_array(types_bad)}}, {}, "tokenizer.ggml.tokens: expected an array of strings, found an array of i32"},
        {"tokens_empty", {{"tokenizer.ggml.tokens", gguf_value::make_string_array({})}}, {}, "tokenizer.ggml.tokens: is empty"},
        {"tokens_missing", {}, {"tokenizer.ggml.tokens"}, "tokenizer.ggml.tokens: missing (the file has no vocabulary)"},
        {"model_unknown", {{"tokenizer.ggml.model", gguf_value::make_string("../../x")}}, {}, "tokenizer.ggml.model: unsupported tokenizer model '../../x' (supported: gpt2 = byte-level BPE, llama = SentencePiece)"},
        {"merges_not_pairs", {{"tokenizer.ggml.merges", gguf_value::make_string_array({"nospace"})}}, {},
         "tokenizer.ggml.merges: merge 0 'nospace' is not of the form 'left right'"},
        {"merges_wrong_type", {{"tokenizer.ggml.merges", gguf_value::make_i32_array({1, 2})}}, {}, "tokenizer.ggml.merges: expected an array of strings, found an array of i32"},
    };
    for (const vocab_case& c : cases) {
        SCOPED_TRACE(c.tag);
        const std::string path = rewrite(c.tag, c.set, c.drop);
        const std::string err = load_error(path);
        EXPECT_EQ(err, path + ": " + c.expected) << c.tag;
        std::printf("  %-26s %s\n", c.tag, err.empty() ? "(loads)" : err.substr(path.size()).c_str());
    }
}

}  // namespace
}  // namespace holo
