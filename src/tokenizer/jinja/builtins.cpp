// Filters, tests and global functions. Nothing here reaches outside the values it
// is given: no files, no environment, no processes (strftime_now reads the clock).
#include <algorithm>
#include <cmath>
#include <ctime>

#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/strings.h"

namespace holo::jinja {

namespace {

const value* arg(const call_args& a, size_t i, std::string_view name) { return a.get(i, name); }

bool arg_bool(const call_args& a, size_t i, std::string_view name, bool dflt) {
    const value* v = arg(a, i, name);
    return v ? v->truthy() : dflt;
}

const std::string& need_string(const value& v, const std::string& filter, size_t pos) {
    if (!v.is_string())
        throw jinja_error{"filter '" + filter + "' needs a string, got " + std::string(v.type_name()), pos};
    return v.as_string();
}

int64_t length_of(const value& v, size_t pos) {
    switch (v.type()) {
        case kind::string: return int64_t(utf8_chars(v.as_string()).size());
        case kind::list: return int64_t(v.as_list().size());
        case kind::dict:
        case kind::ns: return int64_t(v.as_dict().items.size());
        case kind::undefined: return 0;
        default: throw jinja_error{std::string("length of a ") + v.type_name() + " is not defined", pos};
    }
}

// attribute="a.b" or "0": dotted lookup used by map/selectattr/sort/join.
value lookup_path(const value& v, const std::string& path) {
    value cur = v;
    size_t b = 0;
    while (b <= path.size()) {
        size_t e = path.find('.', b);
        if (e == std::string::npos) e = path.size();
        std::string part = path.substr(b, e - b);
        if (cur.is_dict()) {
            const value* x = cur.as_dict().find(part);
            cur = x ? *x : value();
        } else if (cur.is_list() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
            size_t i = std::stoul(part);
            cur = i < cur.as_list().size() ? cur.as_list()[i] : value();
        } else {
            return value();
        }
        b = e + 1;
    }
    return cur;
}

int sort_compare(const value& a, const value& b, bool case_sensitive, size_t pos) {
    if (a.is_string() && b.is_string()) {
        std::string x = case_sensitive ? a.as_string() : ascii_lower(a.as_string());
        std::string y = case_sensitive ? b.as_string() : ascii_lower(b.as_string());
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if ((a.is_number() || a.type() == kind::boolean) && (b.is_number() || b.type() == kind::boolean)) {
        double x = a.type() == kind::boolean ? a.as_bool() : a.as_number();
        double y = b.type() == kind::boolean ? b.as_bool() : b.as_number();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    throw jinja_error{std::string("cannot sort a ") + a.type_name() + " against a " + b.type_name(), pos};
}

// select/reject/selectattr/rejectattr: test name from args[first], its arguments after.
std::vector<value> select_items(interpreter& in, const value& input, call_args& a, size_t first, const std::string* attr,
                                bool keep, size_t pos) {
    std::string test;
    call_args targs;
    if (a.positional.size() > first) {
        if (!a.positional[first].is_string()) throw jinja_error{"test name must be a string", pos};
        test = a.positional[first].as_string();
        targs.positional.assign(a.positional.begin() + long(first) + 1, a.positional.end());
    }
    std::vector<value> out;
    for (auto& item : iterate(input, pos)) {
        in.spend().spend_iterations(1, pos);
        value probe = attr ? lookup_path(item, *attr) : item;
        bool ok = test.empty() ? probe.truthy() : apply_test(in, test, probe, targs, pos);
        if (ok == keep) out.push_back(item);
    }
    return out;
}

value round_value(const value& v, call_args& a, size_t pos) {
    if (!v.is_number()) throw jinja_error{std::string("round needs a number, got ") + v.type_name(), pos};
    int64_t precision = 0;
    if (const value* p = arg(a, 0, "precision")) precision = to_int(*p, pos, "round precision");
    std::string method = "common";
    if (const value* m = arg(a, 1, "method"); m && m->is_string()) method = m->as_string();
    double scale = std::pow(10.0, double(precision));
    double x = v.as_number() * scale;
    double r = method == "floor" ? std::floor(x) : method == "ceil" ? std::ceil(x) : std::round(x);
    return value::floating(r / scale);
}

std::string indent_text(const std::string& s, const std::string& pad, bool first, bool blank) {
    std::string out;
    size_t b = 0;
    bool is_first = true;
    while (b <= s.size()) {
        size_t e = s.find('\n', b);
        std::string line = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
        bool add = (is_first ? first : true) && (blank || !line.empty());
        if (add) out += pad;
        out += line;
        if (e == std::string::npos) break;
        out += '\n';
        b = e + 1;
        is_first = false;
    }
    return out;
}

}  // namespace

value apply_filter(interpreter& in, const std::string& name, value v, call_args& a, size_t pos) {
    budget& bud = in.spend();
    if (name == "trim") {
        const value* chars = arg(a, 0, "chars");
        return value::string(py_strip(need_string(v, name, pos), true, true,
                                      chars && chars->is_string() ? &chars->as_string() : nullptr));
    }
    if (name == "tojson") {
        int indent = -1;
        if (const value* i = arg(a, 0, "indent"); i && !i->is_none()) indent = int(std::clamp<int64_t>(to_int(*i, pos, "indent"), 0, 64));
        std::string s = to_json(v, indent);
        bud.check_size(s.size(), pos);
        return value::string(std::move(s));
    }
    if (name == "length" || name == "count") return value::integer(length_of(v, pos));
    if (name == "upper") return value::string(ascii_upper(need_string(v, name, pos)));
    if (name == "lower") return value::string(ascii_lower(need_string(v, name, pos)));
    if (name == "title") return value::string(py_title(need_string(v, name, pos)));
    if (name == "capitalize") return value::string(py_capitalize(need_string(v, name, pos)));
    if (name == "string") return v.is_string() ? v : value::string(to_output(v));
    if (name == "safe") return v;  // no autoescaping: chat templates emit plain text
    if (name == "replace") {
        value method = get_method(in, value::string(need_string(v, name, pos)), "replace", pos);
        return in.call(method, a, pos);
    }
    if (name == "indent") {
        int64_t width = 4;
        if (const value* w = arg(a, 0, "width")) width = std::clamp<int64_t>(to_int(*w, pos, "indent width"), 0, 256);
        std::string s = indent_text(to_output(v), std::string(size_t(width), ' '), arg_bool(a, 1, "first", false),
                                    arg_bool(a, 2, "blank", false));
        bud.check_size(s.size(), pos);
        return value::string(std::move(s));
    }
    if (name == "join") {
        std::string sep;
        if (const value* s = arg(a, 0, "d")) sep = to_output(*s);
        const value* attr = arg(a, 1, "attribute");
        std::string out;
        bool first = true;
        for (auto& item : iterate(v, pos)) {
            std::string part = to_output(attr && attr->is_string() ? lookup_path(item, attr->as_string()) : item);
            bud.check_length(out.size() + sep.size() + part.size(), pos);
            if (!first) out += sep;
            out += part;
            first = false;
        }
        bud.check_size(out.size(), pos);
        return value::string(std::move(out));
    }
    if (name == "default" || name == "d") {
        bool boolean = arg_bool(a, 1, "boolean", false);
        bool use_default = v.is_undefined() || (boolean && !v.truthy());
        if (!use_default) return v;
        const value* d = arg(a, 0, "default_value");
        return d ? *d : value::string("");
    }
    if (name == "items") {
        if (v.is_undefined()) return value::list();
        if (!v.is_dict()) throw jinja_error{std::string("filter 'items' needs a mapping, got ") + v.type_name(), pos};
        return in.call(get_method(in, v, "items", pos), a, pos);
    }
    if (name == "dictsort") {
        if (!v.is_dict()) throw jinja_error{std::string("filter 'dictsort' needs a mapping, got ") + v.type_name(), pos};
        std::vector<std::pair<std::string, value>> items = v.as_dict().items;
        std::stable_sort(items.begin(), items.end(), [](auto& x, auto& y) { return x.first < y.first; });
        std::vector<value> out;
        for (auto& [k, x] : items) out.push_back(value::list({value::string(k), x}));
        return value::list(std::move(out));
    }
    if (name == "first" || name == "last") {
        std::vector<value> items = iterate(v, pos);
        if (items.empty()) return value();
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") {
        auto items = iterate(v, pos);
        bud.spend_iterations(items.size(), pos);
        return value::list(std::move(items));
    }
    if (name == "int") {
        int64_t dflt = 0;
        if (const value* d = arg(a, 0, "default")) dflt = to_int(*d, pos, "int default");
        if (v.type() == kind::integer) return v;
        if (v.type() == kind::boolean) return value::integer(v.as_bool());
        if (v.type() == kind::floating) {
            double f = v.as_number();
            if (!(std::fabs(f) < 9.2e18)) return value::integer(dflt);
            return value::integer(int64_t(f));
        }
        if (v.is_string()) {
            std::string s = py_strip(v.as_string(), true, true, nullptr);
            char* end = nullptr;
            errno = 0;
            long long x = std::strtoll(s.c_str(), &end, 10);
            if (!s.empty() && end && *end == '\0' && errno == 0) return value::integer(x);
            double f = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0' && std::fabs(f) < 9.2e18) return value::integer(int64_t(f));
        }
        return value::integer(dflt);
    }
    if (name == "float") {
        double dflt = 0;
        if (const value* d = arg(a, 0, "default"); d && d->is_number()) dflt = d->as_number();
        if (v.is_number()) return value::floating(v.as_number());
        if (v.type() == kind::boolean) return value::floating(v.as_bool());
        if (v.is_string()) {
            std::string s = py_strip(v.as_string(), true, true, nullptr);
            char* end = nullptr;
            double f = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0') return value::floating(f);
        }
        return value::floating(dflt);
    }
    if (name == "abs") {
        if (v.type() == kind::integer) {
            if (v.as_int() == INT64_MIN) throw jinja_error{"integer overflow", pos};
            return value::integer(v.as_int() < 0 ? -v.as_int() : v.as_int());
        }
        if (v.type() == kind::floating) return value::floating(std::fabs(v.as_number()));
        throw jinja_error{std::string("abs needs a number, got ") + v.type_name(), pos};
    }
    if (name == "round") return round_value(v, a, pos);
    if (name == "select" || name == "reject")
        return value::list(select_items(in, v, a, 0, nullptr, name == "select", pos));
    if (name == "selectattr" || name == "rejectattr") {
        if (a.positional.empty() || !a.positional[0].is_string())
            throw jinja_error{"filter '" + name + "' needs an attribute name", pos};
        std::string attr = a.positional[0].as_string();
        return value::list(select_items(in, v, a, 1, &attr, name == "selectattr", pos));
    }
    if (name == "map") {
        std::vector<value> out;
        const value* attr = a.kw("attribute");
        for (auto& item : iterate(v, pos)) {
            bud.spend_iterations(1, pos);
            if (attr) {
                if (!attr->is_string()) throw jinja_error{"map(attribute=...) needs a string", pos};
                value x = lookup_path(item, attr->as_string());
                if (x.is_undefined())
                    if (const value* d = a.kw("default")) x = *d;
                out.push_back(x);
            } else {
                if (a.positional.empty() || !a.positional[0].is_string())
                    throw jinja_error{"map() needs a filter name or attribute=", pos};
                call_args rest;
                rest.positional.assign(a.positional.begin() + 1, a.positional.end());
                rest.keyword = a.keyword;
                out.push_back(apply_filter(in, a.positional[0].as_string(), item, rest, pos));
            }
        }
        return value::list(std::move(out));
    }
    if (name == "unique") {
        std::vector<value> out;
        for (auto& item : iterate(v, pos)) {
            bud.spend_iterations(1 + out.size(), pos);
            bool seen = false;
            for (auto& o : out) seen = seen || equal(o, item);
            if (!seen) out.push_back(item);
        }
        return value::list(std::move(out));
    }
    if (name == "sort") {
        std::vector<value> items = iterate(v, pos);
        bud.spend_iterations(items.size(), pos);
        bool reverse = arg_bool(a, 0, "reverse", false);
        bool case_sensitive = arg_bool(a, 1, "case_sensitive", false);
        const value* attr = arg(a, 2, "attribute");
        std::string path = attr && attr->is_string() ? attr->as_string() : "";
        std::stable_sort(items.begin(), items.end(), [&](const value& x, const value& y) {
            const value kx = path.empty() ? x : lookup_path(x, path);
            const value ky = path.empty() ? y : lookup_path(y, path);
            int c = sort_compare(kx, ky, case_sensitive, pos);
            return reverse ? c > 0 : c < 0;
        });
        return value::list(std::move(items));
    }
    if (name == "reverse") {
        if (v.is_string()) {
            auto cs = utf8_chars(v.as_string());
            std::string out;
            for (size_t i = cs.size(); i-- > 0;) out += cs[i];
            return value::string(std::move(out));
        }
        std::vector<value> items = iterate(v, pos);
        std::reverse(items.begin(), items.end());
        return value::list(std::move(items));
    }
    if (name == "min" || name == "max") {
        std::vector<value> items = iterate(v, pos);
        if (items.empty()) return value();
        value best = items[0];
        for (auto& x : items) {
            int c = sort_compare(x, best, false, pos);
            if (name == "min" ? c < 0 : c > 0) best = x;
        }
        return best;
    }
    if (name == "sum") {
        value total = value::integer(0);
        for (auto& x : iterate(v, pos)) {
            if (!x.is_number()) throw jinja_error{std::string("sum of a ") + x.type_name(), pos};
            if (total.type() == kind::integer && x.type() == kind::integer) {
                int64_t r;
                if (__builtin_add_overflow(total.as_int(), x.as_int(), &r)) throw jinja_error{"integer overflow", pos};
                total = value::integer(r);
            } else {
                total = value::floating(total.as_number() + x.as_number());
            }
        }
        return total;
    }
    throw jinja_error{"unknown filter '" + name + "'", pos};
}

bool apply_test(interpreter& in, const std::string& name, const value& v, call_args& a, size_t pos) {
    auto other = [&]() -> const value& {
        if (a.positional.empty()) throw jinja_error{"test '" + name + "' needs an argument", pos};
        return a.positional[0];
    };
    if (name == "defined") return !v.is_undefined();
    if (name == "undefined") return v.is_undefined();
    if (name == "none") return v.is_none();
    if (name == "string") return v.is_string();
    if (name == "number") return v.is_number();
    if (name == "integer") return v.type() == kind::integer;
    if (name == "float") return v.type() == kind::floating;
    if (name == "boolean") return v.type() == kind::boolean;
    if (name == "true") return v.type() == kind::boolean && v.as_bool();
    if (name == "false") return v.type() == kind::boolean && !v.as_bool();
    if (name == "mapping") return v.is_dict();
    if (name == "iterable") return v.is_list() || v.is_dict() || v.is_string();
    if (name == "sequence") return v.is_list() || v.is_dict() || v.is_string();
    if (name == "callable") return v.type() == kind::function;
    if (name == "lower") return v.is_string() && ascii_lower(v.as_string()) == v.as_string();
    if (name == "upper") return v.is_string() && ascii_upper(v.as_string()) == v.as_string();
    if (name == "odd" || name == "even") {
        int64_t i = to_int(v, pos, ("test '" + name + "': value").c_str());
        return (((i % 2) + 2) % 2 == 1) == (name == "odd");
    }
    if (name == "divisibleby") {
        int64_t d = to_int(other(), pos, "divisibleby argument");
        if (d == 0) throw jinja_error{"divisibleby 0", pos};
        return to_int(v, pos, "divisibleby value") % d == 0;
    }
    if (name == "eq" || name == "equalto" || name == "==") return equal(v, other());
    if (name == "ne" || name == "!=") return !equal(v, other());
    if (name == "sameas") return equal(v, other()) && v.type() == other().type();
    if (name == "in") {
        const value& c = other();
        if (c.is_string() && v.is_string()) return c.as_string().find(v.as_string()) != std::string::npos;
        for (auto& x : iterate(c, pos))
            if (equal(x, v)) return true;
        return false;
    }
    if (name == "lt" || name == "gt" || name == "le" || name == "ge" || name == "<" || name == ">" || name == "<=" ||
        name == ">=") {
        int c = sort_compare(v, other(), true, pos);
        if (name == "lt" || name == "<") return c < 0;
        if (name == "gt" || name == ">") return c > 0;
        if (name == "le" || name == "<=") return c <= 0;
        return c >= 0;
    }
    throw jinja_error{"unknown test '" + name + "'", pos};
}

void install_globals(interpreter& in, dict& g) {
    interpreter* ip = &in;
    g.set("range", value::function([ip](call_args& a) {
        int64_t start = 0, stop = 0, step = 1;
        if (a.positional.size() == 1) {
            stop = to_int(a.positional[0], std::string::npos, "range stop");
        } else if (a.positional.size() >= 2) {
            start = to_int(a.positional[0], std::string::npos, "range start");
            stop = to_int(a.positional[1], std::string::npos, "range stop");
            if (a.positional.size() > 2) step = to_int(a.positional[2], std::string::npos, "range step");
        } else {
            throw jinja_error{"range() needs 1 to 3 arguments"};
        }
        if (step == 0) throw jinja_error{"range() step must not be zero"};
        // the length is computed in long double so huge bounds cannot overflow
        long double span = (long double)stop - (long double)start;
        long double n = std::ceil(span / (long double)step);
        if (n < 0) n = 0;
        if (n > (long double)ip->spend().lim.max_iterations) ip->spend().spend_iterations(ip->spend().lim.max_iterations + 1, std::string::npos);
        ip->spend().spend_iterations(uint64_t(n), std::string::npos);
        std::vector<value> out;
        for (int64_t i = 0; i < int64_t(n); ++i) out.push_back(value::integer(start + i * step));
        return value::list(std::move(out));
    }));
    g.set("namespace", value::function([](call_args& a) {
        dict d;
        for (auto& p : a.positional)
            if (p.is_dict())
                for (auto& [k, v] : p.as_dict().items) d.set(k, v);
        for (auto& [k, v] : a.keyword) d.set(k, v);
        return value::ns(std::move(d));
    }));
    g.set("dict", value::function([](call_args& a) {
        dict d;
        for (auto& [k, v] : a.keyword) d.set(k, v);
        return value::dict_of(std::move(d));
    }));
    g.set("raise_exception", value::function([](call_args& a) -> value {
        std::string msg = a.positional.empty() ? "raise_exception() called" : to_output(a.positional[0]);
        throw jinja_error{"template raised an exception: " + msg};
    }));
    g.set("strftime_now", value::function([](call_args& a) {
        if (a.positional.empty() || !a.positional[0].is_string()) throw jinja_error{"strftime_now() needs a format string"};
        std::time_t t = std::time(nullptr);
        std::tm tm{};
        localtime_r(&t, &tm);
        char buf[256];
        size_t n = std::strftime(buf, sizeof buf, a.positional[0].as_string().c_str(), &tm);
        return value::string(std::string(buf, n));
    }));
}

}  // namespace holo::jinja
