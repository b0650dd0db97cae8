// Methods callable on values (`s.startswith(x)`, `d.items()`, `ns.l.append(x)`).
// Only these names resolve; anything else is undefined, so there is nothing
// beyond the data to walk to.
#include <algorithm>

#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/strings.h"

namespace holo::jinja {

namespace {

const std::string* opt_string(const call_args& a, size_t i, std::string_view name, const char* what) {
    const value* v = a.get(i, name);
    if (!v || v->is_none() || v->is_undefined()) return nullptr;
    if (!v->is_string()) throw jinja_error{std::string(what) + ": argument must be a string, got " + v->type_name()};
    return &v->as_string();
}

const std::string& req_string(const call_args& a, size_t i, std::string_view name, const char* what) {
    const std::string* s = opt_string(a, i, name, what);
    if (!s) throw jinja_error{std::string(what) + ": missing argument '" + std::string(name) + "'"};
    return *s;
}

int64_t opt_int(const call_args& a, size_t i, std::string_view name, int64_t dflt) {
    const value* v = a.get(i, name);
    if (!v || v->is_none() || v->is_undefined()) return dflt;
    return to_int(*v, std::string::npos, std::string(name).c_str());
}

bool affix_match(const std::string& s, const value& pat, bool prefix, const char* what) {
    auto one = [&](const value& p) {
        if (!p.is_string()) throw jinja_error{std::string(what) + "(): argument must be a string or a list of strings"};
        const std::string& x = p.as_string();
        if (x.size() > s.size()) return false;
        return prefix ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
    };
    if (pat.is_list()) {
        for (auto& p : pat.as_list())
            if (one(p)) return true;
        return false;
    }
    return one(pat);
}

size_t count_occurrences(const std::string& s, const std::string& needle) {
    if (needle.empty()) return utf8_chars(s).size() + 1;
    size_t n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + needle.size())) ++n;
    return n;
}

value string_method(interpreter& in, const std::string& s, const std::string& name, size_t pos) {
    auto fn = [](auto f) { return value::function(std::move(f)); };
    if (name == "upper") return fn([s](call_args&) { return value::string(ascii_upper(s)); });
    if (name == "lower") return fn([s](call_args&) { return value::string(ascii_lower(s)); });
    if (name == "title") return fn([s](call_args&) { return value::string(py_title(s)); });
    if (name == "capitalize") return fn([s](call_args&) { return value::string(py_capitalize(s)); });
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        bool left = name != "rstrip", right = name != "lstrip";
        return fn([s, left, right, name](call_args& a) {
            return value::string(py_strip(s, left, right, opt_string(a, 0, "chars", name.c_str())));
        });
    }
    if (name == "startswith" || name == "endswith") {
        bool prefix = name == "startswith";
        return fn([s, prefix, name](call_args& a) {
            const value* p = a.get(0, "prefix");
            if (!p) throw jinja_error{name + "() needs an argument"};
            return value::boolean(affix_match(s, *p, prefix, name.c_str()));
        });
    }
    if (name == "split") {
        return fn([s](call_args& a) {
            std::vector<value> parts;
            for (auto& p : py_split(s, opt_string(a, 0, "sep", "split"), opt_int(a, 1, "maxsplit", -1)))
                parts.push_back(value::string(std::move(p)));
            return value::list(std::move(parts));
        });
    }
    if (name == "replace") {
        return fn([&in, s, pos](call_args& a) {
            const std::string& from = req_string(a, 0, "old", "replace");
            const std::string& to = req_string(a, 1, "new", "replace");
            int64_t count = opt_int(a, 2, "count", -1);
            size_t n = count_occurrences(s, from);
            if (count >= 0) n = std::min<size_t>(n, size_t(count));
            if (!to.empty() && n > (in.spend().lim.max_output_bytes + 1) / to.size())
                in.spend().check_size(in.spend().lim.max_output_bytes + 1, pos);
            in.spend().check_size(s.size() + n * to.size(), pos);
            return value::string(py_replace(s, from, to, count));
        });
    }
    if (name == "find" || name == "count") {
        bool find = name == "find";
        return fn([s, find](call_args& a) {
            const std::string& x = req_string(a, 0, "sub", find ? "find" : "count");
            if (!find) return value::integer(int64_t(count_occurrences(s, x)) - (x.empty() ? 0 : 0));
            size_t p = s.find(x);
            if (p == std::string::npos) return value::integer(-1);
            return value::integer(int64_t(utf8_chars(std::string_view(s).substr(0, p)).size()));
        });
    }
    if (name == "join") {
        return fn([&in, s, pos](call_args& a) {
            const value* items = a.get(0, "iterable");
            if (!items) throw jinja_error{"join() needs an argument"};
            std::string out;
            bool first = true;
            for (auto& v : iterate(*items, pos)) {
                std::string part = to_output(v);
                in.spend().check_length(out.size() + s.size() + part.size(), pos);
                if (!first) out += s;
                out += part;
                first = false;
            }
            in.spend().check_size(out.size(), pos);
            return value::string(std::move(out));
        });
    }
    return value();
}

value dict_method(const value& obj, const std::string& name) {
    auto fn = [](auto f) { return value::function(std::move(f)); };
    if (name == "items")
        return fn([obj](call_args&) {
            std::vector<value> out;
            for (auto& [k, v] : obj.as_dict().items) out.push_back(value::list({value::string(k), v}));
            return value::list(std::move(out));
        });
    if (name == "keys")
        return fn([obj](call_args&) {
            std::vector<value> out;
            for (auto& kv : obj.as_dict().items) out.push_back(value::string(kv.first));
            return value::list(std::move(out));
        });
    if (name == "values")
        return fn([obj](call_args&) {
            std::vector<value> out;
            for (auto& kv : obj.as_dict().items) out.push_back(kv.second);
            return value::list(std::move(out));
        });
    if (name == "get")
        return fn([obj](call_args& a) {
            const value* k = a.get(0, "key");
            if (!k) throw jinja_error{"get() needs a key"};
            const value* v = k->is_string() ? obj.as_dict().find(k->as_string()) : nullptr;
            if (v) return *v;
            const value* d = a.get(1, "default");
            return d ? *d : value::none();
        });
    return value();
}

value list_method(interpreter& in, const value& obj, const std::string& name, size_t pos) {
    auto fn = [](auto f) { return value::function(std::move(f)); };
    if (name == "append")
        return fn([&in, obj, pos](call_args& a) {
            if (a.positional.size() != 1) throw jinja_error{"append() takes exactly one argument"};
            in.spend().spend_iterations(1, pos);  // growth is counted like loop work
            in.note_mutation(obj);
            obj.as_list().push_back(a.positional[0]);
            return value::none();
        });
    if (name == "pop")
        return fn([obj](call_args& a) {
            auto& l = obj.as_list();
            if (l.empty()) throw jinja_error{"pop() from an empty list"};
            int64_t i = a.positional.empty() ? -1 : to_int(a.positional[0], std::string::npos, "pop index");
            if (i < 0) i += int64_t(l.size());
            if (i < 0 || i >= int64_t(l.size())) throw jinja_error{"pop index out of range"};
            value v = l[size_t(i)];
            l.erase(l.begin() + i);
            return v;
        });
    if (name == "index")
        return fn([obj](call_args& a) {
            if (a.positional.empty()) throw jinja_error{"index() needs an argument"};
            auto& l = obj.as_list();
            for (size_t i = 0; i < l.size(); ++i)
                if (equal(l[i], a.positional[0])) return value::integer(int64_t(i));
            throw jinja_error{"index(): value is not in the list"};
        });
    return value();
}

}  // namespace

value get_method(interpreter& in, const value& obj, const std::string& name, size_t pos) {
    switch (obj.type()) {
        case kind::string: return string_method(in, obj.as_string(), name, pos);
        case kind::dict: return dict_method(obj, name);
        case kind::list: return list_method(in, obj, name, pos);
        default: return value();
    }
}

}  // namespace holo::jinja
