// Byte-level BPE on small synthetic vocabularies: merge order by rank, tie-breaks,
// special-token handling, invalid UTF-8, long inputs, streaming detokenization.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8_stream.h"
#include "vocab_builder.h"

namespace holo {
namespace {

std::unique_ptr<tokenizer> make(const std::vector<gguf_kv>& kv) {
    auto t = tokenizer::from_metadata(kv, "synthetic");
    EXPECT_TRUE(t.ok()) << t.message();
    return t.ok() ? std::move(t).value() : nullptr;
}

// The id of a token spelled in raw bytes (looked up through the byte alphabet).
int32_t id_of(const tokenizer& t, const std::string& raw) {
    byte_unicode_map map;
    std::string s;
    for (char c : raw) s += map.encoded(uint8_t(c));
    return t.find_token(s);
}

TEST(bpe, lowest_rank_merge_applies_first) {
    // "a b" before "b c": abc -> [ab][c] -> [abc] through "ab c".
    auto t1 = make(test::byte_level_vocab({{"a", "b"}, {"b", "c"}, {"ab", "c"}}));
    EXPECT_EQ(t1->encode("abc", false, false), std::vector<int32_t>{id_of(*t1, "abc")});
    // "b c" first: [a][bc]; with no "a bc" merge it stays two tokens.
    auto t2 = make(test::byte_level_vocab({{"b", "c"}, {"a", "b"}, {"ab", "c"}}));
    EXPECT_EQ(t2->encode("abc", false, false), (std::vector<int32_t>{id_of(*t2, "a"), id_of(*t2, "bc")}));
}

TEST(bpe, equal_ranks_merge_leftmost_first) {
    auto t = make(test::byte_level_vocab({{"a", "a"}}));
    EXPECT_EQ(t->encode("aaa", false, false), (std::vector<int32_t>{id_of(*t, "aa"), id_of(*t, "a")}));
    EXPECT_EQ(t->encode("aaaa", false, false), (std::vector<int32_t>{id_of(*t, "aa"), id_of(*t, "aa")}));
}

TEST(bpe, pre_tokenizer_bounds_merges) {
    // " a" can merge inside a word, but the qwen2 pre-tokenizer keeps "a" and "!" apart.
    auto t = make(test::byte_level_vocab({{" ", "a"}, {"a", "!"}}));
    EXPECT_EQ(t->encode(" a!", false, false), (std::vector<int32_t>{id_of(*t, " a"), id_of(*t, "!")}));
    // Single digits for qwen2, groups of up to three for llama-bpe.
    auto q = make(test::byte_level_vocab({{"1", "2"}}, {}, "qwen2"));
    EXPECT_EQ(q->encode("12", false, false).size(), 2u);
    auto l = make(test::byte_level_vocab({{"1", "2"}}, {}, "llama-bpe"));
    EXPECT_EQ(l->encode("12", false, false), std::vector<int32_t>{id_of(*l, "12")});
}

TEST(bpe, long_words_are_not_quadratic) {
    // One 400 kB word: every merge level halves it. A quadratic rescan would take minutes.
    auto t = make(test::byte_level_vocab({{"a", "a"}, {"aa", "aa"}, {"aaaa", "aaaa"}}));
    const std::string word(400000, 'a');
    const auto start = std::chrono::steady_clock::now();
    const auto ids = t->encode(word, false, false);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(ids.size(), 50000u);
    EXPECT_EQ(ids.front(), id_of(*t, "aaaaaaaa"));
    EXPECT_LT(seconds, 5.0) << "400 kB word took " << seconds << " s";
}

TEST(bpe, control_tokens_only_with_parse_special) {
    auto t = make(test::byte_level_vocab({}, {{"<|im_start|>", 3}, {"<think>", 4}}));
    const int32_t im_start = t->find_token("<|im_start|>"), think = t->find_token("<think>");
    ASSERT_GE(im_start, 0);
    ASSERT_GE(think, 0);
    const std::string text = "x<|im_start|>y";
    const auto plain = t->encode(text, false, false);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), im_start), 0) << "user text injected a control token";
    EXPECT_EQ(t->decode(plain), text);
    const auto parsed = t->encode(text, false, true);
    EXPECT_EQ(parsed, (std::vector<int32_t>{id_of(*t, "x"), im_start, id_of(*t, "y")}));
    // User-defined tokens are plain vocabulary words: matched either way.
    EXPECT_EQ(t->encode("<think>", false, false), std::vector<int32_t>{think});
    EXPECT_TRUE(t->is_control(im_start));
    EXPECT_FALSE(t->is_control(think));
}

TEST(bpe, longest_special_token_wins) {
    auto t = make(test::byte_level_vocab({}, {{"<|a|>", 3}, {"<|a|>b", 3}}));
    EXPECT_EQ(t->encode("<|a|>b", false, true), std::vector<int32_t>{t->find_token("<|a|>b")});
    EXPECT_EQ(t->encode("<|a|>c", false, true), (std::vector<int32_t>{t->find_token("<|a|>"), id_of(*t, "c")}));
}

TEST(bpe, bos_eos_follow_the_vocabulary) {
    auto kv = test::byte_level_vocab({}, {{"<s>", 3}, {"</s>", 3}});
    test::set_kv(kv, "tokenizer.ggml.bos_token_id", gguf_value::make_u32(256));
    test::set_kv(kv, "tokenizer.ggml.eos_token_id", gguf_value::make_u32(257));
    test::set_kv(kv, "tokenizer.ggml.add_bos_token", gguf_value::make_bool(true));
    test::set_kv(kv, "tokenizer.ggml.add_eos_token", gguf_value::make_bool(true));
    auto t = make(kv);
    EXPECT_EQ(t->encode("a", true, false), (std::vector<int32_t>{256, id_of(*t, "a"), 257}));
    EXPECT_EQ(t->encode("a", false, false), std::vector<int32_t>{id_of(*t, "a")});
    EXPECT_TRUE(t->is_end_of_generation(257));
    EXPECT_FALSE(t->is_end_of_generation(256));
}

TEST(bpe, invalid_utf8_never_crashes_and_decodes_to_replacement) {
    auto t = make(test::byte_level_vocab({{"a", "b"}, {"\xEF\xBF", "\xBD"}}, {{"<|x|>", 3}}));
    std::mt19937 rng(1234);
    for (int iter = 0; iter < 3000; ++iter) {
        std::string s(rng() % 40, '\0');
        for (char& c : s) c = char(rng() % 4 == 0 ? 'a' + rng() % 3 : rng() % 256);
        for (bool parse : {false, true}) {
            const auto ids = t->encode(s, false, parse);
            for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < t->n_vocab());
            const std::string back = t->decode(ids);
            EXPECT_TRUE(utf8_is_valid(back));
            // The qwen2 pre-tokenizer implies NFC (a no-op without ICU).
            EXPECT_EQ(back, nfc(utf8_sanitize(s))) << "iteration " << iter;
        }
    }
}

TEST(bpe, qwen2_normalizes_to_nfc) {
    if (!nfc_available()) GTEST_SKIP() << "built without ICU: no NFC normalization";
    auto t = make(test::byte_level_vocab({}));
    // e + U+0301 (combining acute) is é (U+00E9) in NFC.
    EXPECT_EQ(t->decode(t->encode("e\xCC\x81", false, false)), "\xC3\xA9");
    auto g = make(test::byte_level_vocab({}, {}, "gpt-2"));
    EXPECT_EQ(g->decode(g->encode("e\xCC\x81", false, false)), "e\xCC\x81");
}

TEST(bpe, pieces_split_inside_a_character_are_held_back) {
    // No merges: "😀" becomes four one-byte tokens.
    auto t = make(test::byte_level_vocab({}));
    const std::string emoji = "\xF0\x9F\x98\x80";
    const auto ids = t->encode("a" + emoji + "b", false, false);
    ASSERT_EQ(ids.size(), 6u);
    utf8_stream stream;
    std::vector<std::string> shown;
    for (int32_t id : ids) shown.push_back(stream.push(t->token_to_piece(id)));
    EXPECT_EQ(shown, (std::vector<std::string>{"a", "", "", "", emoji, "b"}));
    EXPECT_EQ(stream.finish(), "");
}

}  // namespace
}  // namespace holo
