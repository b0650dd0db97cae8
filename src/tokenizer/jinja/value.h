// Runtime values of the Jinja subset used by chat templates: JSON-like data (none,
// bool, int, float, string, list, dict) plus callables and namespaces. Lists and
// dicts are shared by reference, as in Python, so `ns.items.append(x)` is visible.
// Only data ever enters the engine: there are no host objects to reach from here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace holo::jinja {

class value;

// Thrown inside the engine and turned into holo::error at the chat_template
// boundary; `pos` is a byte offset into the template (npos when unknown).
struct jinja_error {
    std::string message;
    size_t pos = std::string::npos;
};
constexpr int k_max_value_depth = 256;  // nesting of JSON data handed to templates

// Insertion-ordered string-keyed map (tojson must keep the caller's key order).
struct dict {
    std::vector<std::pair<std::string, value>> items;
    std::unordered_map<std::string, size_t> index;

    const value* find(const std::string& key) const;
    void set(const std::string& key, value v);
};

struct call_args {
    std::vector<value> positional;
    std::vector<std::pair<std::string, value>> keyword;
    const value* kw(std::string_view name) const;
    // positional[i], else keyword `name`, else nullptr
    const value* get(size_t i, std::string_view name) const;
};

using native_fn = std::function<value(call_args&)>;

enum class kind { undefined, none, boolean, integer, floating, string, list, dict, function, ns };

class value {
public:
    value() = default;
    value(const value&) = default;
    value(value&&) noexcept = default;
    value& operator=(const value&) = default;
    value& operator=(value&&) noexcept = default;
    // Iterative: a template can build lists nested a million deep, which a recursive
    // destructor chain would turn into a stack overflow.
    ~value();
    static value none();
    static value boolean(bool b);
    static value integer(int64_t i);
    static value floating(double f);
    static value string(std::string s);
    static value list(std::vector<value> items = {});
    static value dict_of(dict d = {});
    static value function(native_fn fn);
    static value ns(dict d = {});  // namespace(): a dict whose attributes may be assigned
    static value from_json(const nlohmann::ordered_json& j);

    kind type() const { return kind_; }
    bool is_undefined() const { return kind_ == kind::undefined; }
    bool is_none() const { return kind_ == kind::none; }
    bool is_number() const { return kind_ == kind::integer || kind_ == kind::floating; }
    bool is_string() const { return kind_ == kind::string; }
    bool is_list() const { return kind_ == kind::list; }
    bool is_dict() const { return kind_ == kind::dict || kind_ == kind::ns; }

    bool as_bool() const { return b_; }
    int64_t as_int() const { return i_; }
    double as_number() const { return kind_ == kind::integer ? double(i_) : f_; }
    const std::string& as_string() const { return *s_; }
    std::vector<value>& as_list() const { return *list_; }
    struct dict& as_dict() const { return *dict_; }
    const native_fn& as_function() const { return *fn_; }

    bool truthy() const;
    // Empties a list or dict in place (interpreter::~interpreter breaks cycles with it).
    void clear_contents() const;
    const char* type_name() const;

private:
    void release_children(std::vector<value>& out);

    kind kind_ = kind::undefined;
    bool b_ = false;
    int64_t i_ = 0;
    double f_ = 0;
    std::shared_ptr<const std::string> s_;
    std::shared_ptr<std::vector<value>> list_;
    std::shared_ptr<struct dict> dict_;
    std::shared_ptr<native_fn> fn_;
};

// How `{{ v }}` prints: as @huggingface/jinja does (true/false, none as "",
// floats with a ".0" when integral, lists and dicts as JSON with ", " and ": ").
std::string to_output(const value& v);
std::string format_float(double f);

// tojson: indent < 0 means one line with ", " / ": " separators (Python json.dumps).
std::string to_json(const value& v, int indent = -1);

// Deep equality; throws jinja_error past k_max_value_depth levels.
bool equal(const value& a, const value& b);

// Code-point helpers: Python strings index and measure code points, not bytes.
std::vector<std::string_view> utf8_chars(std::string_view s);

}  // namespace holo::jinja
