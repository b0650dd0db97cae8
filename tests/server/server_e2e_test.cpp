// `holo serve` end to end: spawns build/holo serve on a tiny synth model on a free
// loopback port (with an API key, two slots, a small body cap), then runs the Node
// scripts in tests/e2e/server/ with the real `openai` and `ollama` clients and
// raw HTTP (api.mjs), and the web page in Debian's Chromium (page.mjs). Skips with
// the reason when node, the npm packages or chromium are missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "model/synth.h"
#include "test_util.h"

namespace holo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* k_key = "e2e-test-key";

class server_e2e : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new std::string(test::temp_path("serve_e2e"));
        fs::create_directories(*dir_);
        model_path_ = new std::string(*dir_ + "/tiny.gguf");
        synth_options o;
        o.preset = "tiny-qwen3moe";
        o.type = "q8_0";
        o.output_path = *model_path_;
        o.progress = false;
        made_ = write_synth_model(o).ok();
        if (!made_ || !fs::exists(holo_bin())) return;

        log_ = new std::string(*dir_ + "/serve.log");
        std::vector<std::string> args = {holo_bin(), "serve", *model_path_, "--host", "127.0.0.1", "--port", "0",
                                         "--parallel", "2", "--ctx", "1024", "--threads", "2",
                                         "--models", *dir_ + "/store", "--api-key", k_key, "--max-body", "65536"};
        const test::spawned_server sp = test::spawn_server(args, *log_, 30);
        pid_ = sp.pid;
        if (sp.port > 0) url_ = new std::string("http://127.0.0.1:" + std::to_string(sp.port));
    }
    static void TearDownTestSuite() {
        test::stop_process(pid_);
    }
    static std::string holo_bin() { return test::binary_dir() + "/holo"; }
    static std::string e2e_dir() { return test::source_dir() + "/tests/e2e/server"; }

    void SetUp() override {
        if (!fs::exists(holo_bin())) GTEST_SKIP() << holo_bin() << " is not built (ninja holo)";
        ASSERT_TRUE(made_) << "could not write the tiny synth model";
        ASSERT_GT(pid_, 0) << "could not start holo serve";
        ASSERT_NE(url_, nullptr) << "holo serve did not report its port; log:\n" << test::slurp(*log_);
        if (test::run_command("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    }
    void need_packages(std::initializer_list<const char*> pkgs) {
        for (const char* p : pkgs) {
            if (!fs::exists(test::source_dir() + "/tests/node_modules/" + p)) {
                GTEST_SKIP() << "npm package " << p << " is missing (scripts/setup installs tests/package.json)";
            }
        }
    }

    static std::string* dir_;
    static std::string* model_path_;
    static std::string* log_;
    static std::string* url_;
    static bool made_;
    static pid_t pid_;
};
std::string* server_e2e::dir_ = nullptr;
std::string* server_e2e::model_path_ = nullptr;
std::string* server_e2e::log_ = nullptr;
std::string* server_e2e::url_ = nullptr;
bool server_e2e::made_ = false;
pid_t server_e2e::pid_ = -1;

TEST_F(server_e2e, openai_and_ollama_clients_and_bad_input) {
    need_packages({"openai", "ollama"});
    std::string out;
    const int rc = test::run_command("timeout 240 node " + e2e_dir() + "/api.mjs " + *url_ + " " + k_key +
                                         " tiny:latest " + *model_path_ + " 2>&1",
                                     &out);
    std::printf("%s", out.c_str());
    EXPECT_EQ(rc, 0) << "api.mjs failed:\n" << out << "\nserver log:\n" << test::slurp(*log_);
    EXPECT_NE(out.find("checks passed"), std::string::npos);
    // The server survived everything above.
    ASSERT_EQ(kill(pid_, 0), 0) << "the server died; log:\n" << test::slurp(*log_);
}

TEST_F(server_e2e, web_page_in_chromium) {
    need_packages({"playwright-core"});
    if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium is missing (apt-get install chromium)";
    const std::string shot = *dir_ + "/page.png";
    const std::string profile = *dir_ + "/chromium-profile";
    std::string out;
    const int rc = test::run_command("timeout 120 node " + e2e_dir() + "/page.mjs " + *url_ + " " + k_key +
                                         " tiny:latest " + shot + " " + profile + " 2>&1",
                                     &out);
    std::printf("%s", out.c_str());
    EXPECT_EQ(rc, 0) << out << "\nserver log:\n" << test::slurp(*log_);
    EXPECT_TRUE(fs::exists(shot) && fs::file_size(shot) > 1000) << "no screenshot at " << shot;
    // Keep the screenshot where a person can look at it.
    std::error_code ec;
    fs::copy_file(shot, test::binary_dir() + "/server_page.png", fs::copy_options::overwrite_existing, ec);
}

}  // namespace
}  // namespace holo
