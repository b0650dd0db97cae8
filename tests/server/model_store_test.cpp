// The model store: the name/digest grammar refuses every path-traversal shape
// before a path is built, names round-trip, import hashes to the same digest as an
// independent SHA-256 (OpenSSL one-shot), list/resolve/remove agree, a tampered
// manifest digest is refused, and "not found" reads the same for names that would
// point at existing and missing files.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <filesystem>
#include <fstream>

#include "server/model_name.h"
#include "server/model_store.h"
#include "server/pull.h"
#include "test_util.h"

namespace holo::server {
namespace {

namespace fs = std::filesystem;

TEST(model_name, grammar) {
    auto n = parse_model_name("Qwen3:30b-a3b");
    ASSERT_TRUE(n.ok()) << n.message();
    EXPECT_EQ(n->ns, "library");
    EXPECT_EQ(n->model, "qwen3");
    EXPECT_EQ(n->tag, "30b-a3b");
    EXPECT_EQ(n->str(), "qwen3:30b-a3b");
    EXPECT_EQ(parse_model_name("tiny")->str(), "tiny:latest");
    EXPECT_EQ(parse_model_name("me/tiny:Q4_K")->str(), "me/tiny:Q4_K");

    const char* bad[] = {"", "../x", "..", "a/../b", "a/b/c", "/abs", "a/", "/a", "a:", "a:../../etc", "a:b/c",
                         "a..b", "a:x..y", ".hidden", "-x", "a b", "a\\b", "a%2f..", "a:tag:more/x"};
    for (const char* s : bad) EXPECT_FALSE(parse_model_name(s).ok()) << "accepted \"" << s << "\"";
    EXPECT_FALSE(parse_model_name(std::string("a\0b", 3)).ok());
    EXPECT_FALSE(parse_model_name(std::string(300, 'a')).ok());
}

TEST(model_name, digests) {
    const std::string good = "sha256:" + std::string(64, 'a');
    EXPECT_TRUE(is_valid_digest(good));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(63, 'a')));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(65, 'a')));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(64, 'A')));
    EXPECT_FALSE(is_valid_digest("sha256:../../" + std::string(58, 'a')));
    EXPECT_FALSE(is_valid_digest("sha512:" + std::string(64, 'a')));
    EXPECT_FALSE(is_valid_digest(std::string(64, 'a')));
}

TEST(model_name, from_filename) {
    EXPECT_EQ(name_from_filename("/x/y/Qwen3 30B.Q4_K_M.gguf"), "qwen3-30b.q4_k_m");
    EXPECT_EQ(name_from_filename("http://h:1/a/tiny.gguf?x=../.."), "tiny");
    EXPECT_EQ(name_from_filename("../..gguf"), "model");
    EXPECT_TRUE(parse_model_name(name_from_filename("...///..%00")).ok());
}

std::string write_fake_gguf(const std::string& path, const std::string& payload) {
    std::ofstream f(path, std::ios::binary);
    f << "GGUF" << payload;
    return "GGUF" + payload;
}

std::string sha_hex(const std::string& bytes) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
    std::string s;
    char buf[3];
    for (unsigned char c : md) {
        std::snprintf(buf, sizeof buf, "%02x", c);
        s += buf;
    }
    return s;
}

TEST(model_store, import_list_resolve_remove) {
    const std::string dir = test::temp_path("store");
    model_store store(dir);
    const std::string src = test::temp_path("a.gguf");
    const std::string bytes = write_fake_gguf(src, std::string(100000, 'x'));
    auto e = store.import_file("tiny", src);
    ASSERT_TRUE(e.ok()) << e.message();
    EXPECT_EQ(e->digest, "sha256:" + sha_hex(bytes));
    EXPECT_EQ(e->size, bytes.size());
    EXPECT_TRUE(fs::exists(dir + "/blobs/sha256-" + sha_hex(bytes)));
    EXPECT_TRUE(fs::exists(dir + "/manifests/library/tiny/latest"));

    // A second name for the same bytes shares the blob.
    ASSERT_TRUE(store.import_file("me/other:v1", src).ok());
    auto all = store.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(store.resolve("TINY")->digest, e->digest);

    ASSERT_TRUE(store.remove("tiny").ok());
    EXPECT_FALSE(store.resolve("tiny").ok());
    EXPECT_TRUE(fs::exists(e->blob_path)) << "blob still used by me/other:v1";
    ASSERT_TRUE(store.remove("me/other:v1").ok());
    EXPECT_FALSE(fs::exists(e->blob_path)) << "unused blob left behind";
    EXPECT_FALSE(store.remove("tiny").ok());

    // Not GGUF: refused.
    const std::string txt = test::temp_path("b.gguf");
    std::ofstream(txt) << "hello";
    EXPECT_FALSE(store.import_file("b", txt).ok());
}

TEST(model_store, traversal_and_existence_oracle) {
    const std::string dir = test::temp_path("store2");
    model_store store(dir);
    fs::create_directories(dir + "/manifests/library/real");
    // A file outside the store that a traversal would reach, and a name that would hit it.
    std::ofstream(dir + "/secret") << "x";
    for (const char* name : {"../secret", "../../etc/passwd", "library/../../secret", "a/b/c"}) {
        auto r = store.resolve(name);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.message().find(dir), std::string::npos) << "message leaks a path: " << r.message();
        EXPECT_NE(r.message().find("invalid model name"), std::string::npos) << r.message();
    }
    // Same answer for valid names whether or not something exists at a nearby path.
    auto missing = store.resolve("nothere");
    auto dir_only = store.resolve("real");  // a directory exists, no manifest
    ASSERT_FALSE(missing.ok());
    ASSERT_FALSE(dir_only.ok());
    EXPECT_EQ(missing.message(), "model 'nothere:latest' not found");
    EXPECT_EQ(dir_only.message(), "model 'real:latest' not found");

    // A manifest whose digest tries to walk out is refused, not followed.
    fs::create_directories(dir + "/manifests/library/evil");
    std::ofstream(dir + "/manifests/library/evil/latest")
        << R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../../secret","size":1}]})";
    auto evil = store.resolve("evil");
    ASSERT_FALSE(evil.ok());
    EXPECT_NE(evil.message().find("invalid digest"), std::string::npos) << evil.message();
}

TEST(pull, local_path_and_digest_check) {
    const std::string dir = test::temp_path("store3");
    model_store store(dir);
    const std::string src = test::temp_path("c.gguf");
    const std::string bytes = write_fake_gguf(src, std::string(5000, 'y'));
    pull_options po;
    po.name = "c";
    po.expected_digest = "sha256:" + std::string(64, '0');
    auto bad = pull_model(store, src, po);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.message().find("mismatch"), std::string::npos) << bad.message();
    EXPECT_FALSE(store.resolve("c").ok()) << "a mismatching file stayed in the store";
    po.expected_digest = "sha256:" + sha_hex(bytes);
    int reports = 0;
    po.on_progress = [&](const pull_progress&) { return ++reports < 1000; };
    auto good = pull_model(store, src, po);
    ASSERT_TRUE(good.ok()) << good.message();
    EXPECT_GT(reports, 0);
    po.allow_local_path = false;
    EXPECT_FALSE(pull_model(store, src, po).ok());
    // No redirects, no other schemes.
    pull_options url;
    url.name = "u";
    EXPECT_FALSE(pull_model(store, "file:///etc/passwd", url).ok());
}

}  // namespace
}  // namespace holo::server
