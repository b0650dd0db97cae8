// Conditions, rules files and selection: every condition form with known and
// unknown facts, rule order and the default, hysteresis (margins and min_dwell)
// against a battery oscillating around a threshold, and malformed rules files,
// each with its line-numbered error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "policy/auto_route.h"
#include "policy/rules.h"
#include "policy/selector.h"
#include "test_util.h"

namespace holo::policy {
namespace {

namespace fs = std::filesystem;

tri check(const std::string& expr, const device_state& st, request_info req = {}, int minute = -1) {
    auto c = condition::parse(expr);
    EXPECT_TRUE(c.ok()) << expr << ": " << (c.ok() ? "" : c.message());
    if (!c.ok()) return tri::unknown;
    eval_input in;
    in.state = &st;
    in.request = req;
    in.minute_of_day = minute;
    return c->eval(in, bias::strict, {});
}

device_state phone(double battery, bool charging) {
    device_state st;
    st.battery_pct = battery;
    st.charging = charging;
    st.free_ram = int64_t(6) << 30;
    st.free_swap = int64_t(1) << 30;
    st.cpu_temp_c = 55;
    st.throttled = false;
    return st;
}

TEST(policy_condition, comparisons) {
    auto st = phone(15, false);
    EXPECT_EQ(check("battery < 20", st), tri::yes);
    EXPECT_EQ(check("battery < 15", st), tri::no);
    EXPECT_EQ(check("battery <= 15", st), tri::yes);
    EXPECT_EQ(check("battery >= 50", st), tri::no);
    EXPECT_EQ(check("battery > 10%", st), tri::yes);
    EXPECT_EQ(check("battery == 15", st), tri::yes);
    EXPECT_EQ(check("battery != 15", st), tri::no);
    EXPECT_EQ(check("free_ram < 8G", st), tri::yes);
    EXPECT_EQ(check("free_ram >= 6G", st), tri::yes);
    EXPECT_EQ(check("free_ram > 6145M", st), tri::no);
    EXPECT_EQ(check("free_swap", st), tri::yes);
    EXPECT_EQ(check("free_swap >= 2G", st), tri::no);
    EXPECT_EQ(check("cpu_temp > 80", st), tri::no);
    EXPECT_EQ(check("cpu_temp > 50C", st), tri::yes);
    st.load = 2;
    EXPECT_EQ(check("load >= 2", st), tri::yes);
    EXPECT_EQ(check("load > 2", st), tri::no);
    request_info req;
    req.prompt_tokens = 5000;
    EXPECT_EQ(check("prompt_tokens > 4000", st, req), tri::yes);
    req.prompt_tokens = 4000;
    EXPECT_EQ(check("prompt_tokens > 4000", st, req), tri::no);
}

TEST(policy_condition, flags_tags_and_time) {
    auto st = phone(60, true);
    EXPECT_EQ(check("charging", st), tri::yes);
    EXPECT_EQ(check("not charging", st), tri::no);
    EXPECT_EQ(check("throttled", st), tri::no);
    request_info req;
    req.tags = {"chat", "code"};
    EXPECT_EQ(check("request.tags contains code", st, req), tri::yes);
    EXPECT_EQ(check("request.tags contains math", st, req), tri::no);
    // A window across midnight and one within a day; the end is exclusive.
    EXPECT_EQ(check("time in 22:00-07:00", st, {}, 23 * 60), tri::yes);
    EXPECT_EQ(check("time in 22:00-07:00", st, {}, 3 * 60), tri::yes);
    EXPECT_EQ(check("time in 22:00-07:00", st, {}, 7 * 60), tri::no);
    EXPECT_EQ(check("time in 22:00-07:00", st, {}, 12 * 60), tri::no);
    EXPECT_EQ(check("time in 09:00-17:30", st, {}, 17 * 60 + 29), tri::yes);
    EXPECT_EQ(check("time in 09:00-17:30", st, {}, 8 * 60 + 59), tri::no);
    EXPECT_EQ(check("time in 22:00-07:00", st, {}, -1), tri::unknown);
}

TEST(policy_condition, combinations_and_precedence) {
    auto st = phone(15, false);
    EXPECT_EQ(check("battery < 20 and not charging", st), tri::yes);
    EXPECT_EQ(check("battery < 20 and charging", st), tri::no);
    EXPECT_EQ(check("charging or battery < 20", st), tri::yes);
    // and binds tighter than or.
    EXPECT_EQ(check("charging and battery < 10 or free_ram < 8G", st), tri::yes);
    EXPECT_EQ(check("charging and (battery < 10 or free_ram < 8G)", st), tri::no);
    EXPECT_EQ(check("not (charging or battery > 50)", st), tri::yes);
    EXPECT_EQ(check("not not charging", st), tri::no);
}

TEST(policy_condition, unknown_facts_are_three_valued) {
    device_state st;  // nothing known
    EXPECT_EQ(check("battery < 20", st), tri::unknown);
    EXPECT_EQ(check("not charging", st), tri::unknown);
    EXPECT_EQ(check("free_ram < 8G", st), tri::unknown);
    EXPECT_EQ(check("free_gpu_mem > 4G", st), tri::unknown);
    EXPECT_EQ(check("prompt_tokens > 10", st), tri::unknown);
    // Known falsehood decides and; known truth decides or.
    EXPECT_EQ(check("battery < 20 and load > 5", st), tri::no);
    EXPECT_EQ(check("battery < 20 or load >= 0", st), tri::yes);
    EXPECT_EQ(check("battery < 20 and load >= 0", st), tri::unknown);
}

TEST(policy_condition, parse_errors_name_the_column) {
    struct bad { const char* text; const char* what; };
    const bad cases[] = {
        {"battery <", "column 10: expected a number"},
        {"batery < 20", "column 1: unknown variable 'batery'"},
        {"battery < lots", "column 11: expected a number"},
        {"battery < 120", "not a valid value for battery"},
        {"free_ram < 8Q", "not a valid value for free_ram (a size"},
        {"(battery < 20", "expected ')'"},
        {"battery < 20 charging", "column 14: unexpected 'charging'"},
        {"and charging", "'and' needs a condition"},
        {"time in 25:00-07:00", "expected a window HH:MM-HH:MM"},
        {"time in 07:00-07:00", "is empty"},
        {"request.tags has code", "expected 'contains'"},
        {"battery =< 3", "unknown operator"},
        {"", "expected a condition"},
    };
    for (const auto& b : cases) {
        auto c = condition::parse(b.text);
        ASSERT_FALSE(c.ok()) << b.text;
        EXPECT_NE(c.message().find(b.what), std::string::npos) << b.text << " -> " << c.message();
    }
}

TEST(policy_condition, hysteresis_bias) {
    auto st = phone(22, false);
    auto c = condition::parse("battery < 20").value();
    eval_input in;
    in.state = &st;
    std::map<std::string, double> m = {{"battery", 5}};
    EXPECT_EQ(c.eval(in, bias::strict, m), tri::no);
    EXPECT_EQ(c.eval(in, bias::relax, m), tri::yes);  // 22 < 20 + 5
    auto n = condition::parse("not battery >= 20").value();
    EXPECT_EQ(n.eval(in, bias::relax, m), tri::yes);  // not (22 >= 25)
    auto g = condition::parse("battery >= 50").value();
    st.battery_pct = 47;
    EXPECT_EQ(g.eval(in, bias::relax, m), tri::yes);  // 47 >= 45
    EXPECT_EQ(g.eval(in, bias::tighten, m), tri::no);
}

const char* k_rules = R"(# battery-aware
hysteresis:
  battery: 5
rules:
  - name: big-when-charging
    when: charging
    model: qwen3moe:latest
  - name: low-battery
    when: battery < 20
    model: deepseek-r1:7b
    gpu_layers: 99
    threads: 4
  - name: long-prompt
    when: prompt_tokens > 4000
    model: long:latest
default:
  model: qwen3moe:latest
  gpu_layers: 8
)";

rules_config parse_ok(const std::string& text, const std::string& base = "") {
    auto r = parse_rules(text, "rules.yaml", base);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return r.ok() ? std::move(r.value()) : rules_config{};
}

TEST(policy_rules, ordering_and_default) {
    selector sel(parse_ok(k_rules));
    auto st = phone(10, true);
    eval_input in;
    in.state = &st;
    // Charging comes first even at 10%.
    auto d = sel.evaluate(in);
    EXPECT_EQ(d.rule, "big-when-charging");
    EXPECT_EQ(d.rule_line, 5);
    st.charging = false;
    d = sel.evaluate(in);
    EXPECT_EQ(d.rule, "low-battery");
    EXPECT_EQ(d.model, "deepseek-r1:7b");
    EXPECT_EQ(d.place.gpu_layers.value_or(-1), 99);
    EXPECT_EQ(d.place.threads.value_or(-1), 4);
    EXPECT_EQ(d.rule_line, 8);
    st.battery_pct = 70;
    in.request.prompt_tokens = 5000;
    EXPECT_EQ(sel.evaluate(in).rule, "long-prompt");
    in.request.prompt_tokens = 10;
    d = sel.evaluate(in);
    EXPECT_EQ(d.rule, "default");
    EXPECT_EQ(d.model, "qwen3moe:latest");
    EXPECT_EQ(d.place.gpu_layers.value_or(-1), 8);
    // Unknown battery and charging: neither rule fires, the default does.
    device_state unknown;
    in.state = &unknown;
    d = sel.evaluate(in);
    EXPECT_EQ(d.rule, "default");
    bool said_unknown = false;
    for (const auto& w : d.why) said_unknown |= w.find("battery unknown") != std::string::npos;
    EXPECT_TRUE(said_unknown) << "the explanation should say the battery is unknown";
}

TEST(policy_rules, hysteresis_margin_stops_thrashing) {
    selector sel(parse_ok(k_rules));
    auto st = phone(25, false);
    eval_input in;
    in.state = &st;
    EXPECT_EQ(sel.select(in, 0).rule, "default");
    st.battery_pct = 19;  // crosses 20: switch
    auto d = sel.select(in, 1);
    EXPECT_EQ(d.rule, "low-battery");
    EXPECT_TRUE(d.switched);
    // Oscillating 19..24 stays on low-battery (margin 5).
    for (double b : {21.0, 19.0, 24.0, 22.0, 20.0, 24.9}) {
        st.battery_pct = b;
        d = sel.select(in, 2);
        EXPECT_EQ(d.rule, "low-battery") << "battery " << b;
        EXPECT_FALSE(d.switched);
        if (b >= 20) {
            EXPECT_EQ(d.held_by, "hysteresis margin") << b;
        }
    }
    st.battery_pct = 25;  // crossed by the margin: back to the default
    d = sel.select(in, 3);
    EXPECT_EQ(d.rule, "default");
    EXPECT_TRUE(d.switched);
    // And back down needs the strict threshold again.
    st.battery_pct = 21;
    EXPECT_EQ(sel.select(in, 4).rule, "default");
    st.battery_pct = 19.5;
    EXPECT_EQ(sel.select(in, 5).rule, "low-battery");
}

TEST(policy_rules, min_dwell_holds_the_choice) {
    auto cfg = parse_ok(std::string(k_rules) + "");
    cfg.margins.clear();
    cfg.min_dwell_s = 60;
    selector sel(cfg);
    auto st = phone(50, false);
    eval_input in;
    in.state = &st;
    EXPECT_EQ(sel.select(in, 100).rule, "default");
    st.battery_pct = 10;
    // The dwell counts from the first choice too.
    auto d = sel.select(in, 110);
    EXPECT_EQ(d.rule, "default");
    EXPECT_EQ(d.held_by, "min_dwell");
    d = sel.select(in, 170);
    EXPECT_EQ(d.rule, "low-battery");
    EXPECT_TRUE(d.switched);
    st.battery_pct = 50;
    d = sel.select(in, 190);
    EXPECT_EQ(d.rule, "low-battery");
    EXPECT_EQ(d.held_by, "min_dwell");
    EXPECT_FALSE(d.switched);
    d = sel.select(in, 231);  // 61 s after the switch
    EXPECT_EQ(d.rule, "default");
    EXPECT_TRUE(d.switched);
}

TEST(policy_rules, when_list_system_prompts_and_durations) {
    std::string dir = test::temp_path("rules_prompts");
    fs::create_directories(dir);
    std::ofstream(dir + "/system-prompts.yaml") << "prompts:\n  terse: Answer in one sentence.\n  coder: You write code.\n";
    std::ofstream(dir + "/rules.yaml") << "system_prompts: system-prompts.yaml\n"
                                          "auto_name: pick\n"
                                          "hysteresis: {battery: 3%, free_ram: 512M, min_dwell: 2m}\n"
                                          "rules:\n"
                                          "  - when: [battery < 30, not charging]\n"
                                          "    model: small:latest\n"
                                          "    system_prompt: terse\n"
                                          "    gpu_mem: 1.5G\n"
                                          "default:\n"
                                          "  model: big:latest\n"
                                          "  system_prompt: coder\n";
    auto r = load_rules(dir + "/rules.yaml");
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r->auto_name, "pick");
    EXPECT_DOUBLE_EQ(r->min_dwell_s, 120);
    EXPECT_DOUBLE_EQ(r->margins.at("battery"), 3);
    EXPECT_DOUBLE_EQ(r->margins.at("free_ram"), 512.0 * 1024 * 1024);
    ASSERT_EQ(r->rules.size(), 1u);
    EXPECT_EQ(r->rules[0].name, "rule 1");
    EXPECT_EQ(r->rules[0].system_prompt, "Answer in one sentence.");
    EXPECT_EQ(r->rules[0].place.gpu_mem.value_or(-1), int64_t(3) << 29);
    EXPECT_EQ(r->fallback.system_prompt, "You write code.");
    selector sel(r.value());
    auto st = phone(20, false);
    eval_input in;
    in.state = &st;
    EXPECT_EQ(sel.evaluate(in).model, "small:latest");
    st.charging = true;
    EXPECT_EQ(sel.evaluate(in).model, "big:latest");
    // A plain model name is a default too.
    auto p = parse_rules("default: tiny\n", "x.yaml", "");
    ASSERT_TRUE(p.ok()) << p.message();
    EXPECT_EQ(p->fallback.model, "tiny");
    EXPECT_TRUE(p->rules.empty());
}

TEST(policy_rules, malformed_files_have_line_numbered_errors) {
    struct bad { std::string text; std::string what; };
    const bad cases[] = {
        {"rules:\n  - when: battery < 20\n    model: [a, b\n", "rules.yaml:4: not valid YAML"},
        {"default: x\nfoo: bar: baz\nrules: []\n", "rules.yaml:2: not valid YAML: illegal map value"},
        {"rules: []\n", "rules.yaml: no default:"},
        {"- a\n- b\n", "expected a map with 'rules:' and 'default:'"},
        {"default: x\nrulez: []\n", "rules.yaml:2: unknown key 'rulez'"},
        {"default: x\nrules:\n  - when: battery < 20\n", "rules.yaml:3: 'rule 1' has no model"},
        {"default: x\nrules:\n  - model: y\n", "rules.yaml:3: 'rule 1' has no when:"},
        {"default: x\nrules:\n  - model: y\n    when: batery < 20\n", "rules.yaml:4: column 1: unknown variable 'batery'"},
        {"default: x\nrules:\n  - model: y\n    when: battery <\n", "rules.yaml:4: column 10: expected a number"},
        {"default: x\nrules:\n  - model: y\n    when: charging\n    gpu_layer: 3\n", "rules.yaml:5: unknown key 'gpu_layer'"},
        {"default: x\nrules:\n  - model: y\n    when: charging\n    threads: -2\n", "rules.yaml:5: threads must be a whole number in 1..1024"},
        {"default: x\nrules:\n  - model: y\n    when: charging\n    gpu_mem: lots\n", "rules.yaml:5: gpu_mem must be a size"},
        {"default: x\nrules:\n  - model: y\n    when: charging\n    system_prompt: terse\n", "rules.yaml:5: system_prompt 'terse' but the file names no system_prompts file"},
        {"default: x\nrules:\n  - {name: a, when: charging, model: y}\n  - {name: a, when: charging, model: z}\n", "rules.yaml:4: two rules are named 'a'"},
        {"default: x\nrules: charging\n", "rules.yaml:2: rules must be a list"},
        {"default: x\nhysteresis:\n  battery: lots\n", "rules.yaml:3: hysteresis margin for battery must be a non-negative number"},
        {"default: x\nhysteresis:\n  charging: 1\n", "rules.yaml:3: hysteresis for 'charging'"},
        {"default: x\nhysteresis:\n  min_dwell: soon\n", "rules.yaml:3: min_dwell must be a duration"},
        {"default:\n  model: x\n  when: charging\n", "rules.yaml:3: default: takes no when:"},
        {"default: auto\n", "names the virtual model 'auto' itself"},
        {"default: x\nrules:\n  - when: [charging, battery <]\n    model: y\n", "rules.yaml:3: column 10"},
        {"default: x\nsystem_prompts: missing.yaml\n", "rules.yaml:2: "},
    };
    for (const auto& b : cases) {
        auto r = parse_rules(b.text, "rules.yaml", "/nonexistent-dir");
        ASSERT_FALSE(r.ok()) << b.text;
        EXPECT_NE(r.message().find(b.what), std::string::npos) << b.text << "\n-> " << r.message();
    }
    auto missing = load_rules("/nonexistent-dir/rules.yaml");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.message().find("cannot read"), std::string::npos);
}

TEST(policy_rules, docs_example_parses) {
    std::string path = test::source_dir() + "/docs/examples/battery-rules.yaml";
    if (!fs::exists(path)) GTEST_SKIP() << path << " is missing";
    auto r = load_rules(path);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_GE(r->rules.size(), 2u);
    selector sel(r.value());
    auto st = phone(90, false);
    eval_input in;
    in.state = &st;
    auto high = sel.evaluate(in);
    st.battery_pct = 10;
    auto low = sel.evaluate(in);
    EXPECT_NE(high.model, low.model) << "the example switches model as the battery drops";
    EXPECT_GT(low.place.gpu_layers.value_or(0), high.place.gpu_layers.value_or(0))
        << "the example puts more layers on the GPU at low battery";
}

TEST(policy_auto_route, rewrites_only_the_virtual_model) {
    auto cfg = parse_ok("default: big:latest\nrules:\n  - {name: low, when: battery < 20, model: small:latest}\n");
    std::string root = test::temp_path("route_root");
    fs::create_directories(root + "/sys/class/power_supply/BAT0");
    std::ofstream(root + "/sys/class/power_supply/BAT0/type") << "Battery\n";
    std::ofstream(root + "/sys/class/power_supply/BAT0/capacity") << "10\n";
    auto_route_options o;
    o.probe.root = root;
    o.probe.termux_battery_cmd = "";
    o.log = false;
    auto_router router(cfg, o);
    server::gen_request other;
    other.model = "big:latest";
    auto h = router.route(other, "", 0);
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(h->empty());
    EXPECT_EQ(other.model, "big:latest");
    server::gen_request req;
    req.model = "auto";
    req.chat = true;
    req.messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}});
    h = router.route(req, "Code, chat", 0);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(req.model, "small:latest");
    ASSERT_EQ(h->size(), 2u);
    EXPECT_EQ((*h)[0].second, "small:latest");
    EXPECT_EQ((*h)[1].second, "low");
    std::ofstream(root + "/sys/class/power_supply/BAT0/capacity") << "80\n";
    req.model = "auto:latest";
    h = router.route(req, "", 0);
    EXPECT_EQ(req.model, "big:latest");
    EXPECT_EQ(split_tags(" Code, chat ,,x"), (std::vector<std::string>{"code", "chat", "x"}));
}

TEST(policy_auto_route, system_prompt_added_once) {
    server::gen_request chat;
    chat.chat = true;
    chat.messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}});
    apply_system_prompt(chat, "Be brief.");
    ASSERT_EQ(chat.messages.size(), 2u);
    EXPECT_EQ(chat.messages[0]["role"], "system");
    apply_system_prompt(chat, "Other.");
    EXPECT_EQ(chat.messages.size(), 2u) << "a request's own system prompt wins";
    server::gen_request gen;
    gen.prompt = std::string(400, 'x');
    apply_system_prompt(gen, "Be brief.");
    EXPECT_EQ(gen.system, "Be brief.");
    EXPECT_EQ(estimate_prompt_tokens(gen), (400 + 9 + 3) / 4);
}

TEST(policy_select_cli, json_and_explain_over_a_fake_root) {
    std::string holo = test::binary_dir() + "/holo";
    if (!fs::exists(holo)) GTEST_SKIP() << holo << " is not built (ninja holo)";
    std::string root = test::temp_path("select_cli");
    fs::create_directories(root + "/sys/class/power_supply/BAT0");
    std::ofstream(root + "/sys/class/power_supply/BAT0/type") << "Battery\n";
    std::ofstream(root + "/sys/class/power_supply/BAT0/capacity") << "12\n";
    std::ofstream(root + "/sys/class/power_supply/BAT0/status") << "Discharging\n";
    std::string rules = test::source_dir() + "/docs/examples/battery-rules.yaml";
    std::string out;
    int rc = test::run_command(holo + " select --rules " + rules + " --state-root " + root +
                                   " --termux-battery-cmd '' --json", &out);
    ASSERT_EQ(rc, 0) << out;
    auto j = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out;
    EXPECT_EQ(j["state"]["battery"], 12);
    EXPECT_EQ(j["state"]["charging"], false);
    EXPECT_TRUE(j["state"]["free_ram"].is_null()) << "the fake root has no /proc/meminfo";
    EXPECT_EQ(j["decision"]["rule"], "critical-battery");
    EXPECT_EQ(j["decision"]["model"], "deepseek-r1:7b");
    EXPECT_EQ(j["decision"]["placement"]["gpu_layers"], 99);
    rc = test::run_command(holo + " select --rules " + rules + " --state-root " + root +
                               " --termux-battery-cmd '' --explain", &out);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("battery < 20: battery=12% -> true"), std::string::npos) << out;
    EXPECT_NE(out.find("selected: rule 'critical-battery'"), std::string::npos) << out;
    // A broken rules file: exit non-zero with the line-numbered error.
    std::ofstream(root + "/bad.yaml") << "default: x\nrules:\n  - when: battery <\n    model: y\n";
    rc = test::run_command(holo + " select --rules " + root + "/bad.yaml --state-root " + root + " 2>&1", &out);
    EXPECT_NE(rc, 0);
    EXPECT_NE(out.find("bad.yaml:3: column 10: expected a number"), std::string::npos) << out;
}

}  // namespace
}  // namespace holo::policy
