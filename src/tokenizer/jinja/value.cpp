// Values: construction, truthiness, printing, JSON, equality.
#include "tokenizer/jinja/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace holo::jinja {

const value* dict::find(const std::string& key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &items[it->second].second;
}

void dict::set(const std::string& key, value v) {
    auto it = index.find(key);
    if (it != index.end()) {
        items[it->second].second = std::move(v);
        return;
    }
    index.emplace(key, items.size());
    items.emplace_back(key, std::move(v));
}

const value* call_args::kw(std::string_view name) const {
    for (auto& [k, v] : keyword)
        if (k == name) return &v;
    return nullptr;
}

const value* call_args::get(size_t i, std::string_view name) const {
    if (i < positional.size()) return &positional[i];
    return kw(name);
}

value::~value() {
    if (!list_ && !dict_) return;
    std::vector<value> pending;
    release_children(pending);
    while (!pending.empty()) {
        value v = std::move(pending.back());
        pending.pop_back();
        v.release_children(pending);
    }
}

// Moves the children of containers this value alone owns into `out`, so they are
// destroyed by the loop above rather than by recursion.
void value::release_children(std::vector<value>& out) {
    if (list_ && list_.use_count() == 1) {
        for (auto& v : *list_) out.push_back(std::move(v));
        list_->clear();
    }
    if (dict_ && dict_.use_count() == 1) {
        for (auto& kv : dict_->items) out.push_back(std::move(kv.second));
        dict_->items.clear();
        dict_->index.clear();
    }
}

void value::clear_contents() const {
    std::vector<value> doomed;
    if (list_) doomed.swap(*list_);
    if (dict_) {
        for (auto& kv : dict_->items) doomed.push_back(std::move(kv.second));
        dict_->items.clear();
        dict_->index.clear();
    }
}

value value::none() { value v; v.kind_ = kind::none; return v; }
value value::boolean(bool b) { value v; v.kind_ = kind::boolean; v.b_ = b; return v; }
value value::integer(int64_t i) { value v; v.kind_ = kind::integer; v.i_ = i; return v; }
value value::floating(double f) { value v; v.kind_ = kind::floating; v.f_ = f; return v; }
value value::string(std::string s) {
    value v;
    v.kind_ = kind::string;
    v.s_ = std::make_shared<const std::string>(std::move(s));
    return v;
}
value value::list(std::vector<value> items) {
    value v;
    v.kind_ = kind::list;
    v.list_ = std::make_shared<std::vector<value>>(std::move(items));
    return v;
}
value value::dict_of(struct dict d) {
    value v;
    v.kind_ = kind::dict;
    v.dict_ = std::make_shared<struct dict>(std::move(d));
    return v;
}
value value::ns(struct dict d) {
    value v = dict_of(std::move(d));
    v.kind_ = kind::ns;
    return v;
}
value value::function(native_fn fn) {
    value v;
    v.kind_ = kind::function;
    v.fn_ = std::make_shared<native_fn>(std::move(fn));
    return v;
}

static value from_json_at(const nlohmann::ordered_json& j, int depth) {
    if (depth > k_max_value_depth)
        throw jinja_error{"input data nests deeper than " + std::to_string(k_max_value_depth) + " levels"};
    switch (j.type()) {
        case nlohmann::ordered_json::value_t::null: return value::none();
        case nlohmann::ordered_json::value_t::boolean: return value::boolean(j.get<bool>());
        case nlohmann::ordered_json::value_t::number_integer: return value::integer(j.get<int64_t>());
        case nlohmann::ordered_json::value_t::number_unsigned: {
            uint64_t u = j.get<uint64_t>();
            if (u > uint64_t(INT64_MAX)) return value::floating(double(u));
            return value::integer(int64_t(u));
        }
        case nlohmann::ordered_json::value_t::number_float: return value::floating(j.get<double>());
        case nlohmann::ordered_json::value_t::string: return value::string(j.get<std::string>());
        case nlohmann::ordered_json::value_t::array: {
            std::vector<value> items;
            items.reserve(j.size());
            for (auto& e : j) items.push_back(from_json_at(e, depth + 1));
            return value::list(std::move(items));
        }
        case nlohmann::ordered_json::value_t::object: {
            struct dict d;
            for (auto& [k, e] : j.items()) d.set(k, from_json_at(e, depth + 1));
            return value::dict_of(std::move(d));
        }
        default: return value();  // binary / discarded: nothing a template can use
    }
}

value value::from_json(const nlohmann::ordered_json& j) { return from_json_at(j, 0); }

bool value::truthy() const {
    switch (kind_) {
        case kind::undefined:
        case kind::none: return false;
        case kind::boolean: return b_;
        case kind::integer: return i_ != 0;
        case kind::floating: return f_ != 0;
        case kind::string: return !s_->empty();
        case kind::list: return !list_->empty();
        case kind::dict: return !dict_->items.empty();
        case kind::ns:
        case kind::function: return true;
    }
    return false;
}

const char* value::type_name() const {
    switch (kind_) {
        case kind::undefined: return "undefined";
        case kind::none: return "none";
        case kind::boolean: return "boolean";
        case kind::integer: return "integer";
        case kind::floating: return "float";
        case kind::string: return "string";
        case kind::list: return "list";
        case kind::dict: return "dict";
        case kind::function: return "function";
        case kind::ns: return "namespace";
    }
    return "?";
}

std::string format_float(double f) {
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
    if (f == std::floor(f) && std::fabs(f) < 1e16) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f", f);
        return buf;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, f);
    return std::string(buf, r.ptr);
}

static void json_string(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += char(c);
                }
        }
    }
    out += '"';
}

static void json_at(std::string& out, const value& v, int indent, int depth) {
    if (depth > k_max_value_depth) throw jinja_error{"tojson: value nests too deeply"};
    auto newline = [&](int d) {
        out += '\n';
        out.append(size_t(indent) * size_t(d), ' ');
    };
    switch (v.type()) {
        case kind::undefined:
        case kind::none: out += "null"; return;
        case kind::boolean: out += v.as_bool() ? "true" : "false"; return;
        case kind::integer: out += std::to_string(v.as_int()); return;
        case kind::floating: out += format_float(v.as_number()); return;
        case kind::string: json_string(out, v.as_string()); return;
        case kind::function: throw jinja_error{"tojson: cannot serialize a function"};
        case kind::list: {
            auto& items = v.as_list();
            out += '[';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += indent >= 0 ? "," : ", ";
                if (indent >= 0) newline(depth + 1);
                json_at(out, items[i], indent, depth + 1);
            }
            if (indent >= 0 && !items.empty()) newline(depth);
            out += ']';
            return;
        }
        case kind::dict:
        case kind::ns: {
            auto& items = v.as_dict().items;
            out += '{';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += indent >= 0 ? "," : ", ";
                if (indent >= 0) newline(depth + 1);
                json_string(out, items[i].first);
                out += ": ";
                json_at(out, items[i].second, indent, depth + 1);
            }
            if (indent >= 0 && !items.empty()) newline(depth);
            out += '}';
            return;
        }
    }
}

std::string to_json(const value& v, int indent) {
    std::string out;
    json_at(out, v, indent, 0);
    return out;
}

std::string to_output(const value& v) {
    switch (v.type()) {
        case kind::undefined:
        case kind::none: return "";
        case kind::boolean: return v.as_bool() ? "true" : "false";
        case kind::integer: return std::to_string(v.as_int());
        case kind::floating: return format_float(v.as_number());
        case kind::string: return v.as_string();
        case kind::function: return "<function>";
        default: return to_json(v);
    }
}

static bool equal_at(const value& a, const value& b, int depth) {
    if (depth > k_max_value_depth) throw jinja_error{"comparison of values nested too deeply"};
    if (a.is_number() && b.is_number()) {
        if (a.type() == kind::integer && b.type() == kind::integer) return a.as_int() == b.as_int();
        return a.as_number() == b.as_number();
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case kind::undefined:
        case kind::none: return true;
        case kind::boolean: return a.as_bool() == b.as_bool();
        case kind::string: return a.as_string() == b.as_string();
        case kind::list: {
            auto &x = a.as_list(), &y = b.as_list();
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!equal_at(x[i], y[i], depth + 1)) return false;
            return true;
        }
        case kind::dict:
        case kind::ns: {
            auto &x = a.as_dict(), &y = b.as_dict();
            if (x.items.size() != y.items.size()) return false;
            for (auto& [k, v] : x.items) {
                const value* o = y.find(k);
                if (!o || !equal_at(v, *o, depth + 1)) return false;
            }
            return true;
        }
        default: return false;
    }
}

bool equal(const value& a, const value& b) { return equal_at(a, b, 0); }

std::vector<std::string_view> utf8_chars(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + n > s.size()) n = 1;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) { n = 1; break; }
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace holo::jinja
