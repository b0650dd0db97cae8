// Vocabulary loading: every malformed tokenizer.ggml.* field is rejected with an
// error that names the key and what is wrong, never a crash.
#include <gtest/gtest.h>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "vocab_builder.h"

namespace holo {
namespace {

std::string load_error(const std::vector<gguf_kv>& kv) {
    auto v = load_vocab(kv, "test.gguf");
    if (v.ok()) return "";
    return v.message();
}

void expect_error(const std::vector<gguf_kv>& kv, const std::string& key, const std::string& fragment) {
    const std::string e = load_error(kv);
    EXPECT_NE(e.find("test.gguf"), std::string::npos) << e;
    EXPECT_NE(e.find(key), std::string::npos) << e;
    EXPECT_NE(e.find(fragment), std::string::npos) << e;
}

TEST(vocab, valid_byte_level_vocab_loads) {
    auto kv = test::byte_level_vocab({{"a", "b"}});
    test::set_kv(kv, "tokenizer.ggml.eos_token_id", gguf_value::make_u32(256));
    auto v = load_vocab(kv, "test.gguf");
    ASSERT_TRUE(v.ok()) << v.message();
    EXPECT_EQ(v->size(), 257);
    EXPECT_EQ(v->model, vocab_model::bpe);
    EXPECT_EQ(v->pre, "qwen2");
    EXPECT_EQ(v->specials.eos, 256);
    EXPECT_FALSE(v->specials.add_bos);
}

TEST(vocab, missing_or_unknown_model) {
    auto kv = test::byte_level_vocab({});
    kv.erase(kv.begin());
    expect_error(kv, "tokenizer.ggml.model", "missing");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.model", gguf_value::make_string("bert"));
    expect_error(kv, "tokenizer.ggml.model", "unsupported tokenizer model 'bert'");
    test::set_kv(kv, "tokenizer.ggml.model", gguf_value::make_u32(3));
    expect_error(kv, "tokenizer.ggml.model", "expected a string");
}

TEST(vocab, array_lengths_must_agree) {
    auto kv = test::byte_level_vocab({{"a", "b"}});
    test::set_kv(kv, "tokenizer.ggml.token_type", gguf_value::make_i32_array(std::vector<int32_t>(10, 1)));
    expect_error(kv, "tokenizer.ggml.token_type", "has 10 entries but tokenizer.ggml.tokens has 257");
    kv = test::byte_level_vocab({{"a", "b"}});
    test::set_kv(kv, "tokenizer.ggml.scores", gguf_value::make_f32_array(std::vector<float>(3, 0.f)));
    expect_error(kv, "tokenizer.ggml.scores", "has 3 entries");
}

TEST(vocab, scores_must_be_floats) {
    auto kv = test::spm_vocab({{"\xE2\x96\x81" "a", -1.f}});
    test::set_kv(kv, "tokenizer.ggml.scores", gguf_value::make_i32_array(std::vector<int32_t>(260, 0)));
    expect_error(kv, "tokenizer.ggml.scores", "expected an array of f32");
    kv = test::spm_vocab({});
    kv.erase(kv.begin() + 3);  // scores
    expect_error(kv, "tokenizer.ggml.scores", "missing");
}

TEST(vocab, ids_must_be_in_range) {
    auto kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.bos_token_id", gguf_value::make_u32(256));
    expect_error(kv, "tokenizer.ggml.bos_token_id", "token id 256 is out of range (the vocabulary has 256 tokens)");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.eos_token_id", gguf_value::make_i32(-5));
    expect_error(kv, "tokenizer.ggml.eos_token_id", "out of range");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.eos_token_id", gguf_value::make_f32(2.0f));
    expect_error(kv, "tokenizer.ggml.eos_token_id", "expected an integer");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.padding_token_id", gguf_value::make_i32(-1));  // "none"
    EXPECT_EQ(load_error(kv), "");
}

TEST(vocab, byte_tokens_must_be_hex) {
    for (const char* bad : {"<0x-1>", "<0xG0>", "<0x100>", "<0x1>", "0x41"}) {
        auto kv = test::spm_vocab({{bad, -1.f}});
        std::vector<int32_t> types(260, 6);
        types[0] = 2;
        types[1] = types[2] = 3;
        test::set_kv(kv, "tokenizer.ggml.token_type", gguf_value::make_i32_array(types));
        expect_error(kv, "tokenizer.ggml.token_type", "is not of the form <0xHH>");
    }
    EXPECT_EQ(parse_byte_token("<0x41>"), 0x41);
    EXPECT_EQ(parse_byte_token("<0xff>"), 0xff);
    EXPECT_EQ(parse_byte_token("<0x-1>"), -1);
}

TEST(vocab, token_types_and_merges_are_checked) {
    auto kv = test::byte_level_vocab({});
    std::vector<int32_t> types(256, 1);
    types[7] = 9;
    test::set_kv(kv, "tokenizer.ggml.token_type", gguf_value::make_i32_array(types));
    expect_error(kv, "tokenizer.ggml.token_type", "token 7 has unknown type 9");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.merges", gguf_value::make_string_array({"ab"}));
    expect_error(kv, "tokenizer.ggml.merges", "merge 0 'ab' is not of the form 'left right'");
    kv = test::byte_level_vocab({});
    kv.erase(kv.begin() + 4);
    expect_error(kv, "tokenizer.ggml.merges", "missing");
    kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.tokens", gguf_value::make_i32_array({1, 2}));
    expect_error(kv, "tokenizer.ggml.tokens", "expected an array of strings");
}

TEST(vocab, add_bos_needs_a_bos_id) {
    auto kv = test::byte_level_vocab({});
    test::set_kv(kv, "tokenizer.ggml.add_bos_token", gguf_value::make_bool(true));
    expect_error(kv, "tokenizer.ggml.add_bos_token", "bos_token_id is missing");
    test::set_kv(kv, "tokenizer.ggml.add_bos_token", gguf_value::make_u32(1));
    expect_error(kv, "tokenizer.ggml.add_bos_token", "expected a bool");
}

TEST(vocab, unknown_pre_tokenizer_is_an_error) {
    auto kv = test::byte_level_vocab({}, {}, "no-such-pre");
    auto t = tokenizer::from_metadata(kv, "test.gguf");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.message().find("unsupported pre-tokenizer 'no-such-pre'"), std::string::npos) << t.message();
    EXPECT_NE(t.message().find("qwen2"), std::string::npos) << t.message();
}

}  // namespace
}  // namespace holo
