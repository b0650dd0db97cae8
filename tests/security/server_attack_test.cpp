// The HTTP half of shared/SECURITY.md, tried against a real `holo serve`: one
// request per class (negative / huge counts, deep JSON, oversize bodies, prompts
// longer than the context, bad logit_bias ids, unknown names, traversal in names
// and digests, DNS rebinding, API key, CORS preflight, SSRF-ish pull URLs, RPC),
// each with the exact status and error message it must get. The server runs on a
// tiny synth model on loopback and must still answer /health after every case.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "model/synth.h"
#include "test_util.h"

namespace holo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* k_key = "security-test-key";
constexpr int k_ctx = 128;
constexpr int k_max_body = 65536;

struct server_process {
    std::string dir, model_path, log;
    int port = 0;
    pid_t pid = -1;
    std::string failure;

    void start() {
        dir = test::temp_path("security_serve");
        fs::create_directories(dir);
        model_path = dir + "/tiny.gguf";
        synth_options o;
        o.preset = "tiny-qwen3moe";
        o.type = "q8_0";
        o.n_layer = 1;
        o.output_path = model_path;
        o.progress = false;
        if (!write_synth_model(o).ok()) {
            failure = "could not write the tiny synth model";
            return;
        }
        log = dir + "/serve.log";
        const std::string bin = test::binary_dir() + "/holo";
        std::vector<std::string> args = {bin, "serve", model_path, "--host", "127.0.0.1", "--port", "0",
                                         "--parallel", "1", "--max-queue", "2", "--ctx", std::to_string(k_ctx),
                                         "--threads", "1", "--models", dir + "/store", "--api-key", k_key,
                                         "--max-body", std::to_string(k_max_body)};
        const test::spawned_server sp = test::spawn_server(args, log, 60);  // bounded: 60 s on a busy machine
        pid = sp.pid;
        port = sp.port;
        if (port > 0) return;
        failure = "holo serve did not report its port; log:\n" + test::slurp(log);
    }
    void stop() {
        test::stop_process(pid);
        pid = -1;
    }
};

server_process* g_server = nullptr;

class server_attack : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!fs::exists(test::binary_dir() + "/holo")) return;
        g_server = new server_process;
        g_server->start();
    }
    static void TearDownTestSuite() {
        if (g_server) g_server->stop();
        delete g_server;
        g_server = nullptr;
    }
    void SetUp() override {
        if (!g_server) GTEST_SKIP() << test::binary_dir() << "/holo is not built (ninja holo)";
        ASSERT_TRUE(g_server->failure.empty()) << g_server->failure;
    }
    void TearDown() override {
        if (!g_server || !g_server->failure.empty() || IsSkipped()) return;
        // Whatever the case did, the server is still up and answering.
        ASSERT_EQ(kill(g_server->pid, 0), 0) << "holo serve died; log:\n" << test::slurp(g_server->log);
        auto h = client().Get("/health");
        ASSERT_TRUE(h) << "no answer from /health after the case";
        EXPECT_EQ(h->status, 200);
    }

    static httplib::Client client() {
        httplib::Client c("127.0.0.1", g_server->port);
        c.set_read_timeout(60, 0);
        c.set_write_timeout(30, 0);
        return c;
    }
    static httplib::Headers auth(httplib::Headers h = {}) {
        h.emplace("Authorization", std::string("Bearer ") + k_key);
        return h;
    }
    static httplib::Result post(const std::string& path, const std::string& body, httplib::Headers h = auth()) {
        return client().Post(path.c_str(), h, body, "application/json");
    }
    // The status and the error text, whichever API shape the route answers in.
    static void expect_error(const httplib::Result& r, int status, const std::string& message) {
        ASSERT_TRUE(r) << "no response (connection error " << int(r.error()) << ")";
        EXPECT_EQ(r->status, status) << r->body;
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "error body is not JSON: " << r->body;
        std::string text;
        if (j.contains("error") && j["error"].is_string()) text = j["error"].get<std::string>();
        if (j.contains("error") && j["error"].is_object()) text = j["error"].value("message", "");
        EXPECT_EQ(text, message) << r->body;
    }
};

const std::string k_model = "tiny:latest";

std::string completion(const std::string& extra) {
    return R"({"model":")" + k_model + R"(","prompt":"hello")" + extra + "}";
}
std::string generate(const std::string& options) {
    return R"({"model":")" + k_model + R"(","prompt":"hello","stream":false,"options":)" + options + "}";
}

TEST_F(server_attack, negative_and_huge_counts_are_400) {
    expect_error(post("/v1/completions", completion(R"(,"max_tokens":-5)")), 400, "'max_tokens' is -5; it must be between 1 and 1048576");
    expect_error(post("/v1/completions", completion(R"(,"max_tokens":1e300)")), 400, "'max_tokens' must be an integer, not 1e+300");
    expect_error(post("/v1/completions", completion(R"(,"max_tokens":9223372036854775807)")), 400, "'max_tokens' is 9223372036854775807; it must be between 1 and 1048576");
    expect_error(post("/v1/completions", completion(R"(,"n":-1)")), 400, "'n' must be 1 (one choice per request)");
    expect_error(post("/api/generate", generate(R"({"num_predict":-3})")), 400, "'num_predict' is -3; it must be between -2 and 1048576");
    expect_error(post("/api/generate", generate(R"({"num_ctx":-1})")), 400, "'num_ctx' is -1; it must be between 1 and 1048576");
    expect_error(post("/api/generate", generate(R"({"num_ctx":4294967296})")), 400, "'num_ctx' is 4294967296; it must be between 1 and 1048576");
    expect_error(post("/api/generate", generate(R"({"repeat_last_n":-2})")), 400, "'repeat_last_n' is -2; it must be between -1 and 1048576");
    expect_error(post("/api/generate", generate(R"({"top_k":-1})")), 400, "'top_k' is -1; it must be between 0 and 1048576");
    expect_error(post("/api/generate", generate(R"({"num_thread":-4})")), 400, "'num_thread' is -4; it must be between 0 and 1024");
    expect_error(post("/api/generate", generate(R"({"temperature":-1})")), 400, "'temperature' is -1; it must be between 0.0 and 100.0");
}

TEST_F(server_attack, deep_json_nesting_is_400) {
    expect_error(post("/api/chat", std::string(60000, '[')), 400, "the request body nests JSON deeper than 64 levels");
    expect_error(post("/v1/chat/completions", std::string(60000, '{')), 400, "the request body nests JSON deeper than 64 levels");
    std::string nested = R"({"model":"tiny:latest","messages":[{"role":"user","content":"x"}],"logit_bias":)";
    for (int i = 0; i < 100; ++i) nested += "{\"a\":";
    nested += "1" + std::string(100, '}') + "}";
    expect_error(post("/v1/chat/completions", nested), 400, "the request body nests JSON deeper than 64 levels");
}

TEST_F(server_attack, oversize_body_is_413) {
    expect_error(post("/api/generate", completion(",\"x\":\"" + std::string(k_max_body * 4, 'x') + "\"")), 413,
                 "the request body is too large (at most 65536 bytes)");
}

TEST_F(server_attack, prompt_longer_than_the_context_is_400) {
    std::string words;
    for (int i = 0; i < k_ctx * 4; ++i) words += "word ";
    expect_error(post("/api/generate", R"({"model":"tiny:latest","stream":false,"prompt":")" + words + "\"}"), 400,
                 "the prompt is 1552 tokens but the context is 128 (prompt plus at least one generated token must fit)");
    expect_error(post("/v1/completions", R"({"model":"tiny:latest","prompt":")" + words + "\"}"), 400, "the prompt is 1537 tokens but the context is 128 (prompt plus at least one generated token must fit)");
}

TEST_F(server_attack, bad_logit_bias_ids_are_400) {
    expect_error(post("/v1/completions", completion(R"(,"logit_bias":{"99999999":1})")), 400, "logit_bias names token 99999999, outside the vocabulary [0, 1024)");
    expect_error(post("/v1/completions", completion(R"(,"logit_bias":{"-1":1})")), 400, "'logit_bias' key \"-1\" is not a token id");
    expect_error(post("/v1/completions", completion(R"(,"logit_bias":{"abc":1})")), 400, "'logit_bias' key \"abc\" is not a token id");
    expect_error(post("/v1/completions", completion(R"(,"logit_bias":{"1":"x"})")), 400, "'logit_bias' values must be numbers");
    expect_error(post("/v1/completions", completion(R"(,"logit_bias":{"1":1e999})")), 400, "the request body is not valid JSON: [json.exception.out_of_range.406] number overflow parsing '1e999'");
}

TEST_F(server_attack, unknown_model_is_404_with_one_message) {
    expect_error(post("/api/generate", R"({"model":"ghost:latest","prompt":"x","stream":false})"), 404, "model 'ghost:latest' not found, try pulling it first");
    expect_error(post("/v1/completions", R"({"model":"ghost","prompt":"x"})"), 404, "model 'ghost:latest' not found, try pulling it first");
    // Existence oracle: a name that exists as a directory or file on the server
    // gets the same answer as one that does not.
    fs::create_directories(g_server->dir + "/store/manifests/library/probe");
    expect_error(post("/api/show", R"({"model":"probe"})"), 404, "model 'probe:latest' not found, try pulling it first");
    expect_error(post("/api/show", R"({"model":"ghost"})"), 404, "model 'ghost:latest' not found, try pulling it first");
    expect_error(client().Delete("/api/delete", auth(), R"({"model":"probe"})", "application/json"), 404,
                 "model 'probe:latest' not found");
    expect_error(client().Delete("/api/delete", auth(), R"({"model":"ghost"})", "application/json"), 404,
                 "model 'ghost:latest' not found");
}

TEST_F(server_attack, traversal_in_names_is_400) {
    const std::vector<std::pair<std::string, std::string>> names = {
        {"../../etc/passwd", "only one '/' is allowed"}, {"..", "the model part is not allowed"},
        {"a/b/c", "only one '/' is allowed"},          {"library/../x", "only one '/' is allowed"},
        {"x:../../y", "the tag is not allowed"},       {"/etc/passwd", "only one '/' is allowed"},
        {"x\\..\\y", "the model part is not allowed"},  {"model:tag/..", "the tag is not allowed"},
        {"%2e%2e%2fetc", "the model part is not allowed"}};
    const std::string grammar = " (expected [namespace/]model[:tag] with letters, digits, '_', '.', '-')";
    for (const auto& [name, why] : names) {
        SCOPED_TRACE(name);
        const std::string body = nlohmann::json{{"model", name}}.dump();
        const std::string message = "invalid model name \"" + name + "\": " + why + grammar;
        expect_error(post("/api/show", body), 400, message);
        expect_error(client().Delete("/api/delete", auth(), body, "application/json"), 400, message);
    }
    // A NUL in the name is refused, and not echoed raw.
    expect_error(post("/api/show", std::string(R"({"model":"x\u0000y"})")), 400,
                 "invalid model name \"x?y\": the model part is not allowed" + grammar);
}

TEST_F(server_attack, traversal_in_digests_is_400) {
    for (const char* digest : {"sha256:../../../etc/passwd", "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/",
                               "sha512:00", "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"}) {
        SCOPED_TRACE(digest);
        const std::string body =
            nlohmann::json{{"model", "http://127.0.0.1:1/x.gguf"}, {"digest", digest}, {"stream", false}}.dump();
        expect_error(post("/api/pull", body), 400,
                     "invalid digest \"" + std::string(digest) + "\" (expected sha256: and 64 lowercase hex digits)");
    }
}

TEST_F(server_attack, pull_refuses_non_http_urls) {
    for (const char* url : {"file:///etc/passwd", "/etc/passwd", "gopher://127.0.0.1/x", "ftp://127.0.0.1/x"}) {
        SCOPED_TRACE(url);
        expect_error(post("/api/pull", nlohmann::json{{"model", url}, {"stream", false}}.dump()), 400,
                     "pull takes an http:// or https:// URL of a GGUF file here (no registry is configured); local "
                     "files are added with `holo pull PATH` on the server");
    }
}

TEST_F(server_attack, foreign_host_header_is_403) {
    expect_error(client().Get("/api/tags", auth({{"Host", "evil.example"}})), 403, "the Host header \"evil.example\" is not allowed for a server bound to 127.0.0.1 (use localhost or 127.0.0.1)");
    expect_error(client().Get("/api/tags", auth({{"Host", "127.0.0.1.evil.example:11434"}})), 403, "the Host header \"127.0.0.1.evil.example:11434\" is not allowed for a server bound to 127.0.0.1 (use localhost or 127.0.0.1)");
    expect_error(client().Get("/health", {{"Host", "evil.example"}}), 403, "the Host header \"evil.example\" is not allowed for a server bound to 127.0.0.1 (use localhost or 127.0.0.1)");
}

TEST_F(server_attack, api_key_is_enforced) {
    expect_error(client().Get("/api/tags"), 401, "missing or wrong API key (send Authorization: Bearer KEY)");
    expect_error(client().Get("/api/tags", {{"Authorization", "Bearer wrong"}}), 401, "missing or wrong API key (send Authorization: Bearer KEY)");
    expect_error(client().Get("/v1/models", {{"Authorization", std::string("Basic ") + k_key}}), 401, "missing or wrong API key (send Authorization: Bearer KEY)");
    expect_error(post("/api/generate", R"({"model":"tiny:latest","prompt":"x"})", {}), 401, "missing or wrong API key (send Authorization: Bearer KEY)");
    auto ok = client().Get("/api/tags", auth());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
}

TEST_F(server_attack, cors_is_closed_by_default) {
    httplib::Headers pre = {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers", "authorization,content-type"}};
    auto r = client().Options("/v1/chat/completions", pre);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << r->get_header_value("Access-Control-Allow-Origin");
    EXPECT_NE(r->status, 200) << "preflight from a foreign origin must not succeed";
    expect_error(post("/v1/completions", completion(""), auth({{"Origin", "https://evil.example"}})), 403,
                 "requests from the web origin \"https://evil.example\" are not allowed (see --allow-origin)");
}

TEST_F(server_attack, no_rpc_or_unknown_endpoints) {
    expect_error(post("/rpc", "{}"), 404, "no such endpoint: POST /rpc");
    expect_error(client().Get("/../../etc/passwd", auth()), 404, "no such endpoint: GET /../../etc/passwd");
    expect_error(post("/api/create", R"({"model":"x"})"), 404, "no such endpoint: POST /api/create");
}

}  // namespace
}  // namespace holo
