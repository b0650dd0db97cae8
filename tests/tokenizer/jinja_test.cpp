// Language features of the Jinja subset: each expectation is what Jinja2 (as
// transformers configures it) or @huggingface/jinja prints for the same input.
#include <gtest/gtest.h>

#include "tokenizer/chat_template.h"

namespace holo {
namespace {

using json = nlohmann::ordered_json;

result<std::string> try_render(std::string_view src, const json& vars = json::object()) {
    auto t = chat_template::parse(src);
    if (!t.ok()) return t.err();
    render_options o;
    o.extra = vars;
    o.bos_token = "<s>";
    o.eos_token = "</s>";
    return t->render_json(json::array(), o);
}

std::string render(std::string_view src, const json& vars = json::object()) {
    auto r = try_render(src, vars);
    EXPECT_TRUE(r.ok()) << src << "\n -> " << (r.ok() ? "" : r.message());
    return r.ok() ? r.value() : "<error>";
}

std::string render_error(std::string_view src, const json& vars = json::object()) {
    auto r = try_render(src, vars);
    EXPECT_FALSE(r.ok()) << src << " rendered " << (r.ok() ? r.value() : "");
    return r.ok() ? "" : r.message();
}

TEST(Jinja, LiteralsAndPrinting) {
    EXPECT_EQ(render("{{ 'a' }}{{ \"b\" }}{{ 1 }}{{ 2.5 }}{{ 1.0 }}"), "ab12.51.0");
    EXPECT_EQ(render("{{ true }} {{ false }} {{ none }}|{{ undefined_name }}|"), "true false ||");
    EXPECT_EQ(render("{{ [1, 'a', none, true] }}"), "[1, \"a\", null, true]");
    EXPECT_EQ(render("{{ {'k': 1, 'a': [2]} }}"), "{\"k\": 1, \"a\": [2]}");
    EXPECT_EQ(render("{{ 'a\\nb\\t\\u00e9\\x41' }}"), "a\nb\t\xc3\xa9" "A");
    EXPECT_EQ(render("{{ 'it''s' }}"), "its");  // adjacent literals concatenate
}

TEST(Jinja, Arithmetic) {
    EXPECT_EQ(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}"),
              "7 9 3 -4 1 2");
    EXPECT_EQ(render("{{ 1 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ 1.5 * 2 }} {{ -3 }}"),
              "0.5 2.0 1024 64 3.0 -3");
    EXPECT_EQ(render("{{ 'a' ~ 1 ~ none ~ true }}"), "a1true");
    EXPECT_EQ(render("{{ 'ab' * 3 }} {{ [1] + [2] }} {{ 'x' + 'y' }}"), "ababab [1, 2] xy");
    EXPECT_NE(render_error("{{ 1 / 0 }}").find("division by zero"), std::string::npos);
    EXPECT_NE(render_error("{{ 9223372036854775807 + 1 }}").find("overflow"), std::string::npos);
}

TEST(Jinja, ComparisonsAndLogic) {
    EXPECT_EQ(render("{{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 2 > 1 }} {{ 'a' < 'b' }} {{ [1] == [1] }}"),
              "true true true true true");
    EXPECT_EQ(render("{{ 1 in [1, 2] }} {{ 'b' in 'abc' }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}"),
              "true true true true");
    EXPECT_EQ(render("{{ not true and false }} {{ 1 or 2 }} {{ 0 and 2 }} {{ none or 'x' }}"), "false 1 0 x");
    EXPECT_EQ(render("{{ 'y' if 1 > 2 else 'n' }}|{{ 'y' if false }}|"), "n||");
}

TEST(Jinja, Tests) {
    json v = {{"s", "x"}, {"n", 1}, {"f", 1.5}, {"d", {{"a", 1}}}, {"l", {1}}, {"z", nullptr}, {"b", true}};
    EXPECT_EQ(render("{{ s is string }}{{ n is number }}{{ f is number }}{{ d is mapping }}{{ l is iterable }}"
                     "{{ l is sequence }}{{ b is boolean }}{{ b is true }}{{ b is false }}{{ z is none }}",
                     v),
              "truetruetruetruetruetruetruetruefalsetrue");
    EXPECT_EQ(render("{{ q is defined }}{{ q is undefined }}{{ s is not none }}{{ 3 is odd }}{{ 3 is even }}"
                     "{{ 9 is divisibleby 3 }}{{ d.a is defined }}{{ d.zz is defined }}",
                     v),
              "falsetruetruetruefalsetruetruefalse");
    EXPECT_EQ(render("{{ not q is defined }}", v), "true");  // `not` binds looser than `is`
}

TEST(Jinja, AttributeItemAndSlice) {
    json v = {{"m", {{"role", "user"}, {"content", "héllo"}}}, {"l", {1, 2, 3, 4}}};
    EXPECT_EQ(render("{{ m.role }} {{ m['content'] }} {{ m.missing }}|{{ l[0] }} {{ l[-1] }} {{ l[9] }}|", v),
              "user héllo |1 4 |");
    EXPECT_EQ(render("{{ l[1:3] }} {{ l[::-1] }} {{ l[:-1] }} {{ l[::2] }}", v), "[2, 3] [4, 3, 2, 1] [1, 2, 3] [1, 3]");
    // strings index and slice by code point, not byte
    EXPECT_EQ(render("{{ m.content[1] }} {{ m.content[1:3] }} {{ m.content[::-1] }} {{ m.content|length }}", v),
              "é él olléh 5");
}

TEST(Jinja, ForLoops) {
    json v = {{"l", {"a", "b", "c"}}, {"d", {{"x", 1}, {"y", 2}}}};
    EXPECT_EQ(render("{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ x }}"
                     "{{ 'F' if loop.first }}{{ 'L' if loop.last }}{{ loop.length }};{% endfor %}",
                     v),
              "103aF3;212b3;321cL3;");
    EXPECT_EQ(render("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty");
    EXPECT_EQ(render("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}", v), "x=1,y=2,");
    EXPECT_EQ(render("{% for k in d %}{{ k }}{% endfor %}", v), "xy");
    EXPECT_EQ(render("{% for x in [3, 1, 2] if x > 1 %}{{ x }}{{ loop.index }}{% endfor %}"), "3122");
    EXPECT_EQ(render("{% for x in range(5) %}{% if x == 3 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}"
                     "{% endif %}{{ x }}{% endfor %}"),
              "02");
    EXPECT_EQ(render("{% for x in l %}{{ loop.previtem }}{% endfor %}", v), "ab");
    // a plain `set` inside a loop does not leak out (that is what namespace() is for)
    EXPECT_EQ(render("{% set n = 0 %}{% for x in l %}{% set n = n + 1 %}{% endfor %}{{ n }}", v), "0");
}

TEST(Jinja, SetAndNamespace) {
    EXPECT_EQ(render("{% set a = 'x' %}{% set b, c = 1, 2 %}{{ a }}{{ b }}{{ c }}"), "x12");
    EXPECT_EQ(render("{% set ns = namespace(n=0, items=[]) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}"
                     "{% set _ = ns.items.append(i * 10) %}{% endfor %}{{ ns.n }} {{ ns.items }}"),
              "3 [0, 10, 20]");
    EXPECT_EQ(render("{% set block %}in{{ 1 }}side{% endset %}[{{ block }}]"), "[in1side]");
    EXPECT_NE(render_error("{% set d = {} %}{% set d.x = 1 %}").find("namespace"), std::string::npos);
}

TEST(Jinja, MacrosAndCall) {
    EXPECT_EQ(render("{% macro f(a, b=2) %}[{{ a }}{{ b }}]{% endmacro %}{{ f(1) }}{{ f(1, b=3) }}{{ f(a=5) }}"),
              "[12][13][52]");
    EXPECT_EQ(render("{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}body{% endcall %}"), "<body>");
    EXPECT_EQ(render("{% filter upper %}ab{{ 'c' }}{% endfilter %}"), "ABC");
    EXPECT_NE(render_error("{% macro f(a) %}{% endmacro %}{{ f(zz=1) }}").find("no parameter 'zz'"),
              std::string::npos);
}

TEST(Jinja, WhitespaceControl) {
    // trim_blocks + lstrip_blocks as in transformers; '-' strips all whitespace on that side
    EXPECT_EQ(render("A\n{% if true %}\n  B\n{% endif %}\nC"), "A\n  B\nC");
    EXPECT_EQ(render("A  {% if true %}x{% endif %}  \n  {% if true %}y{% endif %}\nz {# c #}\nw"), "A  x  \nyz w");
    EXPECT_EQ(render("a  \n  {{- 'b' -}}  \n  c"), "abc");
    EXPECT_EQ(render("a {%- if true -%} b {%- endif -%} c"), "abc");
    EXPECT_EQ(render("a\n  {%+ if true %}b{% endif %}"), "a\n  b");  // '+' keeps the indentation
    EXPECT_EQ(render("x\n"), "x");      // one trailing newline dropped
    EXPECT_EQ(render("x\n\n"), "x\n");
    EXPECT_EQ(render("a{# comment {{ not parsed }} #}b"), "ab");
    EXPECT_EQ(render("{{ {'a': {'b': 1}} }}"), "{\"a\": {\"b\": 1}}");  // '}}' inside a dict literal
}

TEST(Jinja, Filters) {
    json v = {{"l", {3, 1, 2}}, {"s", "  Hello World  "}, {"people", {{{"n", "b"}, {"age", 3}}, {{"n", "a"}, {"x", true}}}}};
    EXPECT_EQ(render("[{{ s|trim }}] {{ s|trim|upper }} {{ s|trim|lower }} {{ 'ab cd'|title }} {{ 'aBC'|capitalize }}", v),
              "[Hello World] HELLO WORLD hello world Ab Cd Abc");
    EXPECT_EQ(render("{{ l|length }} {{ l|count }} {{ l|first }} {{ l|last }} {{ l|sort }} {{ l|reverse|list }} "
                     "{{ l|join('-') }} {{ l|sort(reverse=true) }} {{ [1, 1, 2]|unique|list }}",
                     v),
              "3 3 3 2 [1, 2, 3] [2, 1, 3] 3-1-2 [3, 2, 1] [1, 2]");
    EXPECT_EQ(render("{{ q|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 'v'|d('x') }}", v),
              "d  d v");
    EXPECT_EQ(render("{{ 'aXbX'|replace('X', '.') }} {{ '3'|int + 1 }} {{ '2.5'|float }} {{ 'x'|int }} {{ 2.7|int }}"),
              "a.b. 4 2.5 0 2");
    EXPECT_EQ(render("{{ -3|abs }} {{ 2.567|round(1) }} {{ 2.5|round }} {{ 5|string ~ 'x' }} {{ 'a'|safe }}"),
              "3 2.6 3.0 5x a");
    EXPECT_EQ(render("{{ people|map(attribute='n')|join(',') }} {{ people|selectattr('x')|map(attribute='n')|list }} "
                     "{{ people|rejectattr('x')|map(attribute='n')|first }} {{ people|sort(attribute='n')|map(attribute='n')|join }}",
                     v),
              "b,a [\"a\"] b ab");
    EXPECT_EQ(render("{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ ['1', '2']|map('int')|sum }}"),
              "[1, 3] [2, 4] 3");
    EXPECT_EQ(render("{{ {'b': 1, 'a': 2}|items|list }} {{ {'b': 1, 'a': 2}|dictsort }}"),
              "[[\"b\", 1], [\"a\", 2]] [[\"a\", 2], [\"b\", 1]]");
    EXPECT_EQ(render("{{ 'a\\nb'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}"), "a\n  b|  a\n  b");
}

TEST(Jinja, Tojson) {
    json v = {{"x", {{"b", 1}, {"a", {1, 2.5, "é\"<"}}, {"c", nullptr}, {"d", true}}}};
    EXPECT_EQ(render("{{ x|tojson }}", v), "{\"b\": 1, \"a\": [1, 2.5, \"é\\\"<\"], \"c\": null, \"d\": true}");
    EXPECT_EQ(render("{{ x|tojson(indent=2) }}", v),
              "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2.5,\n    \"é\\\"<\"\n  ],\n  \"c\": null,\n  \"d\": true\n}");
    EXPECT_EQ(render("{{ 'a\\n\\u0001'|tojson }} {{ []|tojson(indent=2) }}"), "\"a\\n\\u0001\" []");
}

TEST(Jinja, StringMethods) {
    json v = {{"s", "Hello World"}};
    EXPECT_EQ(render("{{ s.startswith('He') }} {{ s.endswith(('x', 'ld')) }} {{ s.upper() }} {{ s.lower() }}", v),
              "true true HELLO WORLD hello world");
    EXPECT_EQ(render("{{ s.split(' ') }} {{ '  a  b '.split() }} {{ 'a,b,c'.split(',', 1) }}", v),
              "[\"Hello\", \"World\"] [\"a\", \"b\"] [\"a\", \"b,c\"]");
    EXPECT_EQ(render("[{{ '\\n x \\n'.strip() }}] [{{ '\\n\\nx\\n'.strip('\\n') }}] [{{ 'xxhixx'.lstrip('x') }}] "
                     "[{{ 'xxhixx'.rstrip('x') }}] [{{ s.strip('Hd') }}]",
                     v),
              "[x] [x] [hixx] [xxhi] [ello Worl]");
    EXPECT_EQ(render("{{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }} {{ s.title() }} {{ s.find('W') }}", v),
              "HeLLo WorLd HeLlo World Hello World 6");
    EXPECT_EQ(render("{{ '</think>x'.split('</think>')[-1] }}"), "x");
}

TEST(Jinja, DictAndListMethods) {
    json v = {{"d", {{"a", 1}, {"b", 2}}}};
    EXPECT_EQ(render("{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} "
                     "{{ d.get('z', 9) }} {{ d.get('z') is none }}",
                     v),
              "[\"a\", \"b\"] [1, 2] [[\"a\", 1], [\"b\", 2]] 1 9 true");
    EXPECT_EQ(render("{% set l = [1] %}{% set _ = l.append(2) %}{{ l }} {{ l.pop() }} {{ l }}"), "[1, 2] 2 [1]");
}

TEST(Jinja, Globals) {
    EXPECT_EQ(render("{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(3, 0, -1)|list }}"),
              "[0, 1, 2] [1, 3, 5] [3, 2, 1]");
    EXPECT_EQ(render("{{ bos_token }}{{ eos_token }}{{ add_generation_prompt }}"), "<s></s>false");
    EXPECT_EQ(render("{{ strftime_now('%Y')|length }}"), "4");
    std::string e = render_error("x\n  {{ raise_exception('Roles must alternate') }}");
    EXPECT_NE(e.find("Roles must alternate"), std::string::npos) << e;
    EXPECT_NE(e.find("2:"), std::string::npos) << e;
}

TEST(Jinja, ErrorsNameLineAndColumn) {
    std::string e = render_error("ok\n{% if x %}\nno end");
    EXPECT_NE(e.find("endif"), std::string::npos) << e;
    e = render_error("line1\n  {{ 1 + }}");
    EXPECT_NE(e.find("2:10"), std::string::npos) << e;
    EXPECT_NE(e.find("expected an expression"), std::string::npos) << e;
    e = render_error("{{ 'abc }}");
    EXPECT_NE(e.find("1:4"), std::string::npos) << e;
    EXPECT_NE(e.find("unterminated string"), std::string::npos) << e;
    e = render_error("{% frobnicate %}");
    EXPECT_NE(e.find("unknown statement 'frobnicate'"), std::string::npos) << e;
    e = render_error("\n\n{{ 'a'|nosuchfilter }}");
    EXPECT_NE(e.find("3:7"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown filter 'nosuchfilter'"), std::string::npos) << e;
    e = render_error("{{ x.y() }}", json{{"x", {{"y", 1}}}});
    EXPECT_NE(e.find("not callable"), std::string::npos) << e;
    e = render_error("{{ 1 is frob }}");
    EXPECT_NE(e.find("unknown test 'frob'"), std::string::npos) << e;
}

}  // namespace
}  // namespace holo
