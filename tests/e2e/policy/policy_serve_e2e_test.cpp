// `holo serve --rules` end to end: two tiny synth models in a store (a qwen3moe
// as the "big" model, a qwen2 as the "small" one), a fake state root whose
// battery the test rewrites between requests, and requests for the virtual model
// `auto` through the OpenAI and Ollama APIs. Each answer must come from the model
// the rules pick (response header and body), and no request may fail while the
// server switches models, including a stream that is running during a switch.
// Loopback only; every wait is bounded.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "model/synth.h"
#include "server/model_store.h"
#include "test_util.h"

namespace holo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;

class policy_serve_e2e : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(holo_bin())) GTEST_SKIP() << holo_bin() << " is not built (ninja holo)";
        dir_ = test::temp_path(std::string("policy_serve_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        server::model_store store(dir_ + "/store");
        for (auto [preset, name] : {std::pair{"tiny-qwen3moe", "big"}, std::pair{"tiny-qwen2", "small"}}) {
            synth_options o;
            o.preset = preset;
            o.type = "q8_0";
            o.output_path = dir_ + "/" + name + ".gguf";
            o.progress = false;
            auto w = write_synth_model(o);
            ASSERT_TRUE(w.ok()) << preset << ": " << w.message();
            auto imp = store.import_file(name, o.output_path);
            ASSERT_TRUE(imp.ok()) << imp.message();
        }
        root_ = dir_ + "/state";
        fs::create_directories(root_ + "/sys/class/power_supply/BAT0");
        std::ofstream(root_ + "/sys/class/power_supply/BAT0/type") << "Battery\n";
        std::ofstream(root_ + "/sys/class/power_supply/BAT0/status") << "Discharging\n";
        set_battery(90);
        std::ofstream(dir_ + "/rules.yaml") << "hysteresis:\n"
                                               "  battery: 5\n"
                                               "rules:\n"
                                               "  - name: low-battery\n"
                                               "    when: battery < 30 and not charging\n"
                                               "    model: small:latest\n"
                                               "    gpu_layers: 99\n"
                                               "default:\n"
                                               "  model: big:latest\n";

        log_ = dir_ + "/serve.log";
        // The big model is also served by path, so no default model is needed.
        std::vector<std::string> args = {holo_bin(), "serve", dir_ + "/big.gguf", "--host", "127.0.0.1", "--port", "0",
                                         "--parallel", "2", "--ctx", "256", "--threads", "2",
                                         "--models", dir_ + "/store", "--rules", dir_ + "/rules.yaml",
                                         "--state-root", root_};
        const test::spawned_server sp = test::spawn_server(args, log_, 30);
        pid_ = sp.pid;
        ASSERT_GT(pid_, 0) << "could not start holo serve";
        port_ = sp.port;
        ASSERT_NE(port_, 0) << "holo serve did not report its port; log:\n" << test::slurp(log_);
    }

    void TearDown() override {
        test::stop_process(pid_);
    }

    static std::string holo_bin() { return test::binary_dir() + "/holo"; }

    void set_battery(int pct) {
        // Write then rename so the server never reads a half-written file.
        std::string tmp = root_ + "/sys/class/power_supply/BAT0/.capacity";
        std::ofstream(tmp) << pct << "\n";
        fs::rename(tmp, root_ + "/sys/class/power_supply/BAT0/capacity");
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_connection_timeout(5, 0);
        c.set_read_timeout(120, 0);
        return c;
    }

    // One OpenAI chat request to `auto`; returns the model that answered (header).
    std::string ask_openai(const std::string& body_model_expect_note) {
        auto c = client();
        json body = {{"model", "auto"},
                     {"messages", json::array({{{"role", "user"}, {"content", "hello"}}})},
                     {"max_tokens", 4},
                     {"temperature", 0}};
        auto res = c.Post("/v1/chat/completions", body.dump(), "application/json");
        if (!res) {
            ADD_FAILURE() << body_model_expect_note << ": no response";
            return {};
        }
        EXPECT_EQ(res->status, 200) << body_model_expect_note << ": " << res->body << "\nlog:\n" << test::slurp(log_);
        auto j = json::parse(res->body, nullptr, false);
        std::string header = res->get_header_value("X-Holobiont-Model");
        if (!j.is_discarded() && j.contains("model")) {
            EXPECT_EQ(j["model"], header) << "the body names a different model than the header";
        }
        EXPECT_FALSE(res->get_header_value("X-Holobiont-Rule").empty());
        return header;
    }

    std::string dir_, root_, log_;
    pid_t pid_ = -1;
    int port_ = 0;
};

TEST_F(policy_serve_e2e, auto_follows_the_battery_with_hysteresis) {
    struct step { int battery; const char* expect; };
    // 90: big; 20: small; 32 (within the 5-point margin above 30): still small;
    // 40: big again; 28: small; 95: big.
    const step steps[] = {{90, "big:latest"}, {20, "small:latest"}, {32, "small:latest"},
                          {40, "big:latest"}, {28, "small:latest"}, {95, "big:latest"}};
    for (const auto& s : steps) {
        set_battery(s.battery);
        EXPECT_EQ(ask_openai("battery " + std::to_string(s.battery)), s.expect) << "battery " << s.battery;
    }
    // The Ollama API routes too, and names the chosen model in its body.
    set_battery(10);
    auto c = client();
    json body = {{"model", "auto"}, {"prompt", "hi"}, {"stream", false}, {"options", {{"num_predict", 3}}}};
    auto res = c.Post("/api/generate", body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("X-Holobiont-Model"), "small:latest");
    EXPECT_EQ(res->get_header_value("X-Holobiont-Rule"), "low-battery");
    EXPECT_EQ(res->get_header_value("X-Holobiont-Placement"), "gpu_layers=99");
    auto j = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << res->body;
    EXPECT_EQ(j.value("model", ""), "small:latest");
    // Named models are not routed.
    body["model"] = "big";
    res = c.Post("/api/generate", body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_TRUE(res->get_header_value("X-Holobiont-Model").empty());
    const std::string log = test::slurp(log_);
    EXPECT_NE(log.find("rule 'low-battery'"), std::string::npos) << "the log names the rule:\n" << log;
}

TEST_F(policy_serve_e2e, a_stream_running_during_a_switch_finishes_on_its_model) {
    set_battery(90);
    // A stream on the big model; when its first chunk arrives (it is generating),
    // the battery drops and three requests for `auto` go out: they are routed to
    // the small model at once, and wait for the stream to end before it loads.
    std::vector<std::future<std::string>> after;
    std::string got;
    auto c = client();
    httplib::Request rq;
    rq.method = "POST";
    rq.path = "/v1/chat/completions";
    rq.set_header("Content-Type", "application/json");
    rq.body = json{{"model", "auto"},
                   {"messages", json::array({{{"role", "user"}, {"content", "tell me a story"}}})},
                   {"max_tokens", 160},
                   {"stream", true}}
                  .dump();
    rq.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        got.append(data, n);
        if (after.empty()) {
            set_battery(15);
            for (int i = 0; i < 3; ++i) {
                after.push_back(std::async(std::launch::async, [this] { return ask_openai("after the drop"); }));
            }
        }
        return true;
    };
    auto res = c.send(rq);
    ASSERT_TRUE(res) << "the stream got no response; log:\n" << test::slurp(log_);
    EXPECT_EQ(res->status, 200) << got;
    EXPECT_EQ(res->get_header_value("X-Holobiont-Model"), "big:latest");
    EXPECT_NE(got.find("data: [DONE]"), std::string::npos) << "the stream was cut:\n" << got;
    EXPECT_EQ(got.find("\"error\""), std::string::npos) << "the stream carried an error:\n" << got;
    ASSERT_EQ(after.size(), 3u) << "the stream sent no chunk";
    for (auto& f : after) {
        ASSERT_EQ(f.wait_for(180s), std::future_status::ready) << "a request after the switch hung";
        EXPECT_EQ(f.get(), "small:latest");
    }
    ASSERT_EQ(kill(pid_, 0), 0) << "the server died; log:\n" << test::slurp(log_);
    const std::string log = test::slurp(log_);
    EXPECT_NE(log.find("-> small:latest (switched)"), std::string::npos) << log;
}

}  // namespace
}  // namespace holo
