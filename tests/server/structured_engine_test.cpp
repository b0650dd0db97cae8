// Constrained decoding through the engine on a tiny random synth model: whatever
// its (meaningless) logits want, a json_schema reply parses and matches the schema,
// a json_object reply is an object even when max_tokens is tight, and a forced tool
// call comes out in the template family's form with arguments that match the
// function's parameters.
#include <gtest/gtest.h>

#include <chrono>

#include "runtime/json_schema.h"
#include "server/engine.h"
#include "server/tool_calls.h"
#include "channel_drain.h"
#include "test_util.h"

namespace holo::server {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

using test_support::outcome;

outcome drain(task_channel& ch) { return test_support::drain(ch, 120s); }

class structured_engine : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        path_ = new std::string(test::write_tiny_model("structured_tiny.gguf"));
        made_ = !path_->empty();
    }
    void SetUp() override {
        ASSERT_TRUE(made_);
        engine_options eo;
        eo.n_parallel = 2;
        eo.n_threads = 2;
        eo.n_ctx = 1024;
        eng_ = std::make_unique<engine>(eo, metrics_);
    }
    static gen_request chat(uint64_t seed, int64_t max_tokens) {
        gen_request r;
        r.model = "tiny";
        r.chat = true;
        r.messages = json::array({{{"role", "user"}, {"content", "Describe a pet as JSON."}}});
        r.max_tokens = max_tokens;
        r.sampling.temperature = seed % 3 == 0 ? 0.0f : 1.0f;
        r.sampling.top_k = 0;
        r.sampling.top_p = 1.0f;
        r.sampling.min_p = 0.0f;
        r.sampling.seed = seed;
        r.seed_given = true;
        return r;
    }
    outcome run(gen_request r) { return drain(*eng_->submit(std::move(r), model_ref{"tiny:latest", *path_, "", 0}).value()); }

    static std::string* path_;
    static bool made_;
    metrics metrics_;
    std::unique_ptr<engine> eng_;
};
std::string* structured_engine::path_ = nullptr;
bool structured_engine::made_ = false;

TEST_F(structured_engine, json_schema_replies_match_the_schema) {
    const ojson schema = ojson::parse(R"({"type":"object","properties":{
        "name":{"type":"string","maxLength":8},"age":{"type":"integer"},
        "kind":{"enum":["cat","dog"]},"tags":{"type":"array","items":{"type":"boolean"},"maxItems":2}},
        "required":["name","age","kind"]})");
    for (uint64_t seed = 0; seed < 6; ++seed) {
        gen_request r = chat(seed, 60);
        r.constraint = compile_json_schema(schema).value();
        const outcome o = run(std::move(r));
        ASSERT_TRUE(o.ok) << o.error;
        EXPECT_EQ(o.stats.finish, "stop") << o.text;  // the document closed; no end token needed
        json v = json::parse(o.text, nullptr, false);
        ASSERT_FALSE(v.is_discarded()) << "seed " << seed << ": " << o.text;
        ASSERT_TRUE(v.is_object()) << o.text;
        ASSERT_TRUE(v.contains("name") && v["name"].is_string()) << o.text;
        EXPECT_LE(v["name"].get<std::string>().size(), 8u * 4);
        ASSERT_TRUE(v.contains("age") && v["age"].is_number_integer()) << o.text;
        ASSERT_TRUE(v.contains("kind") && (v["kind"] == "cat" || v["kind"] == "dog")) << o.text;
        if (v.contains("tags")) {
            ASSERT_TRUE(v["tags"].is_array() && v["tags"].size() <= 2) << o.text;
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            EXPECT_TRUE(it.key() == "name" || it.key() == "age" || it.key() == "kind" || it.key() == "tags") << it.key();
        }
    }
}

TEST_F(structured_engine, json_object_fits_a_tight_token_budget) {
    for (uint64_t seed = 0; seed < 4; ++seed) {
        gen_request r = chat(seed, 12);
        r.constraint = any_object_grammar();
        const outcome o = run(std::move(r));
        ASSERT_TRUE(o.ok) << o.error;
        EXPECT_LE(o.stats.n_gen, 12);
        json v = json::parse(o.text, nullptr, false);
        ASSERT_FALSE(v.is_discarded()) << "seed " << seed << ": " << o.text;
        EXPECT_TRUE(v.is_object()) << o.text;
    }
}

TEST_F(structured_engine, forced_tool_call_matches_the_parameters) {
    const ojson tools = ojson::parse(R"([
        {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
         "parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":12},"unit":{"enum":["celsius","fahrenheit"]}},
                       "required":["city","unit"]}}},
        {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}])");
    for (const char* choice : {"function", "required"}) {
        for (uint64_t seed = 0; seed < 3; ++seed) {
            gen_request r = chat(seed, 160);
            r.tools = tools;
            r.tool_choice = choice;
            r.tool_name = std::string(choice) == "function" ? "get_weather" : "";
            const outcome o = run(std::move(r));
            ASSERT_TRUE(o.ok) << o.error;
            EXPECT_EQ(o.stats.tool_format, "hermes");  // the synth model's ChatML template
            const parsed_reply p = parse_tool_calls(tool_format::hermes, o.text);
            ASSERT_EQ(p.calls.size(), 1u) << choice << " seed " << seed << " (" << o.stats.finish << ", " << o.stats.n_gen << " tokens): " << o.text;
            const json args = json::parse(p.calls[0].arguments, nullptr, false);
            ASSERT_TRUE(args.is_object()) << p.calls[0].arguments;
            if (p.calls[0].name == "get_weather") {
                EXPECT_TRUE(args["city"].is_string()) << p.calls[0].arguments;
                EXPECT_TRUE(args["unit"] == "celsius" || args["unit"] == "fahrenheit") << p.calls[0].arguments;
            } else {
                EXPECT_EQ(std::string(choice), "required");
                EXPECT_EQ(p.calls[0].name, "get_time");
            }
        }
    }
}

}  // namespace
}  // namespace holo::server
