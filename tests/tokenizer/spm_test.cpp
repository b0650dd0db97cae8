// SentencePiece-style tokenization on a small vocabulary: merges by score, the ▁
// space prefix (at the start and after special tokens), byte fallback, decoding.
#include <gtest/gtest.h>

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "vocab_builder.h"

namespace holo {
namespace {

const std::string sp = "\xE2\x96\x81";  // ▁

std::unique_ptr<tokenizer> make() {
    auto kv = test::spm_vocab({
        {sp, -1.f}, {"h", -2.f}, {"e", -2.f}, {"l", -2.f}, {"o", -2.f}, {"w", -2.f}, {"r", -2.f}, {"d", -2.f},
        {"ll", -3.f}, {"he", -4.f}, {sp + "h", -6.f}, {"hell", -5.f}, {sp + "hell", -7.f}, {sp + "hello", -8.f},
        {"lo", -9.f}, {sp + "w", -10.f}, {"wo", -11.f},
    });
    auto t = tokenizer::from_metadata(kv, "spm");
    EXPECT_TRUE(t.ok()) << t.message();
    return std::move(t).value();
}

TEST(spm, merges_by_highest_score) {
    auto t = make();
    // ll (-3) before he (-4) before hell (-5), then ▁hell, ▁hello.
    EXPECT_EQ(t->encode("hello", false, false), std::vector<int32_t>{t->find_token(sp + "hello")});
    // "lo" (-9) would compete but "ll" wins the overlap first.
    EXPECT_EQ(t->encode("llo", false, false),
              (std::vector<int32_t>{t->find_token(sp), t->find_token("ll"), t->find_token("o")}));
}

TEST(spm, space_prefix_and_bos) {
    auto t = make();
    const auto ids = t->encode("hello world", true, false);
    ASSERT_GE(ids.size(), 3u);
    EXPECT_EQ(ids[0], 1);  // BOS: SentencePiece vocabularies add it by default
    EXPECT_EQ(ids[1], t->find_token(sp + "hello"));
    EXPECT_EQ(ids[2], t->find_token(sp + "w"));
    EXPECT_EQ(t->decode(t->encode("hello world", false, false)), "hello world");
}

TEST(spm, prefix_after_special_tokens) {
    auto t = make();
    const auto ids = t->encode("hello</s>hello", false, true);
    EXPECT_EQ(ids, (std::vector<int32_t>{t->find_token(sp + "hello"), 2, t->find_token(sp + "hello")}));
    EXPECT_EQ(t->decode(ids), "hello</s>hello");
}

TEST(spm, byte_fallback_for_unknown_characters) {
    auto t = make();
    const auto ids = t->encode("\xC3\xA9", false, false);  // é: not in the vocabulary
    EXPECT_EQ(ids, (std::vector<int32_t>{t->find_token(sp), t->find_token("<0xC3>"), t->find_token("<0xA9>")}));
    EXPECT_EQ(t->decode(ids), "\xC3\xA9");
    EXPECT_EQ(t->token_to_piece(t->find_token("<0xC3>")), "\xC3");
}

TEST(spm, invalid_utf8_goes_through_replacement_and_byte_fallback) {
    auto t = make();
    const std::string bad = "h\xFF\xC3";
    const auto ids = t->encode(bad, false, false);
    EXPECT_EQ(t->decode(ids), utf8_sanitize(bad));
    EXPECT_EQ(utf8_sanitize(bad), "h\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace holo
