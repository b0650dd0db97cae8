#include "runtime/json_schema.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

namespace holo {
namespace {

using json = nlohmann::ordered_json;
using kind = schema_node::kind;

// Keywords that narrow what is valid and that the matcher cannot enforce: refused
// by name rather than silently ignored (the answer would not match the schema).
constexpr const char* k_unsupported[] = {
    "allOf", "oneOf", "not", "if", "then", "else", "pattern", "patternProperties", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "prefixItems", "contains",
    "minContains", "maxContains", "minProperties", "maxProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "dependencies", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
    "$dynamicRef", "$recursiveRef",
};

class compiler {
public:
    explicit compiler(const json& root) : root_(root) {}

    result<int32_t> compile(const json& s, int depth) {
        if (depth > k_json_schema_max_depth) {
            return error{"the schema nests deeper than " + std::to_string(k_json_schema_max_depth) + " levels"};
        }
        if (nodes_.size() >= k_json_schema_max_nodes) {
            return error{"the schema is too large (more than " + std::to_string(k_json_schema_max_nodes) +
                         " nodes once $ref are expanded)"};
        }
        if (s.is_boolean()) {
            if (!s.get<bool>()) return error{"the schema 'false' accepts no value"};
            return add(schema_node{});
        }
        if (!s.is_object()) return error{"a schema must be an object or a boolean, not " + std::string(s.type_name())};
        for (const char* kw : k_unsupported) {
            if (s.contains(kw)) return error{std::string("JSON Schema keyword '") + kw + "' is not supported"};
        }
        if (auto it = s.find("$ref"); it != s.end()) return compile_ref(*it, depth);
        if (auto it = s.find("anyOf"); it != s.end()) {
            for (const char* kw : {"type", "enum", "const", "properties", "items"}) {
                if (s.contains(kw)) return error{std::string("'anyOf' next to '") + kw + "' is not supported; move it into each branch"};
            }
            if (!it->is_array() || it->empty()) return error{"'anyOf' must be a non-empty array of schemas"};
            std::vector<int32_t> alts;
            for (const auto& a : *it) {
                auto n = compile(a, depth + 1);
                if (!n.ok()) return n.err();
                alts.push_back(n.value());
            }
            return alts.size() == 1 ? alts[0] : add_any_of(std::move(alts));
        }
        std::vector<std::string> types;
        if (auto it = s.find("type"); it != s.end()) {
            if (it->is_string()) {
                types.push_back(it->get<std::string>());
            } else if (it->is_array() && !it->empty()) {
                for (const auto& t : *it) {
                    if (!t.is_string()) return error{"'type' entries must be strings"};
                    types.push_back(t.get<std::string>());
                }
            } else {
                return error{"'type' must be a string or a non-empty array of strings"};
            }
        }
        if (s.contains("enum") || s.contains("const")) return compile_literals(s, types);
        if (types.empty()) {
            if (s.contains("properties") || s.contains("required") || s.contains("additionalProperties")) types = {"object"};
            else if (s.contains("items") || s.contains("minItems") || s.contains("maxItems")) types = {"array"};
            else if (s.contains("minLength") || s.contains("maxLength")) types = {"string"};
            else return add(schema_node{});
        }
        std::vector<int32_t> alts;
        for (const auto& t : types) {
            auto n = compile_typed(s, t, depth);
            if (!n.ok()) return n.err();
            alts.push_back(n.value());
        }
        return alts.size() == 1 ? alts[0] : add_any_of(std::move(alts));
    }

    std::vector<schema_node> take() { return std::move(nodes_); }

private:
    int32_t add(schema_node n) {
        nodes_.push_back(std::move(n));
        return int32_t(nodes_.size() - 1);
    }
    int32_t add_any_of(std::vector<int32_t> alts) {
        schema_node n;
        n.k = kind::any_of;
        n.alts = std::move(alts);
        return add(std::move(n));
    }

    result<int32_t> compile_ref(const json& ref, int depth) {
        if (!ref.is_string()) return error{"'$ref' must be a string"};
        const std::string r = ref.get<std::string>();
        const json* target = nullptr;
        if (r == "#") {
            target = &root_;
        } else {
            for (const char* defs : {"#/$defs/", "#/definitions/"}) {
                if (r.rfind(defs, 0) != 0) continue;
                const std::string name = r.substr(std::string(defs).size());
                auto d = root_.find(std::string(defs).substr(2, std::string(defs).size() - 3));
                if (d != root_.end() && d->is_object() && d->contains(name)) target = &d->at(name);
            }
        }
        if (!target) return error{"'$ref' \"" + r + "\" is not supported (only local #/$defs/NAME and #/definitions/NAME)"};
        if (std::find(refs_.begin(), refs_.end(), r) != refs_.end()) {
            return error{"recursive '$ref' \"" + r + "\" is not supported"};
        }
        refs_.push_back(r);
        auto n = compile(*target, depth + 1);
        refs_.pop_back();
        return n;
    }

    result<int32_t> compile_literals(const json& s, const std::vector<std::string>& types) {
        std::vector<json> values;
        if (auto it = s.find("const"); it != s.end()) values.push_back(*it);
        if (auto it = s.find("enum"); it != s.end()) {
            if (!it->is_array() || it->empty()) return error{"'enum' must be a non-empty array"};
            if (it->size() > k_json_schema_max_enum) return error{"'enum' has more than " + std::to_string(k_json_schema_max_enum) + " values"};
            if (s.contains("const")) {
                // Both: the const, if the enum lists it.
                if (std::find(it->begin(), it->end(), values[0]) == it->end()) return error{"'const' is not one of 'enum'"};
            } else {
                values.assign(it->begin(), it->end());
            }
        }
        schema_node n;
        n.k = kind::literal;
        for (const auto& v : values) {
            if (!types.empty() && std::find(types.begin(), types.end(), type_of(v)) == types.end() &&
                !(type_of(v) == "integer" && std::find(types.begin(), types.end(), "number") != types.end())) {
                continue;  // excluded by 'type'
            }
            n.literals.push_back(v.dump());
        }
        if (n.literals.empty()) return error{"no 'enum'/'const' value has the schema's 'type'"};
        std::sort(n.literals.begin(), n.literals.end());
        n.literals.erase(std::unique(n.literals.begin(), n.literals.end()), n.literals.end());
        return add(std::move(n));
    }

    static std::string type_of(const json& v) {
        if (v.is_object()) return "object";
        if (v.is_array()) return "array";
        if (v.is_string()) return "string";
        if (v.is_boolean()) return "boolean";
        if (v.is_null()) return "null";
        if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
        return "number";
    }

    static result<int64_t> get_count(const json& s, const char* key, int64_t dflt) {
        auto it = s.find(key);
        if (it == s.end()) return dflt;
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100000) {
            return error{std::string("'") + key + "' must be an integer between 0 and 100000"};
        }
        return it->get<int64_t>();
    }

    // A minKey / maxKey pair of counts: {min (default 0), max (default -1: none)}.
    static result<std::pair<int64_t, int64_t>> get_count_range(const json& s, const char* min_key,
                                                               const char* max_key) {
        auto lo = get_count(s, min_key, 0);
        auto hi = get_count(s, max_key, -1);
        if (!lo.ok()) return lo.err();
        if (!hi.ok()) return hi.err();
        if (hi.value() >= 0 && hi.value() < lo.value())
            return error{std::string("'") + max_key + "' is less than '" + min_key + "'"};
        return std::pair{lo.value(), hi.value()};
    }

    result<int32_t> compile_typed(const json& s, const std::string& t, int depth) {
        schema_node n;
        if (t == "string") {
            n.k = kind::string;
            auto r = get_count_range(s, "minLength", "maxLength");
            if (!r.ok()) return r.err();
            std::tie(n.min_len, n.max_len) = r.value();
        } else if (t == "number") {
            n.k = kind::number;
        } else if (t == "integer") {
            n.k = kind::integer;
        } else if (t == "boolean") {
            n.k = kind::boolean;
        } else if (t == "null") {
            n.k = kind::null;
        } else if (t == "array") {
            n.k = kind::array;
            auto r = get_count_range(s, "minItems", "maxItems");
            if (!r.ok()) return r.err();
            std::tie(n.min_items, n.max_items) = r.value();
            if (auto it = s.find("items"); it != s.end()) {
                if (it->is_array()) return error{"'items' as an array (tuple validation) is not supported"};
                auto c = compile(*it, depth + 1);
                if (!c.ok()) return c.err();
                n.items = c.value();
            }
        } else if (t == "object") {
            return compile_object(s, depth);
        } else {
            return error{"unknown 'type' \"" + t + "\""};
        }
        return add(std::move(n));
    }

    result<int32_t> compile_object(const json& s, int depth) {
        schema_node n;
        n.k = kind::object;
        std::set<std::string> required;
        if (auto it = s.find("required"); it != s.end()) {
            if (!it->is_array()) return error{"'required' must be an array of property names"};
            for (const auto& r : *it) {
                if (!r.is_string()) return error{"'required' entries must be strings"};
                required.insert(r.get<std::string>());
            }
        }
        std::set<std::string> declared;
        if (auto it = s.find("properties"); it != s.end()) {
            if (!it->is_object()) return error{"'properties' must be an object"};
            for (auto p = it->begin(); p != it->end(); ++p) {
                auto c = compile(p.value(), depth + 1);
                if (!c.ok()) return error{"property '" + p.key() + "': " + c.message()};
                n.props.push_back({json(p.key()).dump(), c.value(), required.count(p.key()) > 0});
                declared.insert(p.key());
            }
        }
        // Required but not declared: any value, after the declared ones.
        for (const auto& r : required) {
            if (!declared.count(r)) n.props.push_back({json(r).dump(), add(schema_node{}), true});
        }
        if (n.props.size() > k_json_schema_max_properties) {
            return error{"an object declares more than " + std::to_string(k_json_schema_max_properties) + " properties"};
        }
        if (n.props.empty()) {
            if (auto it = s.find("additionalProperties"); it != s.end() && !it->is_boolean()) {
                auto c = compile(*it, depth + 1);
                if (!c.ok()) return c.err();
                n.additional = c.value();
            } else if (it != s.end() && it->is_boolean() && !it->get<bool>()) {
                n.additional = -2;  // no keys at all: only {}
            }
        }
        return add(std::move(n));
    }

    const json& root_;
    std::vector<schema_node> nodes_;
    std::vector<std::string> refs_;  // $ref being expanded (cycle check)
};

// Shortest accepted text per node. A node is added after its children ($ref is
// expanded in place, never shared), so one pass in id order sees children first.
void compute_min_bytes(std::vector<schema_node>& nodes) {
    auto value_min = [&](int32_t id) -> size_t { return id < 0 ? 1 : nodes[size_t(id)].min_bytes; };
    {
        for (auto& n : nodes) {
            size_t m = 1;
            switch (n.k) {
                case kind::any: case kind::number: case kind::integer: m = 1; break;
                case kind::boolean: m = 4; break;
                case kind::null: m = 4; break;
                case kind::string: m = 2 + size_t(n.min_len); break;
                case kind::literal: {
                    m = SIZE_MAX;
                    for (const auto& l : n.literals) m = std::min(m, l.size());
                    break;
                }
                case kind::any_of: {
                    m = SIZE_MAX;
                    for (int32_t a : n.alts) m = std::min(m, value_min(a));
                    break;
                }
                case kind::array:
                    m = 2 + size_t(n.min_items) * value_min(n.items) + size_t(std::max<int64_t>(0, n.min_items - 1));
                    break;
                case kind::object: {
                    m = 2;
                    size_t n_req = 0;
                    for (const auto& p : n.props) {
                        if (!p.required) continue;
                        m += p.key_text.size() + 1 + value_min(p.node);
                        ++n_req;
                    }
                    if (n_req > 1) m += n_req - 1;
                    break;
                }
            }
            n.min_bytes = m;
        }
    }
}

}  // namespace

result<std::shared_ptr<const json_grammar>> compile_json_schema(const nlohmann::ordered_json& schema) {
    compiler c(schema);
    auto root = c.compile(schema, 0);
    if (!root.ok()) return root.err();
    auto g = std::make_shared<json_grammar>();
    g->nodes = c.take();
    g->root = root.value();
    compute_min_bytes(g->nodes);
    return std::shared_ptr<const json_grammar>(std::move(g));
}

std::shared_ptr<const json_grammar> any_object_grammar() {
    auto g = std::make_shared<json_grammar>();
    schema_node n;
    n.k = kind::object;
    g->nodes.push_back(n);
    g->root = 0;
    compute_min_bytes(g->nodes);
    return g;
}

std::shared_ptr<const json_grammar> with_affixes(const json_grammar& g, std::string prefix, std::string suffix) {
    auto out = std::make_shared<json_grammar>(g);
    out->prefix = std::move(prefix);
    out->suffix = std::move(suffix);
    return out;
}

}  // namespace holo
