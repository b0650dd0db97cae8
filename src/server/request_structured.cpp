#include "server/request_structured.h"

#include <set>

namespace holo::server {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

bool valid_function_name(const std::string& n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) {
            return false;
        }
    }
    return true;
}

}  // namespace

ojson ordered_field(const json& body, const ojson* ordered, const char* key) {
    if (ordered && ordered->is_object()) {
        auto it = ordered->find(key);
        if (it != ordered->end()) return *it;
    }
    auto it = body.find(key);
    if (it == body.end()) return ojson();
    return ojson::parse(it->dump());
}

result<std::shared_ptr<const json_grammar>> parse_response_format(const ojson& v) {
    if (v.is_null()) return std::shared_ptr<const json_grammar>();
    if (!v.is_object()) return error{"'response_format' must be an object"};
    auto t = v.find("type");
    if (t == v.end() || !t->is_string()) return error{"'response_format' needs a string 'type'"};
    if (*t == "text") return std::shared_ptr<const json_grammar>();
    if (*t == "json_object") return any_object_grammar();
    if (*t != "json_schema") {
        return error{"response_format type " + t->dump() + " is not one of \"text\", \"json_object\", \"json_schema\""};
    }
    auto js = v.find("json_schema");
    if (js == v.end() || !js->is_object()) return error{"response_format json_schema needs a 'json_schema' object"};
    if (auto n = js->find("name"); n != js->end() && !n->is_string()) return error{"'json_schema.name' must be a string"};
    if (auto s = js->find("strict"); s != js->end() && !s->is_null() && !s->is_boolean()) {
        return error{"'json_schema.strict' must be true or false"};
    }
    auto schema = js->find("schema");
    if (schema == js->end() || schema->is_null()) return any_object_grammar();
    auto g = compile_json_schema(*schema);
    if (!g.ok()) return error{"response_format json_schema: " + g.message()};
    return g.value();
}

result<std::shared_ptr<const json_grammar>> parse_ollama_format(const ojson& v) {
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) return std::shared_ptr<const json_grammar>();
    if (v.is_string()) {
        if (v == "json") return any_object_grammar();
        return error{"format must be \"json\" or a JSON schema object, not " + v.dump()};
    }
    if (!v.is_object()) return error{"format must be \"json\" or a JSON schema object"};
    auto g = compile_json_schema(v);
    if (!g.ok()) return error{"format: " + g.message()};
    return g.value();
}

result<ojson> parse_tools(const ojson& v) {
    if (v.is_null() || (v.is_array() && v.empty())) return ojson();
    if (!v.is_array()) return error{"'tools' must be an array"};
    if (v.size() > k_max_tools) {
        return error{"'tools' has " + std::to_string(v.size()) + " entries; at most " + std::to_string(k_max_tools) + " are allowed"};
    }
    ojson out = ojson::array();
    std::set<std::string> names;
    for (const auto& t : v) {
        if (!t.is_object()) return error{"each tool must be an object"};
        if (auto ty = t.find("type"); ty != t.end() && !ty->is_null() && *ty != "function") {
            return error{"tool type " + ty->dump() + " is not supported (only \"function\")"};
        }
        auto fn = t.find("function");
        if (fn == t.end() || !fn->is_object()) return error{"each tool needs a 'function' object"};
        auto name = fn->find("name");
        if (name == fn->end() || !name->is_string() || !valid_function_name(name->get<std::string>())) {
            return error{"a tool's function.name must be 1 to 64 letters, digits, '_', '-' or '.'"};
        }
        const std::string n = name->get<std::string>();
        if (!names.insert(n).second) return error{"two tools are named '" + n + "'"};
        ojson f = {{"name", n}};
        if (auto d = fn->find("description"); d != fn->end() && !d->is_null()) {
            if (!d->is_string()) return error{"tool '" + n + "': description must be a string"};
            f["description"] = *d;
        }
        if (auto p = fn->find("parameters"); p != fn->end() && !p->is_null()) {
            if (!p->is_object()) return error{"tool '" + n + "': parameters must be a JSON schema object"};
            auto g = compile_json_schema(*p);
            if (!g.ok()) return error{"tool '" + n + "': parameters: " + g.message()};
            f["parameters"] = *p;
        }
        out.push_back({{"type", "function"}, {"function", std::move(f)}});
    }
    return out;
}

result<tool_choice_value> parse_tool_choice(const json& v, const ojson& tools) {
    tool_choice_value c;
    if (v.is_null()) return c;
    if (v.is_string()) {
        c.choice = v.get<std::string>();
        if (c.choice != "auto" && c.choice != "none" && c.choice != "required") {
            return error{"'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", ...}"};
        }
    } else if (v.is_object()) {
        auto fn = v.find("function");
        if (fn == v.end() || !fn->is_object() || !fn->contains("name") || !(*fn)["name"].is_string()) {
            return error{"'tool_choice' as an object needs function.name"};
        }
        c.choice = "function";
        c.name = (*fn)["name"].get<std::string>();
        bool found = false;
        if (tools.is_array())
            for (const auto& t : tools) found = found || t["function"]["name"] == c.name;
        if (!found) return error{"'tool_choice' names function '" + c.name + "', which is not in 'tools'"};
    } else {
        return error{"'tool_choice' must be a string or an object"};
    }
    if ((c.choice == "required") && !(tools.is_array() && !tools.empty())) {
        return error{"'tool_choice' \"required\" needs 'tools'"};
    }
    return c;
}

result<json> parse_message_tool_calls(const json& v) {
    if (v.is_null()) return json();
    if (!v.is_array()) return error{"a message's 'tool_calls' must be an array"};
    if (v.size() > k_max_tools) return error{"a message has more than " + std::to_string(k_max_tools) + " tool_calls"};
    json out = json::array();
    for (const auto& c : v) {
        if (!c.is_object()) return error{"each tool call must be an object"};
        auto fn = c.find("function");
        if (fn == c.end() || !fn->is_object()) return error{"each tool call needs a 'function' object"};
        auto name = fn->find("name");
        if (name == fn->end() || !name->is_string()) return error{"each tool call needs function.name"};
        json args = json::object();
        if (auto a = fn->find("arguments"); a != fn->end() && !a->is_null()) {
            if (a->is_string()) {
                // OpenAI sends arguments as JSON text; templates expect the object.
                json parsed = json::parse(a->get<std::string>(), nullptr, false);
                args = parsed.is_discarded() ? *a : parsed;
            } else if (a->is_object()) {
                args = *a;
            } else {
                return error{"function.arguments must be a JSON string or an object"};
            }
        }
        json call = {{"type", "function"}, {"function", {{"name", *name}, {"arguments", args}}}};
        if (auto id = c.find("id"); id != c.end() && id->is_string()) call["id"] = *id;
        out.push_back(std::move(call));
    }
    return out;
}

}  // namespace holo::server
