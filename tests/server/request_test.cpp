// Request parsing: every out-of-range or mistyped parameter is refused with a
// message naming it (the parameter table of shared/SECURITY.md), good requests
// map to the sampler settings they ask for, and the JSON guard refuses deep
// nesting and malformed bodies before the parser recurses.
#include <gtest/gtest.h>

#include <string>

#include "server/json_body.h"
#include "server/request.h"

namespace holo::server {
namespace {

using json = nlohmann::json;

json chat_body() {
    return json{{"model", "m"}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
}

TEST(request, openai_chat_defaults_and_values) {
    json b = chat_body();
    b["temperature"] = 0.5;
    b["top_p"] = 0.9;
    b["max_tokens"] = 7;
    b["stop"] = "END";
    b["seed"] = 11;
    b["stream"] = true;
    b["stream_options"] = {{"include_usage", true}};
    b["presence_penalty"] = 0.25;
    b["frequency_penalty"] = -0.5;
    b["logit_bias"] = {{"42", -100}, {"7", 3.5}};
    auto r = parse_openai_chat(b);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_TRUE(r->chat);
    EXPECT_FLOAT_EQ(r->sampling.temperature, 0.5f);
    EXPECT_FLOAT_EQ(r->sampling.top_p, 0.9f);
    EXPECT_EQ(r->max_tokens, 7);
    ASSERT_EQ(r->stop.size(), 1u);
    EXPECT_EQ(r->stop[0], "END");
    EXPECT_TRUE(r->seed_given);
    EXPECT_EQ(r->sampling.seed, 11u);
    EXPECT_TRUE(r->stream);
    EXPECT_TRUE(r->include_usage);
    EXPECT_FLOAT_EQ(r->sampling.presence_penalty, 0.25f);
    EXPECT_FLOAT_EQ(r->sampling.frequency_penalty, -0.5f);
    EXPECT_EQ(r->logit_bias.size(), 2u);
    EXPECT_EQ(r->messages.size(), 1u);
    EXPECT_EQ(r->messages[0]["content"], "hi");

    // max_completion_tokens wins over max_tokens.
    b["max_completion_tokens"] = 3;
    EXPECT_EQ(parse_openai_chat(b)->max_tokens, 3);
}

TEST(request, openai_content_parts_are_joined) {
    json b = chat_body();
    b["messages"][0]["content"] = json::array({{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}});
    auto r = parse_openai_chat(b);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r->messages[0]["content"], "ab");
}

struct bad_case {
    const char* what;
    json patch;           // merged into a valid body
    const char* mention;  // the message must name this
};

TEST(request, openai_out_of_range_parameters_are_refused) {
    const bad_case cases[] = {
        {"negative max_tokens", {{"max_tokens", -1}}, "max_tokens"},
        {"zero max_tokens", {{"max_tokens", 0}}, "max_tokens"},
        {"huge max_tokens", {{"max_tokens", 1e12}}, "max_tokens"},
        {"overflowing max_tokens", {{"max_tokens", 18446744073709551615ull}}, "max_tokens"},
        {"fractional max_tokens", {{"max_tokens", 1.5}}, "max_tokens"},
        {"string max_tokens", {{"max_tokens", "10"}}, "max_tokens"},
        {"negative temperature", {{"temperature", -0.1}}, "temperature"},
        {"huge temperature", {{"temperature", 1e30}}, "temperature"},
        {"top_p above 1", {{"top_p", 1.5}}, "top_p"},
        {"negative top_k", {{"top_k", -5}}, "top_k"},
        {"presence penalty", {{"presence_penalty", 3}}, "presence_penalty"},
        {"frequency penalty", {{"frequency_penalty", -9}}, "frequency_penalty"},
        {"n = 2", {{"n", 2}}, "'n'"},
        {"stop not string", {{"stop", 5}}, "stop"},
        {"empty stop", {{"stop", json::array({""})}}, "stop"},
        {"too many stops", {{"stop", json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"})}}, "stop"},
        {"logit_bias key", {{"logit_bias", {{"abc", 1}}}}, "logit_bias"},
        {"logit_bias negative id", {{"logit_bias", {{"-3", 1}}}}, "logit_bias"},
        {"logit_bias value", {{"logit_bias", {{"3", 500}}}}, "logit_bias"},
        {"stream not bool", {{"stream", "yes"}}, "stream"},
        {"tool without function", {{"tools", json::array({{{"type", "function"}}})}}, "'function'"},
        {"tool name", {{"tools", json::array({{{"type", "function"}, {"function", {{"name", "a b"}}}}})}}, "function.name"},
        {"tool schema keyword", json::parse(R"({"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"type":"string","pattern":"^a"}}}}}]})"), "'pattern'"},
        {"tool_choice without tools", {{"tool_choice", "required"}}, "tool_choice"},
        {"tool_choice unknown function", {{"tools", json::array({{{"type", "function"}, {"function", {{"name", "f"}}}}})}, {"tool_choice", {{"type", "function"}, {"function", {{"name", "g"}}}}}}, "'g'"},
        {"response_format type", {{"response_format", {{"type", "yaml"}}}}, "response_format"},
        {"response_format schema keyword", {{"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "x"}, {"schema", {{"type", "number"}, {"minimum", 0}}}}}}}}, "'minimum'"},
        {"tool_calls on a user turn", {{"messages", json::array({{{"role", "user"}, {"content", "x"}, {"tool_calls", json::array({{{"function", {{"name", "f"}}}}})}}})}}, "tool_calls"},
        {"model missing", {{"model", ""}}, "model"},
        {"messages not array", {{"messages", "hi"}}, "messages"},
        {"messages empty", {{"messages", json::array()}}, "messages"},
        {"bad role", {{"messages", json::array({{{"role", "root"}, {"content", "x"}}})}}, "role"},
        {"content number", {{"messages", json::array({{{"role", "user"}, {"content", 5}}})}}, "content"},
        {"image part", {{"messages", json::array({{{"role", "user"}, {"content", json::array({{{"type", "image_url"}}})}}})}}, "image_url"},
    };
    for (const auto& c : cases) {
        json b = chat_body();
        b.update(c.patch);
        auto r = parse_openai_chat(b);
        ASSERT_FALSE(r.ok()) << c.what << " was accepted";
        EXPECT_NE(r.message().find(c.mention), std::string::npos) << c.what << ": " << r.message();
    }
}

TEST(request, openai_completion_prompt) {
    auto r = parse_openai_completion(json{{"model", "m"}, {"prompt", "Once"}});
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_FALSE(r->chat);
    EXPECT_EQ(r->prompt, "Once");
    EXPECT_EQ(r->max_tokens, 16);  // OpenAI's default for completions
    EXPECT_FALSE(parse_openai_completion(json{{"model", "m"}}).ok());
    EXPECT_FALSE(parse_openai_completion(json{{"model", "m"}, {"prompt", json::array({1, 2})}}).ok());
}

TEST(request, ollama_options) {
    json b = {{"model", "m"}, {"prompt", "p"}, {"stream", false},
              {"options", {{"num_ctx", 256}, {"num_predict", 5}, {"temperature", 0}, {"top_k", 3}, {"top_p", 0.5},
                           {"min_p", 0.1}, {"seed", 9}, {"stop", json::array({"x"})}, {"repeat_penalty", 1.2},
                           {"num_thread", 2}}}};
    auto r = parse_ollama_generate(b);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_FALSE(r->stream);
    EXPECT_EQ(r->num_ctx, 256);
    EXPECT_EQ(r->max_tokens, 5);
    EXPECT_FLOAT_EQ(r->sampling.temperature, 0.0f);
    EXPECT_EQ(r->sampling.top_k, 3);
    EXPECT_FLOAT_EQ(r->sampling.top_p, 0.5f);
    EXPECT_FLOAT_EQ(r->sampling.min_p, 0.1f);
    EXPECT_EQ(r->sampling.seed, 9u);
    EXPECT_FLOAT_EQ(r->sampling.repeat_penalty, 1.2f);
    EXPECT_TRUE(r->use_template);
    // Ollama streams by default; num_predict -1 and -2 mean "until the context is full".
    json s = {{"model", "m"}, {"prompt", "p"}, {"options", {{"num_predict", -2}}}};
    EXPECT_TRUE(parse_ollama_generate(s)->stream);
    EXPECT_EQ(parse_ollama_generate(s)->max_tokens, -1);
    EXPECT_TRUE(parse_ollama_generate(json{{"model", "m"}, {"prompt", "p"}, {"raw", true}})->raw);
}

TEST(request, ollama_out_of_range_options_are_refused) {
    const bad_case cases[] = {
        {"num_predict -3", {{"num_predict", -3}}, "num_predict"},
        {"num_predict huge", {{"num_predict", 1e15}}, "num_predict"},
        {"num_ctx 0", {{"num_ctx", 0}}, "num_ctx"},
        {"num_ctx negative", {{"num_ctx", -4096}}, "num_ctx"},
        {"top_k negative", {{"top_k", -1}}, "top_k"},
        {"temperature negative", {{"temperature", -1}}, "temperature"},
        {"top_p 2", {{"top_p", 2}}, "top_p"},
        {"min_p -1", {{"min_p", -1}}, "min_p"},
        {"repeat_penalty 0", {{"repeat_penalty", 0}}, "repeat_penalty"},
        {"num_thread huge", {{"num_thread", 100000}}, "num_thread"},
        {"stop wrong type", {{"stop", json::object()}}, "stop"},
    };
    for (const auto& c : cases) {
        json b = {{"model", "m"}, {"prompt", "p"}, {"options", c.patch}};
        auto r = parse_ollama_generate(b);
        ASSERT_FALSE(r.ok()) << c.what << " was accepted";
        EXPECT_NE(r.message().find(c.mention), std::string::npos) << c.what << ": " << r.message();
    }
    EXPECT_FALSE(parse_ollama_generate(json{{"model", "m"}, {"options", "x"}}).ok());
    EXPECT_FALSE(parse_ollama_chat(json{{"model", "m"}}).ok());
    EXPECT_FALSE(parse_ollama_generate(json{{"model", "m"}, {"format", "yaml"}}).ok());
    EXPECT_FALSE(parse_ollama_generate(json{{"model", "m"}, {"format", {{"type", "string"}, {"pattern", "x"}}}}).ok());
}

TEST(request, structured_outputs_and_tools) {
    auto g = parse_ollama_generate(json{{"model", "m"}, {"prompt", "p"}, {"format", "json"}});
    ASSERT_TRUE(g.ok()) << g.message();
    EXPECT_TRUE(g->constraint);
    json b = chat_body();
    b["response_format"] = {{"type", "json_schema"}, {"json_schema", {{"name", "p"}, {"strict", true}, {"schema", {{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}, {"required", {"a"}}}}}}};
    auto r = parse_openai_chat(b);
    ASSERT_TRUE(r.ok()) << r.message();
    ASSERT_TRUE(r->constraint);
    EXPECT_EQ(r->constraint->nodes[size_t(r->constraint->root)].props.size(), 1u);
    EXPECT_FALSE(parse_openai_chat(chat_body()).value().constraint);  // no response_format: free text

    // Tools, a named tool_choice, and a conversation with a call and its result.
    json t = chat_body();
    t["tools"] = json::array({{{"type", "function"}, {"function", {{"name", "get_weather"}, {"description", "d"},
                               {"parameters", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}}}});
    t["tool_choice"] = {{"type", "function"}, {"function", {{"name", "get_weather"}}}};
    t["messages"].push_back({{"role", "assistant"}, {"content", nullptr},
                             {"tool_calls", json::array({{{"id", "call_1"}, {"type", "function"},
                                                          {"function", {{"name", "get_weather"}, {"arguments", "{\"city\":\"Oslo\"}"}}}}})}});
    t["messages"].push_back({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "sunny"}});
    auto tr = parse_openai_chat(t);
    ASSERT_TRUE(tr.ok()) << tr.message();
    EXPECT_TRUE(tr->tools_active());
    EXPECT_EQ(tr->tool_choice, "function");
    EXPECT_EQ(tr->tool_name, "get_weather");
    const json& asst = tr->messages[tr->messages.size() - 2];
    EXPECT_TRUE(asst["content"].is_null());
    EXPECT_EQ(asst["tool_calls"][0]["function"]["arguments"]["city"], "Oslo");  // the JSON string became an object
    EXPECT_EQ(tr->messages.back()["tool_call_id"], "call_1");
    t["tool_choice"] = "none";
    EXPECT_FALSE(parse_openai_chat(t).value().tools_active());
    // A forced call and a response_format at once: refused.
    t["tool_choice"] = "required";
    t["response_format"] = {{"type", "json_object"}};
    EXPECT_FALSE(parse_openai_chat(t).ok());
}

TEST(request, keep_alive_durations) {
    EXPECT_DOUBLE_EQ(parse_keep_alive(json("5m")).value(), 300.0);
    EXPECT_DOUBLE_EQ(parse_keep_alive(json("1h30m")).value(), 5400.0);
    EXPECT_DOUBLE_EQ(parse_keep_alive(json("10s")).value(), 10.0);
    EXPECT_DOUBLE_EQ(parse_keep_alive(json(0)).value(), 0.0);
    EXPECT_LT(parse_keep_alive(json("-1")).value(), 0.0);
    EXPECT_LT(parse_keep_alive(json(-1)).value(), 0.0);
    EXPECT_FALSE(parse_keep_alive(json("5 minutes")).ok());
    EXPECT_FALSE(parse_keep_alive(json("")).ok());
    EXPECT_FALSE(parse_keep_alive(json(true)).ok());
}

TEST(request, embed_inputs) {
    auto one = parse_embed_request(json{{"model", "m"}, {"input", "a"}}, true);
    ASSERT_TRUE(one.ok()) << one.message();
    EXPECT_EQ(one->embed_inputs, std::vector<std::string>{"a"});
    auto legacy = parse_embed_request(json{{"model", "m"}, {"prompt", "p"}}, false);
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(legacy->embed_inputs, std::vector<std::string>{"p"});
    EXPECT_EQ(parse_embed_request(json{{"model", "m"}, {"input", {"x", "y"}}}, true)->embed_inputs.size(), 2u);
    EXPECT_FALSE(parse_embed_request(json{{"model", "m"}}, true).ok());
    EXPECT_FALSE(parse_embed_request(json{{"model", "m"}, {"input", json::array()}}, true).ok());
    EXPECT_FALSE(parse_embed_request(json{{"model", "m"}, {"input", {1, 2}}}, true).ok());
    EXPECT_FALSE(parse_embed_request(json{{"model", "m"}, {"input", ""}}, true).ok());
    EXPECT_FALSE(parse_embed_request(json{{"input", "a"}}, true).ok());
}

TEST(json_body, nesting_cap_and_errors) {
    std::string deep(100000, '[');
    auto r = parse_json_body(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("deeper"), std::string::npos) << r.message();
    // Brackets inside strings do not count.
    EXPECT_TRUE(parse_json_body("{\"a\": \"" + std::string(1000, '[') + "\"}").ok());
    EXPECT_EQ(json_depth("{\"a\":[[1]]}", 64), 3);
    std::string ok_depth = "{\"a\":" + std::string(60, '[') + std::string(60, ']') + "}";
    EXPECT_TRUE(parse_json_body(ok_depth).ok());
    EXPECT_FALSE(parse_json_body("").ok());
    EXPECT_FALSE(parse_json_body("{\"a\": ").ok());
    EXPECT_FALSE(parse_json_body("[1, 2]").ok());  // must be an object
    auto bad_utf8 = parse_json_body(std::string("{\"a\": \"\xff\xfe\"}"));
    ASSERT_FALSE(bad_utf8.ok());
    EXPECT_NE(bad_utf8.message().find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace holo::server
