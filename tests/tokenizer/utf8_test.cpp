// UTF-8 helpers: validation and replacement agree with the WHATWG decoder's
// maximal-subpart rule; the stream never emits a partial character.
#include <gtest/gtest.h>

#include <random>

#include "tokenizer/utf8.h"
#include "tokenizer/utf8_stream.h"

namespace holo {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

TEST(utf8, validation) {
    EXPECT_TRUE(utf8_is_valid("hello \xE4\xBD\xA0 \xF0\x9F\x98\x80"));
    EXPECT_FALSE(utf8_is_valid("\xC0\x80"));          // overlong
    EXPECT_FALSE(utf8_is_valid("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(utf8_is_valid("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(utf8_is_valid("\xE4\xBD"));          // truncated
}

TEST(utf8, sanitize_replaces_maximal_subparts) {
    // One U+FFFD per maximal subpart (what TextDecoder produces).
    EXPECT_EQ(utf8_sanitize("\xE4\xBD" "a"), fffd + "a");
    EXPECT_EQ(utf8_sanitize("\xC0\x80"), fffd + fffd);
    EXPECT_EQ(utf8_sanitize("\xED\xA0\x80"), fffd + fffd + fffd);
    EXPECT_EQ(utf8_sanitize("\xF0\x9F\x98"), fffd);
    EXPECT_EQ(utf8_sanitize("\x80\x80"), fffd + fffd);
    EXPECT_EQ(utf8_sanitize("ok"), "ok");
}

TEST(utf8, byte_map_round_trips) {
    byte_unicode_map m;
    for (int b = 0; b < 256; ++b) EXPECT_EQ(m.byte_of(m.to_cp(uint8_t(b))), b);
    EXPECT_EQ(m.to_cp(' '), 0x120u);  // Ġ
    EXPECT_EQ(m.to_cp('a'), uint32_t('a'));
}

TEST(utf8_stream, random_splits_give_the_sanitized_text) {
    std::mt19937 rng(7);
    const std::string valid = "a\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x98\x80z";
    for (int iter = 0; iter < 2000; ++iter) {
        std::string s = valid;
        if (iter % 2) s.insert(rng() % s.size(), 1, char(0x80 + rng() % 0x80));
        utf8_stream st;
        std::string out;
        for (size_t i = 0; i < s.size();) {
            const size_t n = 1 + rng() % 3;
            const std::string piece = st.push(s.substr(i, n));
            EXPECT_TRUE(utf8_is_valid(piece));
            out += piece;
            i += n;
        }
        out += st.finish();
        EXPECT_EQ(out, utf8_sanitize(s));
    }
}

TEST(utf8_stream, unfinished_character_at_the_end) {
    utf8_stream st;
    EXPECT_EQ(st.push("x\xF0\x9F"), "x");
    EXPECT_EQ(st.n_held(), 2u);
    EXPECT_EQ(st.finish(), fffd);
}

}  // namespace
}  // namespace holo
