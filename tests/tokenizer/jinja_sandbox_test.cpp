// The template sandbox (docs/chat-templates.md, SECURITY.md: CVE-2024-34359,
// CVE-2026-5760): no escape from the data to host objects, and every resource cap
// ends a hostile template with a clear error, quickly, without a crash.
#include <gtest/gtest.h>

#include <chrono>

#include "tokenizer/chat_template.h"

namespace holo {
namespace {

using json = nlohmann::ordered_json;

struct outcome {
    bool ok;
    std::string text;  // output or error message
    double seconds;
};

outcome run(std::string_view src, const jinja::limits& lim = {}, const json& messages = json::array()) {
    auto t0 = std::chrono::steady_clock::now();
    auto t = chat_template::parse(src);
    outcome o{false, "", 0};
    if (!t.ok()) {
        o.text = t.message();
    } else {
        render_options opts;
        opts.limits = lim;
        opts.extra = {{"x", {{"a", 1}}}};
        auto r = t->render_json(messages, opts);
        o.ok = r.ok();
        o.text = r.ok() ? r.value() : r.message();
    }
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return o;
}

void expect_error(std::string_view src, const std::string& needle, const jinja::limits& lim = {}) {
    outcome o = run(src, lim);
    EXPECT_FALSE(o.ok) << src.substr(0, 120) << " rendered " << o.text.substr(0, 200);
    EXPECT_NE(o.text.find(needle), std::string::npos) << "message: " << o.text;
    EXPECT_LT(o.seconds, 5.0) << "cap took too long: " << src.substr(0, 120);
}

// Payloads of the published template-injection exploits: Python attribute walks
// from any object to os/subprocess.
TEST(JinjaSandbox, NoDunderAttributeWalk) {
    const char* payloads[] = {
        "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ x.__class__ }}",
        "{{ messages.__class__.__base__ }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ range.__globals__ }}",
        "{{ namespace.__init__ }}",
        "{{ raise_exception.__globals__ }}",
    };
    for (const char* p : payloads) expect_error(p, "not accessible in templates (sandbox)");
}

TEST(JinjaSandbox, NoHostObjectsOrFileAccess) {
    // names that are host objects in Python Jinja are plain undefined here
    outcome o = run("[{{ self }}{{ config }}{{ request }}{{ lipsum }}{{ joiner }}{{ os }}{{ open }}]");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "[]");
    // calling them is an error, not an action
    expect_error("{{ open('/etc/passwd') }}", "not callable");
    expect_error("{{ os.system('id') }}", "not callable");
    // no statements that read other files
    expect_error("{% include '/etc/passwd' %}", "unknown statement 'include'");
    expect_error("{% import 'os' as os %}", "unknown statement 'import'");
    expect_error("{% extends 'base.html' %}", "unknown statement 'extends'");
    expect_error("{% from 'x' import y %}", "unknown statement 'from'");
    // no filter that reaches attributes by name
    expect_error("{{ x|attr('__class__') }}", "unknown filter 'attr'");
    // item syntax on data only looks up data keys, never methods' internals
    o = run("[{{ x['__class__'] }}{{ x['__globals__'] }}]");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "[]");
}

TEST(JinjaSandbox, LoopIterationCap) {
    jinja::limits lim;
    lim.max_iterations = 100'000;
    expect_error("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
                 "loop limit of 100000 iterations", lim);
    expect_error("{% for i in range(10**12) %}{% endfor %}", "loop limit", lim);
    expect_error("{% for i in range(-9223372036854775807, 9223372036854775807) %}{% endfor %}", "loop limit", lim);
    expect_error("{{ ([1] * 1000000000000)|length }}", "loop limit", lim);
    expect_error("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% for j in range(1000) %}"
                 "{% set _ = ns.l.append(j) %}{% endfor %}{% endfor %}",
                 "loop limit", lim);
    // the default cap ends a quadratic blow-up too
    expect_error("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "loop limit");
}

TEST(JinjaSandbox, MacroRecursionCap) {
    expect_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "call depth limit of 64");
    expect_error("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}",
                 "call depth limit");
    // within the cap, recursion works
    outcome o = run("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "54321");
}

TEST(JinjaSandbox, ParserNestingCap) {
    std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
    expect_error("{{ " + parens + " }}", "nests deeper than 128 levels");
    std::string lists = std::string(100000, '[') + std::string(100000, ']');
    expect_error("{{ " + lists + " }}", "nests deeper");
    std::string nots;
    for (int i = 0; i < 100000; ++i) nots += "not ";
    expect_error("{{ " + nots + "1 }}", "nests deeper");
    std::string ifs;
    for (int i = 0; i < 100000; ++i) ifs += "{% if true %}";
    expect_error(ifs, "nests deeper");
    // long flat chains build deep trees without parser recursion: capped as well
    std::string sum = "1";
    for (int i = 0; i < 200000; ++i) sum += "+1";
    expect_error("{{ " + sum + " }}", "expression nests deeper");
    std::string filters = "'a'";
    for (int i = 0; i < 200000; ++i) filters += "|trim";
    expect_error("{{ " + filters + " }}", "expression nests deeper");
    // a realistic chain is fine
    outcome o = run("{{ 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + 'g' + 'h' + 'i' + 'j' + 'k' + 'l' }}");
    EXPECT_TRUE(o.ok) << o.text;
}

TEST(JinjaSandbox, OutputAndStringSizeCaps) {
    jinja::limits lim;
    lim.max_output_bytes = 1 << 20;
    expect_error("{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", "output exceeds the limit", lim);
    expect_error("{{ 'x' * 1000000000000 }}", "over the limit", lim);
    expect_error("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                 "over the limit", lim);
    expect_error("{% set ns = namespace(s='xy') %}{% for i in range(64) %}{% set ns.s = ns.s.replace('x', ns.s) %}"
                 "{% endfor %}",
                 "over the limit", lim);
    expect_error("{{ range(100000)|join(',') * 100 }}", "over the limit", lim);
    // many medium strings kept alive: the total is capped too
    lim.max_total_bytes = 16 << 20;
    expect_error("{% set ns = namespace(l=[], s='x' * 500000) %}{% for i in range(1000) %}"
                 "{% set _ = ns.l.append(ns.s ~ i) %}{% endfor %}",
                 "bytes of strings", lim);
}

TEST(JinjaSandbox, ArithmeticCannotOverflowOrHang) {
    expect_error("{{ 2 ** 1000000000000000000 }}", "overflow");
    expect_error("{{ 9223372036854775807 * 2 }}", "overflow");
    expect_error("{{ (-9223372036854775807 - 1) // -1 }}", "overflow");
    expect_error("{{ 1 % 0 }}", "modulo by zero");
    outcome o = run("{{ 1 ** 1000000000000000000 }} {{ (-1) ** 1000000000000000001 }}");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "1 -1");
}

TEST(JinjaSandbox, DeepAndCyclicDataIsSafe) {
    // a template can build a very deep list; printing or comparing it fails
    // cleanly and freeing it does not recurse
    outcome o = run("{% set ns = namespace(x=[]) %}{% for i in range(200000) %}{% set ns.x = [ns.x] %}{% endfor %}"
                    "{{ ns.x|length }}");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "1");
    expect_error("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}"
                 "{{ ns.x }}",
                 "nests too deeply");
    expect_error("{% set ns = namespace(x=[], y=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}"
                 "{% set ns.y = [ns.y] %}{% endfor %}{{ ns.x == ns.y }}",
                 "nested too deeply");
    // cycles render to a clear error when printed and are freed after the render
    // (LeakSanitizer in the sanitizer build checks the freeing)
    expect_error("{% set l = [] %}{% set _ = l.append(l) %}{{ l }}", "nests too deeply");
    o = run("{% set ns = namespace() %}{% set ns.me = ns %}{% set l = [] %}{% set _ = l.append([l.append]) %}"
            "{{ ns.me.me.me is defined }}");
    ASSERT_TRUE(o.ok) << o.text;
    EXPECT_EQ(o.text, "true");
    // input data nested past the cap is rejected before rendering
    json deep = json::array();
    for (int i = 0; i < 1000; ++i) deep = json::array({deep});
    outcome d = run("{{ messages|length }}", {}, json::array({{{"role", "user"}, {"content", deep}}}));
    EXPECT_FALSE(d.ok);
    EXPECT_NE(d.text.find("nests deeper than 256"), std::string::npos) << d.text;
}

TEST(JinjaSandbox, MalformedTemplatesFailCleanly) {
    const char* bad[] = {"{{", "{%", "{#", "{{ 'x", "{% if %}", "{% for %}", "{% for x in %}", "{{ x[ }}",
                         "{{ x.( }}", "{{ ) }}", "{% endif %}", "{% set %}", "{% macro %}", "{{ 1 +* 2 }}",
                         "{{ '\\x4' }}", "{{ '\\uZZZZ' }}", "{% if true %}{% else %}{% else %}{% endif %}",
                         "{{ x | }}", "{{ x is }}", "{% set x.y = 1 %}", "{{ {1: 2} }}", "{{ !x }}", "{{ x @ y }}"};
    for (const char* src : bad) {
        outcome o = run(src);
        EXPECT_FALSE(o.ok) << src << " -> " << o.text;
        EXPECT_NE(o.text.find("chat template"), std::string::npos) << o.text;
        EXPECT_NE(o.text.find(" at "), std::string::npos) << "no position in: " << o.text;
    }
}

}  // namespace
}  // namespace holo
