// The checks every request passes: Host header when bound to loopback (DNS
// rebinding), Origin, and the API key comparison.
#include <gtest/gtest.h>

#include "server/http_server.h"

namespace holo::server {
namespace {

TEST(http_checks, host_header_on_loopback) {
    EXPECT_EQ(check_host_header("127.0.0.1", "127.0.0.1:11434"), "");
    EXPECT_EQ(check_host_header("127.0.0.1", "localhost:11434"), "");
    EXPECT_EQ(check_host_header("127.0.0.1", "LOCALHOST"), "");
    EXPECT_EQ(check_host_header("::1", "[::1]:8080"), "");
    EXPECT_NE(check_host_header("127.0.0.1", "evil.example:11434"), "");
    EXPECT_NE(check_host_header("127.0.0.1", "127.0.0.1.evil.example"), "");
    EXPECT_NE(check_host_header("localhost", "attacker.com"), "");
    // Bound to all interfaces: the operator chose exposure; no Host restriction.
    EXPECT_EQ(check_host_header("0.0.0.0", "anything.example"), "");
}

TEST(http_checks, origin) {
    server_config cfg;
    cfg.host = "127.0.0.1";
    EXPECT_EQ(check_origin(cfg, "", "127.0.0.1:1"), "");
    EXPECT_EQ(check_origin(cfg, "http://127.0.0.1:1", "127.0.0.1:1"), "");
    EXPECT_EQ(check_origin(cfg, "http://localhost:1", "127.0.0.1:1"), "");
    EXPECT_NE(check_origin(cfg, "https://evil.example", "127.0.0.1:1"), "");
    EXPECT_NE(check_origin(cfg, "null", "127.0.0.1:1"), "");
    cfg.allowed_origins = {"https://app.example"};
    EXPECT_EQ(check_origin(cfg, "https://app.example", "127.0.0.1:1"), "");
}

TEST(http_checks, api_key) {
    EXPECT_TRUE(api_key_matches("s3cret", "Bearer s3cret"));
    EXPECT_FALSE(api_key_matches("s3cret", "Bearer s3cre"));
    EXPECT_FALSE(api_key_matches("s3cret", "Bearer s3cret2"));
    EXPECT_FALSE(api_key_matches("s3cret", "bearer s3cret"));
    EXPECT_FALSE(api_key_matches("s3cret", "s3cret"));
    EXPECT_FALSE(api_key_matches("s3cret", ""));
}

}  // namespace
}  // namespace holo::server
