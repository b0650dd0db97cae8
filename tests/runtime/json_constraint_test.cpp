// The JSON Schema compiler and the byte-level matcher: refused keywords by name,
// accepted / rejected prefixes per schema, completeness, the shortest-completion
// count; and the property that matters: generation under pick_constrained with
// random logits always ends in text that nlohmann::json parses and that an
// independent validator (written here, from the keyword definitions) accepts.
#include <gtest/gtest.h>

#include <random>

#include "runtime/constrained_pick.h"
#include "runtime/json_matcher.h"
#include "runtime/json_schema.h"

namespace holo {
namespace {

using json = nlohmann::ordered_json;  // schema key order is generation order

std::shared_ptr<const json_grammar> compile_ok(const json& s) {
    auto g = compile_json_schema(s);
    EXPECT_TRUE(g.ok()) << s.dump() << ": " << (g.ok() ? "" : g.message());
    return g.ok() ? g.value() : any_object_grammar();
}

bool viable(const std::shared_ptr<const json_grammar>& g, const std::string& text) {
    json_matcher m(g);
    return m.feed(text);
}

bool complete(const std::shared_ptr<const json_grammar>& g, const std::string& text) {
    json_matcher m(g);
    return m.feed(text) && m.complete();
}

TEST(json_schema, refuses_unsupported_keywords_by_name) {
    for (const char* kw : {"pattern", "minimum", "allOf", "oneOf", "not", "uniqueItems", "patternProperties"}) {
        json s = {{"type", "string"}, {kw, 1}};
        auto g = compile_json_schema(s);
        ASSERT_FALSE(g.ok()) << kw;
        EXPECT_NE(g.message().find(std::string("'") + kw + "'"), std::string::npos) << g.message();
    }
    // Nested: the property is named too.
    auto g = compile_json_schema(json::parse(R"({"type":"object","properties":{"age":{"type":"integer","maximum":3}}})"));
    ASSERT_FALSE(g.ok());
    EXPECT_NE(g.message().find("age"), std::string::npos);
    EXPECT_NE(g.message().find("maximum"), std::string::npos);
}

TEST(json_schema, refuses_impossible_deep_and_recursive_schemas) {
    EXPECT_FALSE(compile_json_schema(json::parse(R"({"enum":[]})")).ok());
    EXPECT_FALSE(compile_json_schema(json::parse(R"({"type":"string","minLength":5,"maxLength":2})")).ok());
    EXPECT_FALSE(compile_json_schema(json(false)).ok());
    EXPECT_FALSE(compile_json_schema(json::parse(R"({"type":"string","enum":[1,2]})")).ok());
    json deep = {{"type", "string"}};
    for (int i = 0; i < 40; ++i) deep = {{"type", "array"}, {"items", deep}};
    auto d = compile_json_schema(deep);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.message().find("deeper"), std::string::npos);
    auto r = compile_json_schema(json::parse(
        R"({"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}},"$ref":"#/$defs/node"})"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("recursive"), std::string::npos);
    EXPECT_FALSE(compile_json_schema(json::parse(R"({"$ref":"https://example.com/x.json"})")).ok());
    // Annotations and unknown keywords do not change validity: accepted.
    EXPECT_TRUE(compile_json_schema(json::parse(
        R"({"type":"string","title":"t","description":"d","format":"date","x-vendor":1,"default":"a"})")).ok());
}

TEST(json_matcher, any_object) {
    auto g = any_object_grammar();
    for (const char* ok : {"{", "{}", "{ \"a\": 1}", "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\u00e9\\n\"}", "{\"k\":-0.5e+3}",
                           "{\"\xc3\xa9\":true}", "{\"a\":\"\xe2\x82\xac\"}"}) {
        EXPECT_TRUE(viable(g, ok)) << ok;
    }
    for (const char* bad : {"[", "1", "{a", "{\"a\" 1", "{\"a\":01}", "{\"a\":1,}", "{}x", "{} ", "{\"a\":tru1",
                            "{\"a\":\"\x01\"}", "{\"a\":\"\xc0\x80\"", "{\"a\":\"\xed\xa0\x80\"", "{\"a\":\"\\ud800\"",
                            "{\"a\":\"\\x\"", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}"}) {
        EXPECT_FALSE(viable(g, bad)) << bad;
    }
    EXPECT_TRUE(complete(g, "{}"));
    EXPECT_TRUE(complete(g, "{\"a\": {\"b\": [true, false, null, 1.5e3, \"s\"]}}"));
    EXPECT_FALSE(complete(g, "{\"a\": 1"));
    json_matcher m(g);
    ASSERT_TRUE(m.feed("{}"));
    EXPECT_FALSE(m.can_continue());  // the document is closed: nothing more, not even a space
}

TEST(json_matcher, whitespace_is_bounded) {
    auto g = any_object_grammar();
    EXPECT_TRUE(viable(g, "{" + std::string(json_matcher::k_max_ws_run, ' ') + "}"));
    EXPECT_FALSE(viable(g, "{" + std::string(json_matcher::k_max_ws_run + 1, ' ')));
    // Spaces inside a string are content, not padding.
    EXPECT_TRUE(viable(g, "{\"a\":\"" + std::string(50, ' ') + "\"}"));
}

TEST(json_matcher, object_properties_in_order_required_enforced) {
    auto g = compile_ok(json::parse(R"({"type":"object","properties":{
        "name":{"type":"string","maxLength":5},
        "age":{"type":"integer"},
        "tag":{"enum":["a","b",3,null]},
        "ok":{"type":"boolean"}},
      "required":["name","ok"], "additionalProperties": false})"));
    EXPECT_TRUE(complete(g, R"({"name":"bob","ok":true})"));
    EXPECT_TRUE(complete(g, R"({"name":"bob","age":-12,"tag":"b","ok":false})"));
    EXPECT_TRUE(complete(g, R"({ "name" : "", "tag" : 3, "ok" : true })"));
    EXPECT_TRUE(complete(g, R"({"name":"x","tag":null,"ok":true})"));
    EXPECT_FALSE(viable(g, R"({"age":1)"));             // name is required and comes first
    EXPECT_FALSE(viable(g, R"({"name":"x","ok":true,"age")"));  // order is fixed
    EXPECT_FALSE(viable(g, R"({"name":"x"})"));         // ok missing
    EXPECT_FALSE(viable(g, R"({"name":"toolong")"));    // maxLength 5
    EXPECT_FALSE(viable(g, R"({"name":"x","age":1.5)"));  // integer
    EXPECT_FALSE(viable(g, R"({"name":"x","tag":"c")"));
    EXPECT_FALSE(viable(g, R"({"name":"x","extra")"));
    EXPECT_FALSE(viable(g, R"({"name":"x","ok":1)"));
    EXPECT_FALSE(complete(g, R"({"name":"x","ok":true)"));
}

TEST(json_matcher, arrays_strings_any_of_and_refs) {
    auto g = compile_ok(json::parse(R"({"type":"array","items":{"type":["integer","null"]},"minItems":2,"maxItems":3})"));
    EXPECT_TRUE(complete(g, "[1,null]"));
    EXPECT_TRUE(complete(g, "[1, 2, 3]"));
    EXPECT_FALSE(viable(g, "[1]"));
    EXPECT_FALSE(viable(g, "[1,2,3,"));
    EXPECT_FALSE(viable(g, "[\"a\""));
    auto s = compile_ok(json::parse(R"({"type":"string","minLength":2,"maxLength":3})"));
    EXPECT_FALSE(viable(s, "\"a\""));
    EXPECT_TRUE(complete(s, "\"\xc3\xa9\\n\""));  // 2 code points
    EXPECT_FALSE(viable(s, "\"abcd"));
    auto a = compile_ok(json::parse(R"({"anyOf":[{"type":"object","properties":{"x":{"const":1}},"required":["x"]},
                                                 {"type":"object","properties":{"y":{"type":"string"}},"required":["y"]},
                                                 {"type":"number"}]})"));
    EXPECT_TRUE(complete(a, R"({"x":1})"));
    EXPECT_TRUE(complete(a, R"({"y":"q"})"));
    EXPECT_TRUE(complete(a, "-3.25"));
    EXPECT_FALSE(viable(a, R"({"x":2)"));
    EXPECT_FALSE(viable(a, R"({"z")"));
    auto r = compile_ok(json::parse(R"({"$defs":{"pt":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}},
                                        "type":"object","properties":{"a":{"$ref":"#/$defs/pt"},"b":{"$ref":"#/$defs/pt"}},
                                        "required":["a","b"]})"));
    EXPECT_TRUE(complete(r, R"({"a":{"x":1},"b":{"x":2.5}})"));
    EXPECT_FALSE(viable(r, R"({"a":{"y")"));
}

TEST(json_matcher, numbers_and_top_level_scalars) {
    auto n = compile_ok(json::parse(R"({"type":"number"})"));
    EXPECT_TRUE(complete(n, "0"));
    EXPECT_TRUE(complete(n, "-12.5E-3"));
    EXPECT_FALSE(viable(n, "012"));
    EXPECT_FALSE(viable(n, "+1"));
    json_matcher m(n);
    ASSERT_TRUE(m.feed("12"));
    EXPECT_TRUE(m.complete());
    EXPECT_TRUE(m.can_continue());  // more digits may follow
    EXPECT_FALSE(viable(n, "1" + std::string(json_matcher::k_max_int_digits, '1')));
}

TEST(json_matcher, min_remaining_is_the_shortest_completion) {
    auto g = compile_ok(json::parse(R"({"type":"object","properties":{"a":{"type":"string","minLength":2},"b":{"type":"boolean"},"c":{"type":"integer"}},"required":["a","b"]})"));
    const std::string shortest = R"({"a":"xx","b":true})";
    json_matcher m(g);
    EXPECT_EQ(m.min_remaining(), shortest.size());
    for (size_t i = 0; i < shortest.size(); ++i) {
        ASSERT_TRUE(m.feed(shortest.substr(i, 1))) << i;
        EXPECT_EQ(m.min_remaining(), shortest.size() - i - 1) << "after " << shortest.substr(0, i + 1);
    }
    EXPECT_TRUE(m.complete());
    auto t = with_affixes(*g, "<tool_call>\n", "\n</tool_call>");
    json_matcher w(t);
    EXPECT_EQ(w.min_remaining(), shortest.size() + 25);
    EXPECT_TRUE(w.in_affix());
    ASSERT_TRUE(w.feed("<tool_call>\n{"));
    EXPECT_FALSE(w.in_affix());
    ASSERT_TRUE(w.feed(R"("a":"xyz","b":false})"));
    EXPECT_FALSE(w.complete());
    EXPECT_TRUE(w.in_affix());
    ASSERT_TRUE(w.feed("\n</tool_call>"));
    EXPECT_TRUE(w.complete());
    EXPECT_FALSE(w.can_continue());
}

// ---- The property test: random logits, constrained generation, independent validation ----

// Validates `v` against the keyword subset json_schema.h documents, straight from
// the keyword definitions (no code shared with the matcher).
bool validates(const json& v, const json& s, const json& root) {
    if (s.is_boolean()) return s.get<bool>();
    if (s.contains("$ref")) {
        const std::string r = s["$ref"];
        return validates(v, root["$defs"][r.substr(8)], root);
    }
    if (s.contains("anyOf")) {
        for (const auto& a : s["anyOf"])
            if (validates(v, a, root)) return true;
        return false;
    }
    if (s.contains("const") && v != s["const"]) return false;
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) return false;
    if (s.contains("type")) {
        std::vector<std::string> types;
        if (s["type"].is_string()) types.push_back(s["type"]);
        else for (const auto& t : s["type"]) types.push_back(t);
        bool any = false;
        for (const auto& t : types) {
            any = any || (t == "object" && v.is_object()) || (t == "array" && v.is_array()) ||
                  (t == "string" && v.is_string()) || (t == "boolean" && v.is_boolean()) || (t == "null" && v.is_null()) ||
                  (t == "number" && v.is_number()) ||
                  (t == "integer" && (v.is_number_integer() || (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()))));
        }
        if (!any) return false;
    }
    if (v.is_object()) {
        for (const auto& r : s.value("required", json::array()))
            if (!v.contains(r.get<std::string>())) return false;
        const json props = s.value("properties", json::object());
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (props.contains(it.key())) {
                if (!validates(it.value(), props[it.key()], root)) return false;
            } else if (s.contains("additionalProperties")) {
                if (!validates(it.value(), s["additionalProperties"], root)) return false;
            }
        }
    }
    if (v.is_array()) {
        if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return false;
        if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return false;
        if (s.contains("items"))
            for (const auto& x : v)
                if (!validates(x, s["items"], root)) return false;
    }
    if (v.is_string()) {
        size_t cps = 0;
        for (unsigned char c : v.get<std::string>()) cps += (c & 0xC0) != 0x80;
        if (s.contains("minLength") && cps < s["minLength"].get<size_t>()) return false;
        if (s.contains("maxLength") && cps > s["maxLength"].get<size_t>()) return false;
    }
    return true;
}

// A vocabulary like a byte-level BPE one: every byte, common JSON pieces, words,
// an end token and a control token.
vocab_bytes test_vocab() {
    vocab_bytes vb;
    for (int b = 0; b < 256; ++b) vb.piece.push_back(std::string(1, char(b)));
    for (const char* p : {"{\"", "\":", "\",", "\"}", "true", "false", "null", " \"", "\":\"", "name", "age", "tags",
                          "12", "0.5", "e+", "\\n", "\\u00e9", "  ", "\n  ", "}}", "]}", "[{", "hello", " world",
                          "\xc3\xa9", "\xe2\x82", "\xac", "<tool_call>", "\n</tool_call>", "arguments"}) {
        vb.piece.push_back(p);
    }
    vb.flags.assign(vb.piece.size(), 0);
    vb.piece.push_back("<|end|>");
    vb.flags.push_back(vocab_bytes::k_end | vocab_bytes::k_control);
    vb.piece.push_back("<|im_start|>");
    vb.flags.push_back(vocab_bytes::k_control);
    return vb;
}

TEST(constrained_pick, random_logits_always_yield_valid_documents) {
    const std::vector<std::string> schemas = {
        R"({"type":"object"})",
        R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["name","age"]})",
        R"({"type":"object","properties":{"kind":{"enum":["cat","dog","ant"]},"n":{"type":"number"},"ok":{"type":["boolean","null"]}},"required":["kind","ok"]})",
        R"({"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"object","properties":{"x":{"const":"y"}},"required":["x"]}]},"minItems":1,"maxItems":4})",
        R"({"type":"object","properties":{"s":{"type":"string","minLength":3,"maxLength":6},"o":{"type":"object","additionalProperties":{"type":"boolean"}}},"required":["s","o"]})",
        R"({"$defs":{"p":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"required":["x","y"]}},"type":"object","properties":{"from":{"$ref":"#/$defs/p"},"to":{"$ref":"#/$defs/p"}},"required":["from","to"]})",
        R"({"type":"string","enum":["alpha","beta"]})",
    };
    const vocab_bytes vb = test_vocab();
    const int32_t end_id = int32_t(vb.piece.size()) - 2;
    std::vector<float> scratch;
    int n_runs = 0;
    for (const auto& text : schemas) {
        const json schema = json::parse(text);
        auto g = compile_ok(schema);
        for (const bool affixes : {false, true}) {
            auto gg = affixes ? with_affixes(*g, "<tool_call>\n", "\n</tool_call>") : g;
            for (uint64_t seed = 0; seed < 40; ++seed) {
                std::mt19937_64 rng(seed * 7919 + text.size());
                std::normal_distribution<float> normal(0.0f, 3.0f);
                sampler_params sp;
                sp.seed = seed;
                sp.temperature = seed % 4 == 0 ? 0.0f : 1.0f;
                sp.top_k = 0;
                sp.top_p = 1.0f;
                sp.min_p = 0.0f;
                sampler smp(sp);
                json_matcher m(gg);
                std::string out;
                const int64_t max_tokens = 120;
                bool ended = false;
                for (int64_t i = 0; i < max_tokens; ++i) {
                    if (m.complete() && !m.can_continue()) {
                        ended = true;
                        break;
                    }
                    std::vector<float> logits(vb.piece.size());
                    for (auto& l : logits) l = normal(rng);
                    logits[size_t(end_id)] += 4.0f;  // a model that wants to stop early
                    auto pick = pick_constrained(smp, logits, m, vb, max_tokens - i, scratch);
                    ASSERT_GE(pick.id, 0) << text << " seed " << seed << " after " << out;
                    if (pick.end) {
                        ASSERT_TRUE(m.complete()) << "end allowed before the document was complete: " << out;
                        ended = true;
                        break;
                    }
                    ASSERT_TRUE(m.feed(vb.piece[size_t(pick.id)])) << "picked a non-viable token " << pick.id;
                    out += vb.piece[size_t(pick.id)];
                }
                if (!ended) ended = m.complete();
                ASSERT_TRUE(ended) << text << " seed " << seed << ": ran out of tokens at " << out;
                std::string doc = out;
                if (affixes) {
                    ASSERT_EQ(doc.rfind("<tool_call>\n", 0), 0u) << doc;
                    ASSERT_GE(doc.size(), 25u);
                    ASSERT_EQ(doc.substr(doc.size() - 13), "\n</tool_call>") << doc;
                    doc = doc.substr(12, doc.size() - 25);
                }
                json v;
                try {
                    v = json::parse(doc);
                } catch (const std::exception& e) {
                    FAIL() << text << " seed " << seed << ": " << e.what() << " in " << doc;
                }
                EXPECT_TRUE(validates(v, schema, schema)) << text << " seed " << seed << ": " << doc;
                ++n_runs;
            }
        }
    }
    EXPECT_EQ(n_runs, int(schemas.size()) * 2 * 40);
}

}  // namespace
}  // namespace holo
