// chat_template API and the built-in templates, each checked against the prompt
// format its model family publishes (strings written out from those formats).
#include <gtest/gtest.h>

#include <set>

#include "tokenizer/chat_template.h"

namespace holo {
namespace {

using json = nlohmann::ordered_json;

std::vector<chat_message> convo(bool with_system) {
    std::vector<chat_message> m;
    if (with_system) m.push_back({"system", "Be brief.", json::object()});
    m.push_back({"user", "Hi", json::object()});
    m.push_back({"assistant", "Hello!", json::object()});
    m.push_back({"user", "2+2?", json::object()});
    return m;
}

std::string render_builtin(std::string_view name, const std::vector<chat_message>& m, bool gen,
                           std::string bos, std::string eos) {
    auto t = chat_template::builtin(name);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.message());
    if (!t.ok()) return "";
    render_options o;
    o.add_generation_prompt = gen;
    o.bos_token = std::move(bos);
    o.eos_token = std::move(eos);
    auto r = t->render(m, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return r.ok() ? r.value() : "";
}

TEST(ChatTemplateBuiltin, Chatml) {
    EXPECT_EQ(render_builtin("chatml", convo(true), true, "", "<|im_end|>"),
              "<|im_start|>system\nBe brief.<|im_end|>\n"
              "<|im_start|>user\nHi<|im_end|>\n"
              "<|im_start|>assistant\nHello!<|im_end|>\n"
              "<|im_start|>user\n2+2?<|im_end|>\n"
              "<|im_start|>assistant\n");
    EXPECT_EQ(render_builtin("chatml", {{"user", "x", json::object()}}, false, "", ""),
              "<|im_start|>user\nx<|im_end|>\n");
}

TEST(ChatTemplateBuiltin, Llama3) {
    // Meta Llama 3 Instruct: header ids, a blank line, content, <|eot_id|>
    EXPECT_EQ(render_builtin("llama3", convo(true), true, "<|begin_of_text|>", "<|eot_id|>"),
              "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
    // content is trimmed
    EXPECT_EQ(render_builtin("llama3", {{"user", "  x \n", json::object()}}, false, "<|begin_of_text|>", ""),
              "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nx<|eot_id|>");
}

TEST(ChatTemplateBuiltin, Llama2) {
    // Llama 2 chat: <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s>
    EXPECT_EQ(render_builtin("llama2", convo(true), true, "<s>", "</s>"),
              "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] 2+2? [/INST]");
    EXPECT_EQ(render_builtin("llama2", convo(false), false, "<s>", "</s>"),
              "<s>[INST] Hi [/INST] Hello! </s><s>[INST] 2+2? [/INST]");
}

TEST(ChatTemplateBuiltin, Mistral) {
    // Mistral/Mixtral Instruct v0.1: <s>[INST] {user} [/INST]{answer}</s>[INST] ...
    EXPECT_EQ(render_builtin("mistral", convo(false), true, "<s>", "</s>"),
              "<s>[INST] Hi [/INST]Hello!</s>[INST] 2+2? [/INST]");
    EXPECT_EQ(render_builtin("mistral", convo(true), true, "<s>", "</s>"),
              "<s>[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] 2+2? [/INST]");
}

TEST(ChatTemplateBuiltin, Deepseek) {
    // DeepSeek V3: bos + system, <｜User｜>, <｜Assistant｜>…<｜end▁of▁sentence｜>
    EXPECT_EQ(render_builtin("deepseek", convo(true), true, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
              "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜>"
              "<｜User｜>2+2?<｜Assistant｜>");
}

TEST(ChatTemplateBuiltin, AlternationIsEnforced) {
    auto t = chat_template::builtin("llama2");
    ASSERT_TRUE(t.ok());
    auto r = t->render({{"user", "a", json::object()}, {"user", "b", json::object()}}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("Conversation roles must alternate"), std::string::npos) << r.message();
}

TEST(ChatTemplateBuiltin, NamesAndUnknown) {
    std::set<std::string_view> names;
    for (auto n : builtin_template_names()) names.insert(n);
    EXPECT_EQ(names, (std::set<std::string_view>{"chatml", "llama3", "llama2", "mistral", "deepseek"}));
    auto t = chat_template::builtin("nope");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.message().find("unknown built-in chat template 'nope'"), std::string::npos);
}

TEST(ChatTemplateBuiltin, PickFallback) {
    auto vocab = [](std::set<std::string> toks) {
        return [toks](std::string_view t) { return toks.count(std::string(t)) > 0; };
    };
    EXPECT_EQ(pick_builtin_template("qwen3moe", vocab({"<|im_start|>", "<|im_end|>"})), "chatml");
    EXPECT_EQ(pick_builtin_template("llama", vocab({"<|start_header_id|>", "<|eot_id|>"})), "llama3");
    EXPECT_EQ(pick_builtin_template("deepseek2", vocab({"<｜User｜>", "<｜Assistant｜>"})), "deepseek");
    EXPECT_EQ(pick_builtin_template("llama", vocab({"<s>", "[INST]", "[/INST]"})), "mistral");
    EXPECT_EQ(pick_builtin_template("llama", vocab({"<s>", "</s>"})), "llama2");
    EXPECT_EQ(pick_builtin_template("qwen2", vocab({})), "chatml");
    EXPECT_EQ(pick_builtin_template("deepseek2", nullptr), "deepseek");
    EXPECT_EQ(pick_builtin_template("gpt2", vocab({})), "chatml");
}

TEST(ChatTemplate, MessagesCarryExtraFieldsAndNullContent) {
    auto t = chat_template::parse(
        "{% for m in messages %}{{ m.role }}:{{ m.content is none }}:{{ m.tool_calls|tojson }}:{{ m.name }};{% endfor %}");
    ASSERT_TRUE(t.ok()) << t.message();
    chat_message call{"assistant", std::nullopt, json::object()};
    call.extra["tool_calls"] = json::array({{{"function", {{"name", "f"}, {"arguments", {{"z", 1}, {"a", 2}}}}}}});
    chat_message tool{"tool", "42", {{"name", "f"}}};
    auto r = t->render({call, tool}, {});
    ASSERT_TRUE(r.ok()) << r.message();
    // key order is kept as given (z before a), as transformers' tojson does
    EXPECT_EQ(r.value(), "assistant:true:[{\"function\": {\"name\": \"f\", \"arguments\": {\"z\": 1, \"a\": 2}}}]:;"
                         "tool:false:null:f;");
}

TEST(ChatTemplate, ToolsAndExtraVariables) {
    auto t = chat_template::parse("{{ tools is defined }}|{% if tools %}{{ tools[0].name }}{% endif %}|{{ enable_thinking }}");
    ASSERT_TRUE(t.ok());
    render_options o;
    auto r = t->render({}, o);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r.value(), "false||");
    o.tools = json::array({{{"name", "search"}}});
    o.extra["enable_thinking"] = false;
    r = t->render({}, o);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r.value(), "true|search|false");
}

TEST(ChatTemplate, ErrorsArePositioned) {
    auto t = chat_template::parse("{% for m in messages %}\n{{ m.content + 1 + none }}{% endfor %}");
    ASSERT_TRUE(t.ok());
    auto r = t->render({{"user", "x", json::object()}}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.message().rfind("chat template render error at 2:", 0), 0u) << r.message();
    EXPECT_NE(r.message().find("unsupported operand types for '+'"), std::string::npos) << r.message();
    auto bad = chat_template::parse("{% for m in messages %}");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.message(), "chat template syntax error at 1:4: '{% for %}' is never closed (missing '{% endfor %}')");
    auto r2 = chat_template::parse("{{ x }}")->render_json(json::object(), {});
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(r2.message().find("messages must be a JSON array"), std::string::npos);
}

TEST(ChatTemplate, ParsedTemplateIsReusableAndCopyable) {
    auto t = chat_template::parse("{{ messages|length }}{{ add_generation_prompt }}");
    ASSERT_TRUE(t.ok());
    chat_template copy = t.value();
    render_options o;
    o.add_generation_prompt = true;
    for (int i = 0; i < 3; ++i) {
        auto r = copy.render(convo(i % 2 == 0), o);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.value(), (i % 2 == 0 ? "4true" : "3true"));
    }
}

}  // namespace
}  // namespace holo
