// Streaming text out of token pieces: stop strings split across tokens are held
// back and never shown in part; incomplete UTF-8 characters wait for their next
// bytes; invalid bytes become U+FFFD.
#include <gtest/gtest.h>

#include "runtime/stop_matcher.h"
#include "tokenizer/utf8.h"
#include "tokenizer/utf8_stream.h"

namespace holo {
namespace {

std::string run_stops(const std::vector<std::string>& stops, const std::vector<std::string>& pieces,
                      bool* stopped = nullptr) {
    stop_matcher m(stops);
    std::string out;
    for (auto& p : pieces) {
        out += m.push(p);
        if (m.stopped()) break;
    }
    out += m.flush();
    if (stopped) *stopped = m.stopped();
    return out;
}

TEST(stop_matcher, stop_split_across_tokens_is_cut_before_it) {
    bool stopped = false;
    EXPECT_EQ(run_stops({"###"}, {"Hello", " wor", "ld#", "#", "# after"}, &stopped), "Hello world");
    EXPECT_TRUE(stopped);
}

TEST(stop_matcher, holds_back_only_what_could_still_match) {
    stop_matcher m({"</end>"});
    EXPECT_EQ(m.push("abc</e"), "abc");
    EXPECT_EQ(m.push("x"), "</ex");  // no longer a prefix: released
    EXPECT_EQ(m.push("<"), "");
    EXPECT_EQ(m.flush(), "<");       // generation ended without a match
    EXPECT_FALSE(m.stopped());
}

TEST(stop_matcher, earliest_of_several_stops_wins) {
    bool stopped = false;
    EXPECT_EQ(run_stops({"STOP", "\n\n"}, {"a\n", "\nbSTOP"}, &stopped), "a");
    EXPECT_TRUE(stopped);
    stop_matcher m({"ab", "b"});
    EXPECT_EQ(m.push("xab"), "x");
    EXPECT_EQ(m.matched(), "ab");
}

TEST(stop_matcher, no_stops_passes_everything_through) {
    EXPECT_EQ(run_stops({}, {"a", "b", ""}), "ab");
    EXPECT_EQ(run_stops({""}, {"a", "b"}), "ab");  // an empty stop string is ignored
}

TEST(utf8_stream, multibyte_characters_split_across_tokens_wait) {
    utf8_stream s;
    const std::string euro = "\xE2\x82\xAC";    // €
    const std::string emoji = "\xF0\x9F\x98\x80";  // 😀
    EXPECT_EQ(s.push("a" + euro.substr(0, 1)), "a");
    EXPECT_EQ(s.n_held(), 1u);
    EXPECT_EQ(s.push(euro.substr(1, 1)), "");
    EXPECT_EQ(s.push(euro.substr(2) + emoji.substr(0, 3)), euro);
    EXPECT_EQ(s.push(emoji.substr(3) + "b"), emoji + "b");
    EXPECT_EQ(s.finish(), "");
}

TEST(utf8_stream, invalid_bytes_become_replacement_characters) {
    const std::string fffd = "\xEF\xBF\xBD";
    utf8_stream s;
    EXPECT_EQ(s.push("a\xFF" "b"), "a" + fffd + "b");
    EXPECT_EQ(s.push("\xC0\xAF"), fffd + fffd);          // overlong lead, stray continuation
    EXPECT_EQ(s.push("\xE2\x82" "x"), fffd + "x");       // truncated sequence then ASCII
    EXPECT_EQ(s.push("\xED\xA0\x80"), fffd + fffd + fffd);  // surrogate: lead invalid with A0, then 2 strays
    EXPECT_EQ(s.push("\xF0\x9F"), "");
    EXPECT_EQ(s.finish(), fffd);                           // stream ended mid-character
    EXPECT_TRUE(utf8_is_valid("a" + fffd + "\xF0\x9F\x98\x80"));
    EXPECT_FALSE(utf8_is_valid("\xF0\x9F\x98"));
    EXPECT_FALSE(utf8_is_valid("\xF4\x90\x80\x80"));  // > U+10FFFF
}

TEST(utf8_stream, output_is_always_valid_for_any_split) {
    // Every way of cutting a mixed string into two pieces yields the same valid text.
    const std::string text = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80!";
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        utf8_stream s;
        std::string out = s.push(text.substr(0, cut));
        EXPECT_TRUE(utf8_is_valid(out)) << cut;
        out += s.push(text.substr(cut));
        out += s.finish();
        EXPECT_EQ(out, text) << cut;
    }
}

}  // namespace
}  // namespace holo
