// JSON Schema → a small grammar the constrained sampler walks (json_matcher).
// A supported subset: type (object/array/string/number/integer/boolean/null and
// lists of them), properties + required, items, minItems/maxItems, minLength/
// maxLength, enum, const, anyOf, local $ref into $defs/definitions. Keywords
// that would change which documents are valid and are not supported are refused
// by name; annotations (title, description, default, format, ...) are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace holo {

inline constexpr int k_json_schema_max_depth = 16;     // nesting of schemas (and of free JSON values)
inline constexpr size_t k_json_schema_max_nodes = 4096;  // after $ref inlining
inline constexpr size_t k_json_schema_max_properties = 64;
inline constexpr size_t k_json_schema_max_enum = 1024;

struct schema_node {
    enum class kind : uint8_t { any, object, array, string, number, integer, boolean, null, literal, any_of };
    kind k = kind::any;

    // object: declared properties are written in this order, required ones always,
    // optional ones maybe; with none declared, any keys with `additional` values.
    struct property {
        std::string key_text;  // the key as written, quotes included: "\"name\""
        int32_t node = -1;
        bool required = false;
    };
    std::vector<property> props;
    int32_t additional = -1;  // free-key objects: the values' node; -1: any value
    // array
    int32_t items = -1;  // -1: any value
    int64_t min_items = 0, max_items = -1;
    // string (counted in code points)
    int64_t min_len = 0, max_len = -1;
    // literal (enum / const): compact JSON texts, sorted and unique
    std::vector<std::string> literals;
    // any_of
    std::vector<int32_t> alts;

    size_t min_bytes = 1;  // the shortest text this node accepts
};

// What the matcher walks: optional literal text around one JSON value
// (tool calls wrap the call object in "<tool_call>\n" … "\n</tool_call>").
struct json_grammar {
    std::vector<schema_node> nodes;
    int32_t root = -1;
    std::string prefix, suffix;
};

// Declared properties are generated in the schema's key order (hence ordered_json;
// a plain json converts, in its sorted order), required ones always, and no
// others: what OpenAI's strict mode asks for, and valid in non-strict mode too.
result<std::shared_ptr<const json_grammar>> compile_json_schema(const nlohmann::ordered_json& schema);
// OpenAI's json_object / Ollama's "json": any JSON object.
std::shared_ptr<const json_grammar> any_object_grammar();

// Same grammar with literal text around the value.
std::shared_ptr<const json_grammar> with_affixes(const json_grammar& g, std::string prefix, std::string suffix);

}  // namespace holo
