#include "policy/condition.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace holo::policy {

enum class node_kind { cmp, flag, contains, time_window, not_, and_, or_ };
enum class cmp_op { lt, le, gt, ge, eq, ne };

struct condition_node {
    node_kind kind;
    std::string var;       // cmp, flag; contains: the word
    cmp_op op = cmp_op::lt;
    double value = 0;      // cmp
    std::string value_text;
    int start_min = 0, end_min = 0;  // time_window, [start, end) wrapping past midnight
    std::vector<std::shared_ptr<const condition_node>> kids;
};

namespace {

using node_ptr = std::shared_ptr<const condition_node>;

const char* k_numeric_vars[] = {"battery", "free_ram", "free_swap", "free_gpu_mem", "cpu_temp", "load", "prompt_tokens"};
const char* k_flag_vars[] = {"charging", "throttled"};

bool is_flag_variable(const std::string& n) {
    return std::find(std::begin(k_flag_vars), std::end(k_flag_vars), n) != std::end(k_flag_vars);
}

const char* op_text(cmp_op op) {
    switch (op) {
        case cmp_op::lt: return "<";
        case cmp_op::le: return "<=";
        case cmp_op::gt: return ">";
        case cmp_op::ge: return ">=";
        case cmp_op::eq: return "==";
        case cmp_op::ne: return "!=";
    }
    return "?";
}

struct token {
    enum kind_t { ident, number, op, lparen, rparen, end } kind;
    std::string text;
    size_t pos;  // 0-based
};

class parser {
public:
    explicit parser(const std::string& s) : s_(s) {}

    result<node_ptr> parse_all() {
        auto r = parse_or();
        if (!r.ok()) return r;
        auto t = peek();
        if (t.kind != token::end) return fail(t.pos, "unexpected '" + t.text + "'");
        return r;
    }

private:
    error fail(size_t pos, const std::string& msg) const {
        return error{"column " + std::to_string(pos + 1) + ": " + msg + " in '" + s_ + "'"};
    }

    void skip_ws() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }

    token scan() {
        skip_ws();
        size_t start = i_;
        if (i_ >= s_.size()) return {token::end, "end of condition", start};
        char c = s_[i_];
        if (c == '(') { ++i_; return {token::lparen, "(", start}; }
        if (c == ')') { ++i_; return {token::rparen, ")", start}; }
        if (c == '<' || c == '>' || c == '=' || c == '!') {
            while (i_ < s_.size() && (s_[i_] == '<' || s_[i_] == '>' || s_[i_] == '=' || s_[i_] == '!')) ++i_;
            return {token::op, s_.substr(start, i_ - start), start};
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            // Numbers carry their unit (8G, 20%, 30s) and times (22:00-07:00).
            while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                                      s_[i_] == '%' || s_[i_] == ':' || s_[i_] == '-')) {
                ++i_;
            }
            return {token::number, s_.substr(start, i_ - start), start};
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                                      s_[i_] == '.' || s_[i_] == '-')) {
                ++i_;
            }
            return {token::ident, s_.substr(start, i_ - start), start};
        }
        ++i_;
        return {token::op, std::string(1, c), start};
    }

    token peek() {
        size_t save = i_;
        token t = scan();
        i_ = save;
        return t;
    }

    static bool is_kw(const token& t, const char* kw) { return t.kind == token::ident && t.text == kw; }

    result<node_ptr> parse_or() {
        auto l = parse_and();
        if (!l.ok()) return l;
        std::vector<node_ptr> kids{l.value()};
        while (is_kw(peek(), "or")) {
            scan();
            auto r = parse_and();
            if (!r.ok()) return r;
            kids.push_back(r.value());
        }
        if (kids.size() == 1) return kids[0];
        auto n = std::make_shared<condition_node>();
        n->kind = node_kind::or_;
        n->kids = std::move(kids);
        return node_ptr(n);
    }

    result<node_ptr> parse_and() {
        auto l = parse_not();
        if (!l.ok()) return l;
        std::vector<node_ptr> kids{l.value()};
        while (is_kw(peek(), "and")) {
            scan();
            auto r = parse_not();
            if (!r.ok()) return r;
            kids.push_back(r.value());
        }
        if (kids.size() == 1) return kids[0];
        auto n = std::make_shared<condition_node>();
        n->kind = node_kind::and_;
        n->kids = std::move(kids);
        return node_ptr(n);
    }

    result<node_ptr> parse_not() {
        if (is_kw(peek(), "not")) {
            scan();
            auto k = parse_not();
            if (!k.ok()) return k;
            auto n = std::make_shared<condition_node>();
            n->kind = node_kind::not_;
            n->kids = {k.value()};
            return node_ptr(n);
        }
        return parse_primary();
    }

    result<node_ptr> parse_primary() {
        token t = scan();
        if (t.kind == token::lparen) {
            auto e = parse_or();
            if (!e.ok()) return e;
            token r = scan();
            if (r.kind != token::rparen) return fail(r.pos, "expected ')' but found '" + r.text + "'");
            return e;
        }
        if (t.kind != token::ident) return fail(t.pos, "expected a condition but found '" + t.text + "'");
        if (t.text == "and" || t.text == "or") return fail(t.pos, "'" + t.text + "' needs a condition before it");
        auto n = std::make_shared<condition_node>();
        if (t.text == "request.tags") {
            token kw = scan();
            if (!is_kw(kw, "contains")) return fail(kw.pos, "expected 'contains' after request.tags");
            token w = scan();
            if (w.kind != token::ident && w.kind != token::number) return fail(w.pos, "expected a tag after 'contains'");
            n->kind = node_kind::contains;
            n->var = w.text;
            return node_ptr(n);
        }
        if (t.text == "time") {
            token kw = scan();
            if (!is_kw(kw, "in")) return fail(kw.pos, "expected 'in' after time (time in 22:00-07:00)");
            token w = scan();
            int h1, m1, h2, m2;
            char extra;
            if (w.kind != token::number ||
                std::sscanf(w.text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &extra) != 4 || h1 < 0 || h1 > 23 ||
                h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || (h2 == 24 && m2 != 0)) {
                return fail(w.pos, "expected a window HH:MM-HH:MM but found '" + w.text + "'");
            }
            n->kind = node_kind::time_window;
            n->start_min = h1 * 60 + m1;
            n->end_min = h2 * 60 + m2;
            if (n->start_min == n->end_min) return fail(w.pos, "the time window '" + w.text + "' is empty");
            return node_ptr(n);
        }
        if (is_flag_variable(t.text)) {
            n->kind = node_kind::flag;
            n->var = t.text;
            return node_ptr(n);
        }
        if (!is_numeric_variable(t.text)) {
            return fail(t.pos, "unknown variable '" + t.text +
                                   "' (known: battery, charging, free_ram, free_swap, free_gpu_mem, cpu_temp, "
                                   "throttled, load, prompt_tokens, request.tags, time)");
        }
        n->var = t.text;
        token o = peek();
        if (o.kind != token::op) {
            // A bare quantity means "known and above zero" (`free_swap`: there is swap left).
            n->kind = node_kind::cmp;
            n->op = cmp_op::gt;
            n->value = 0;
            n->value_text = "0";
            return node_ptr(n);
        }
        scan();
        if (o.text == "<") n->op = cmp_op::lt;
        else if (o.text == "<=") n->op = cmp_op::le;
        else if (o.text == ">") n->op = cmp_op::gt;
        else if (o.text == ">=") n->op = cmp_op::ge;
        else if (o.text == "==" || o.text == "=") n->op = cmp_op::eq;
        else if (o.text == "!=") n->op = cmp_op::ne;
        else return fail(o.pos, "unknown operator '" + o.text + "'");
        token v = scan();
        if (v.kind != token::number) return fail(v.pos, "expected a number after '" + o.text + "' but found '" + v.text + "'");
        auto value = parse_value(n->var, v.text);
        if (!value) return fail(v.pos, "'" + v.text + "' is not a valid value for " + n->var + value_hint(n->var));
        n->kind = node_kind::cmp;
        n->value = *value;
        n->value_text = v.text;
        return node_ptr(n);
    }

    static std::string value_hint(const std::string& var) {
        if (is_byte_variable(var)) return " (a size such as 8G, 512M)";
        if (var == "battery") return " (a percentage 0..100)";
        if (var == "cpu_temp") return " (degrees Celsius)";
        return " (a number)";
    }

    static std::optional<double> parse_value(const std::string& var, std::string text) {
        if (is_byte_variable(var)) {
            auto b = parse_bytes(text);
            if (!b) return std::nullopt;
            return double(*b);
        }
        if (var == "battery" && !text.empty() && text.back() == '%') text.pop_back();
        if (var == "cpu_temp" && !text.empty() && (text.back() == 'C' || text.back() == 'c')) text.pop_back();
        char* end = nullptr;
        double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') return std::nullopt;
        if (var == "battery" && (v < 0 || v > 100)) return std::nullopt;
        return v;
    }

    const std::string& s_;
    size_t i_ = 0;
};

std::optional<double> value_of(const std::string& var, const eval_input& in) {
    const device_state& s = *in.state;
    if (var == "battery") return s.battery_pct;
    if (var == "free_ram") return s.free_ram ? std::optional<double>(double(*s.free_ram)) : std::nullopt;
    if (var == "free_swap") return s.free_swap ? std::optional<double>(double(*s.free_swap)) : std::nullopt;
    if (var == "free_gpu_mem") return s.free_gpu_mem ? std::optional<double>(double(*s.free_gpu_mem)) : std::nullopt;
    if (var == "cpu_temp") return s.cpu_temp_c;
    if (var == "load") return double(s.load);
    if (var == "prompt_tokens") {
        return in.request.prompt_tokens >= 0 ? std::optional<double>(double(in.request.prompt_tokens)) : std::nullopt;
    }
    return std::nullopt;
}

std::string show_value(const std::string& var, double v) {
    if (is_byte_variable(var)) return format_bytes(int64_t(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g%s", v, var == "battery" ? "%" : var == "cpu_temp" ? "C" : "");
    return buf;
}

const char* tri_text(tri t) { return t == tri::yes ? "true" : t == tri::no ? "false" : "unknown"; }

tri from_bool(bool b) { return b ? tri::yes : tri::no; }

std::string leaf_text(const condition_node& n) {
    switch (n.kind) {
        case node_kind::cmp: return n.var + " " + op_text(n.op) + " " + n.value_text;
        case node_kind::flag: return n.var;
        case node_kind::contains: return "request.tags contains " + n.var;
        case node_kind::time_window: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "time in %02d:%02d-%02d:%02d", n.start_min / 60, n.start_min % 60,
                          n.end_min / 60, n.end_min % 60);
            return buf;
        }
        default: return "";
    }
}

tri eval_node(const condition_node& n, const eval_input& in, bias b, const std::map<std::string, double>& margins,
              std::vector<std::string>* trace) {
    switch (n.kind) {
        case node_kind::not_: {
            bias inner = b == bias::relax ? bias::tighten : b == bias::tighten ? bias::relax : bias::strict;
            tri k = eval_node(*n.kids[0], in, inner, margins, trace);
            return k == tri::unknown ? tri::unknown : k == tri::yes ? tri::no : tri::yes;
        }
        case node_kind::and_: {
            tri out = tri::yes;
            for (const auto& k : n.kids) {
                tri v = eval_node(*k, in, b, margins, trace);
                if (v == tri::no) out = tri::no;
                else if (v == tri::unknown && out == tri::yes) out = tri::unknown;
            }
            return out;
        }
        case node_kind::or_: {
            tri out = tri::no;
            for (const auto& k : n.kids) {
                tri v = eval_node(*k, in, b, margins, trace);
                if (v == tri::yes) out = tri::yes;
                else if (v == tri::unknown && out == tri::no) out = tri::unknown;
            }
            return out;
        }
        default: break;
    }
    tri out = tri::unknown;
    std::string seen;
    if (n.kind == node_kind::cmp) {
        auto v = value_of(n.var, in);
        if (v) {
            double m = 0;
            if (auto it = margins.find(n.var); it != margins.end() && b != bias::strict) m = it->second;
            // Relaxing moves the threshold away from the value side the rule wants.
            double t = n.value;
            bool upper = n.op == cmp_op::lt || n.op == cmp_op::le;  // wants small values
            bool lower = n.op == cmp_op::gt || n.op == cmp_op::ge;
            if (b == bias::relax) t += upper ? m : lower ? -m : 0;
            if (b == bias::tighten) t += upper ? -m : lower ? m : 0;
            switch (n.op) {
                case cmp_op::lt: out = from_bool(*v < t); break;
                case cmp_op::le: out = from_bool(*v <= t); break;
                case cmp_op::gt: out = from_bool(*v > t); break;
                case cmp_op::ge: out = from_bool(*v >= t); break;
                case cmp_op::eq: out = from_bool(*v == t); break;
                case cmp_op::ne: out = from_bool(*v != t); break;
            }
            seen = n.var + "=" + show_value(n.var, *v);
            if (t != n.value) seen += ", threshold " + show_value(n.var, t) + " with hysteresis";
        } else {
            seen = n.var + " unknown";
        }
    } else if (n.kind == node_kind::flag) {
        std::optional<bool> v = n.var == "charging" ? in.state->charging : in.state->throttled;
        if (v) out = from_bool(*v);
        seen = n.var + (v ? (*v ? "=yes" : "=no") : " unknown");
    } else if (n.kind == node_kind::contains) {
        bool has = std::find(in.request.tags.begin(), in.request.tags.end(), n.var) != in.request.tags.end();
        out = from_bool(has);
        std::string tags;
        for (const auto& t : in.request.tags) tags += (tags.empty() ? "" : ",") + t;
        seen = "tags=[" + tags + "]";
    } else if (n.kind == node_kind::time_window) {
        if (in.minute_of_day >= 0) {
            int t = in.minute_of_day;
            bool inside = n.start_min < n.end_min ? (t >= n.start_min && t < n.end_min)
                                                  : (t >= n.start_min || t < n.end_min);
            out = from_bool(inside);
            char buf[16];
            std::snprintf(buf, sizeof buf, "%02d:%02d", t / 60, t % 60);
            seen = std::string("time=") + buf;
        } else {
            seen = "time unknown";
        }
    }
    if (trace) trace->push_back(leaf_text(n) + ": " + seen + " -> " + tri_text(out));
    return out;
}

}  // namespace

bool is_numeric_variable(const std::string& name) {
    return std::find(std::begin(k_numeric_vars), std::end(k_numeric_vars), name) != std::end(k_numeric_vars);
}

bool is_byte_variable(const std::string& name) {
    return name == "free_ram" || name == "free_swap" || name == "free_gpu_mem";
}

result<condition> condition::parse(const std::string& text) {
    parser p(text);
    auto r = p.parse_all();
    if (!r.ok()) return r.err();
    condition c;
    c.root_ = r.value();
    c.text_ = text;
    return c;
}

tri condition::eval(const eval_input& in, bias b, const std::map<std::string, double>& margins,
                    std::vector<std::string>* trace) const {
    HOLO_ASSERT(in.state != nullptr, "condition::eval needs a device state");
    if (!root_) return tri::yes;
    return eval_node(*root_, in, b, margins, trace);
}

}  // namespace holo::policy
