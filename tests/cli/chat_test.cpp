// `holo chat` end to end on the default model: one reply line per user line, the
// same seed gives the same conversation, and a missing model is a clear error.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "test_util.h"

namespace holo {
namespace {

std::string holo_bin() { return test::binary_dir() + "/holo"; }

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(cli_chat, answers_each_user_line_and_is_deterministic_by_seed) {
    const std::string cmd = "printf 'In the beginning\\nAnd God said\\n' | " + holo_bin() +
                            " chat -n 8 --seed 11 -t 2 2>/dev/null";
    std::string a, b;
    ASSERT_EQ(test::run_command(cmd, &a), 0);
    ASSERT_EQ(test::run_command(cmd, &b), 0);
    const auto la = lines_of(a);
    ASSERT_GE(la.size(), 2u) << a;
    EXPECT_FALSE(la[0].empty());
    EXPECT_EQ(a, b);
}

TEST(cli_chat, a_missing_model_is_a_clear_error) {
    std::string out;
    const std::string cmd = "echo hi | " + holo_bin() + " chat /nonexistent/m.gguf 2>&1";
    EXPECT_NE(test::run_command(cmd, &out), 0);
    EXPECT_NE(out.find("/nonexistent/m.gguf"), std::string::npos) << out;
}

}  // namespace
}  // namespace holo
