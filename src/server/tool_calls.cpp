#include "server/tool_calls.h"

namespace holo::server {

std::string_view ltrim_json_space(std::string_view s) {
    while (!s.empty() && is_json_space(s.front())) s.remove_prefix(1);
    return s;
}
std::string_view trim_json_space(std::string_view s) {
    s = ltrim_json_space(s);
    while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
    return s;
}

namespace {

using ojson = nlohmann::ordered_json;

// {"name": .., "arguments"|"parameters": {..} or a JSON string} → a call.
std::optional<tool_call> call_from(const ojson& j) {
    if (!j.is_object()) return std::nullopt;
    auto n = j.find("name");
    if (n == j.end() || !n->is_string() || n->get<std::string>().empty()) return std::nullopt;
    auto a = j.find("arguments");
    if (a == j.end()) a = j.find("parameters");
    tool_call c;
    c.name = n->get<std::string>();
    if (a == j.end() || a->is_null()) {
        c.arguments = "{}";
    } else if (a->is_string()) {
        c.arguments = a->get<std::string>();
    } else if (a->is_object()) {
        c.arguments = a->dump(-1, ' ', false, ojson::error_handler_t::replace);
    } else {
        return std::nullopt;
    }
    return c;
}

std::optional<ojson> parse(std::string_view text) {
    ojson j = ojson::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

}  // namespace

const char* tool_format_name(tool_format f) {
    switch (f) {
        case tool_format::llama3: return "llama3";
        case tool_format::mistral: return "mistral";
        default: return "hermes";
    }
}

std::optional<tool_format> tool_format_from_name(std::string_view name) {
    if (name == "hermes") return tool_format::hermes;
    if (name == "llama3") return tool_format::llama3;
    if (name == "mistral") return tool_format::mistral;
    return std::nullopt;
}

tool_format detect_tool_format(std::string_view src) {
    if (src.find(k_hermes_open) != std::string_view::npos) return tool_format::hermes;
    if (src.find(k_mistral_tag) != std::string_view::npos) return tool_format::mistral;
    if (src.find("<|start_header_id|>") != std::string_view::npos) return tool_format::llama3;
    // Templates that say nothing about tools get the hermes form, which the prompt
    // builder then describes to the model itself.
    return tool_format::hermes;
}

result<std::shared_ptr<const json_grammar>> forced_call_grammar(tool_format f, const ojson& tools,
                                                                const std::string& only_name) {
    ojson alts = ojson::array();
    ojson defs = ojson::object();
    const char* args_key = f == tool_format::llama3 ? "parameters" : "arguments";
    for (const auto& t : tools) {
        const ojson& fn = t.at("function");
        const std::string name = fn.at("name").get<std::string>();
        if (!only_name.empty() && name != only_name) continue;
        ojson params = fn.contains("parameters") ? fn.at("parameters") : ojson{{"type", "object"}};
        // Local $defs of each tool's parameters move to the wrapper's root, where
        // their "#/$defs/NAME" references now point.
        for (const char* key : {"$defs", "definitions"}) {
            if (!params.is_object() || !params.contains(key)) continue;
            for (auto d = params[key].begin(); d != params[key].end(); ++d) {
                if (defs.contains(d.key()) && defs[d.key()] != d.value()) {
                    return error{"tools '" + name + "' and another define '" + d.key() + "' differently in " + key +
                                 "; give them distinct names"};
                }
                defs[d.key()] = d.value();
            }
            params.erase(key);
        }
        ojson call = {{"type", "object"},
                      {"properties", {{"name", {{"const", name}}}, {args_key, params}}},
                      {"required", {"name", args_key}}};
        alts.push_back(std::move(call));
    }
    if (alts.empty()) return error{"tool_choice names function '" + only_name + "', which is not in 'tools'"};
    ojson schema = alts.size() == 1 ? alts[0] : ojson{{"anyOf", alts}};
    if (!defs.empty()) schema["$defs"] = defs;
    auto g = compile_json_schema(schema);
    if (!g.ok()) return error{"tool parameters: " + g.message()};
    switch (f) {
        case tool_format::hermes: return with_affixes(*g.value(), "<tool_call>\n", "\n</tool_call>");
        case tool_format::mistral: return with_affixes(*g.value(), "[TOOL_CALLS][", "]");
        default: return g.value();
    }
}

parsed_reply parse_tool_calls(tool_format f, const std::string& text) {
    parsed_reply whole;
    whole.content = text;
    const std::string_view s = text;
    parsed_reply out;
    if (f == tool_format::hermes) {
        size_t pos = s.find(k_hermes_open);
        if (pos == std::string_view::npos) return whole;
        out.content = std::string(trim_json_space(s.substr(0, pos)));
        while (pos != std::string_view::npos) {
            const size_t body = pos + k_hermes_open.size();
            size_t end = s.find(k_hermes_close, body);
            auto j = parse(trim_json_space(s.substr(body, end == std::string_view::npos ? std::string_view::npos : end - body)));
            auto c = j ? call_from(*j) : std::nullopt;
            if (!c) return whole;
            out.calls.push_back(std::move(*c));
            if (end == std::string_view::npos) break;
            const size_t after = end + k_hermes_close.size();
            pos = s.find(k_hermes_open, after);
            // Text between or after calls is not content OpenAI could show in order; only whitespace is expected.
            if (!trim_json_space(s.substr(after, pos == std::string_view::npos ? std::string_view::npos : pos - after)).empty()) return whole;
        }
        return out;
    }
    if (f == tool_format::mistral) {
        size_t pos = s.find(k_mistral_tag);
        std::string_view rest;
        if (pos != std::string_view::npos) {
            out.content = std::string(trim_json_space(s.substr(0, pos)));
            rest = s.substr(pos + k_mistral_tag.size());
        } else if (ltrim_json_space(s).starts_with("[")) {
            rest = s;
        } else {
            return whole;
        }
        auto j = parse(trim_json_space(rest));
        if (!j || !j->is_array() || j->empty()) return whole;
        for (const auto& x : *j) {
            auto c = call_from(x);
            if (!c) return whole;
            out.calls.push_back(std::move(*c));
        }
        return out;
    }
    // llama3: the whole reply is one call object, optionally after <|python_tag|>.
    std::string_view body = ltrim_json_space(s);
    if (body.starts_with(k_python_tag)) body.remove_prefix(k_python_tag.size());
    if (!ltrim_json_space(body).starts_with("{")) return whole;
    auto j = parse(trim_json_space(body));
    auto c = j ? call_from(*j) : std::nullopt;
    if (!c) return whole;
    out.calls.push_back(std::move(*c));
    return out;
}

}  // namespace holo::server
