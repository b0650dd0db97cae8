// Binary operators with Python's semantics where templates can tell the difference
// (floor division and modulo round toward -inf, int overflow is an error, not a wrap).
#include <cmath>

#include "tokenizer/jinja/interpreter.h"

namespace holo::jinja {

namespace {

[[noreturn]] void type_error(const std::string& op, const value& a, const value& b, size_t pos) {
    throw jinja_error{"unsupported operand types for '" + op + "': " + a.type_name() + " and " + b.type_name(), pos};
}

bool numeric(const value& v) { return v.is_number() || v.type() == kind::boolean; }
int64_t as_i(const value& v) { return v.type() == kind::boolean ? v.as_bool() : v.as_int(); }
double as_f(const value& v) { return v.type() == kind::boolean ? double(v.as_bool()) : v.as_number(); }
bool both_int(const value& a, const value& b) { return a.type() != kind::floating && b.type() != kind::floating; }

value checked(bool overflow, int64_t r, size_t pos) {
    if (overflow) throw jinja_error{"integer overflow", pos};
    return value::integer(r);
}

value int_pow(int64_t base, int64_t exp, size_t pos) {
    int64_t result = 1;
    while (exp > 0) {
        if (exp & 1)
            if (__builtin_mul_overflow(result, base, &result)) throw jinja_error{"integer overflow in '**'", pos};
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base)) throw jinja_error{"integer overflow in '**'", pos};
    }
    return value::integer(result);
}

int compare(const value& a, const value& b, const std::string& op, size_t pos) {
    if (numeric(a) && numeric(b)) {
        if (both_int(a, b)) return as_i(a) < as_i(b) ? -1 : as_i(a) > as_i(b) ? 1 : 0;
        double x = as_f(a), y = as_f(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
        int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    type_error(op, a, b, pos);
}

bool contains(const value& hay, const value& needle, size_t pos) {
    switch (hay.type()) {
        case kind::string:
            if (!needle.is_string())
                throw jinja_error{std::string("'in <string>' needs a string on the left, got ") + needle.type_name(), pos};
            return hay.as_string().find(needle.as_string()) != std::string::npos;
        case kind::list:
            for (auto& v : hay.as_list())
                if (equal(v, needle)) return true;
            return false;
        case kind::dict:
        case kind::ns: return needle.is_string() && hay.as_dict().find(needle.as_string()) != nullptr;
        case kind::undefined: return false;
        default: throw jinja_error{std::string("'in' needs a container on the right, got ") + hay.type_name(), pos};
    }
}

}  // namespace

value interpreter::eval_binary(const expr& e, scope& sc) {
    const std::string& op = e.name;
    const size_t pos = e.pos;
    if (op == "and") {
        value a = eval(*e.args[0], sc);
        return a.truthy() ? eval(*e.args[1], sc) : a;
    }
    if (op == "or") {
        value a = eval(*e.args[0], sc);
        return a.truthy() ? a : eval(*e.args[1], sc);
    }
    value a = eval(*e.args[0], sc);
    value b = eval(*e.args[1], sc);
    if (op == "==") return value::boolean(equal(a, b));
    if (op == "!=") return value::boolean(!equal(a, b));
    if (op == "<") return value::boolean(compare(a, b, op, pos) < 0);
    if (op == ">") return value::boolean(compare(a, b, op, pos) > 0);
    if (op == "<=") return value::boolean(compare(a, b, op, pos) <= 0);
    if (op == ">=") return value::boolean(compare(a, b, op, pos) >= 0);
    if (op == "in") return value::boolean(contains(b, a, pos));
    if (op == "not in") return value::boolean(!contains(b, a, pos));
    if (op == "~") {
        std::string x = to_output(a), y = to_output(b);
        budget_.check_size(x.size() + y.size(), pos);
        return value::string(x + y);
    }
    if (op == "+") {
        // strings: like @huggingface/jinja, a number on one side is printed and joined
        if ((a.is_string() && (b.is_string() || numeric(b))) || (b.is_string() && numeric(a))) {
            std::string x = to_output(a), y = to_output(b);
            budget_.check_size(x.size() + y.size(), pos);
            return value::string(x + y);
        }
        if (a.is_list() && b.is_list()) {
            budget_.spend_iterations(a.as_list().size() + b.as_list().size(), pos);
            std::vector<value> r = a.as_list();
            r.insert(r.end(), b.as_list().begin(), b.as_list().end());
            return value::list(std::move(r));
        }
        if (!numeric(a) || !numeric(b)) type_error(op, a, b, pos);
        if (both_int(a, b)) {
            int64_t r = 0;
            { bool of = __builtin_add_overflow(as_i(a), as_i(b), &r); return checked(of, r, pos); }
        }
        return value::floating(as_f(a) + as_f(b));
    }
    const bool a_seq = a.is_string() || a.is_list(), b_seq = b.is_string() || b.is_list();
    if (op == "*" && ((a_seq && b.type() == kind::integer) || (b_seq && a.type() == kind::integer))) {
        const value& seq = a.type() == kind::integer ? b : a;
        int64_t n = std::max<int64_t>(0, (a.type() == kind::integer ? a : b).as_int());
        if (seq.is_string()) {
            const std::string& s = seq.as_string();
            if (!s.empty() && uint64_t(n) > budget_.lim.max_output_bytes / s.size() + 1)
                budget_.check_size(budget_.lim.max_output_bytes + 1, pos);
            budget_.check_size(s.size() * size_t(n), pos);
            std::string r;
            for (int64_t i = 0; i < n; ++i) r += s;
            return value::string(std::move(r));
        }
        budget_.spend_iterations(uint64_t(n) * std::max<size_t>(1, seq.as_list().size()), pos);
        std::vector<value> r;
        for (int64_t i = 0; i < n; ++i) r.insert(r.end(), seq.as_list().begin(), seq.as_list().end());
        return value::list(std::move(r));
    }
    if (!numeric(a) || !numeric(b)) type_error(op, a, b, pos);
    const bool ints = both_int(a, b);
    if (op == "-") {
        int64_t r = 0;
        if (ints) { bool of = __builtin_sub_overflow(as_i(a), as_i(b), &r); return checked(of, r, pos); }
        return value::floating(as_f(a) - as_f(b));
    }
    if (op == "*") {
        int64_t r = 0;
        if (ints) { bool of = __builtin_mul_overflow(as_i(a), as_i(b), &r); return checked(of, r, pos); }
        return value::floating(as_f(a) * as_f(b));
    }
    if (op == "/") {
        if (as_f(b) == 0) throw jinja_error{"division by zero", pos};
        return value::floating(as_f(a) / as_f(b));
    }
    if (op == "//" || op == "%") {
        if (as_f(b) == 0) throw jinja_error{op == "%" ? "modulo by zero" : "division by zero", pos};
        if (ints) {
            int64_t x = as_i(a), y = as_i(b);
            if (x == INT64_MIN && y == -1) throw jinja_error{"integer overflow", pos};
            int64_t q = x / y, r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) {
                --q;
                r += y;
            }
            return value::integer(op == "//" ? q : r);
        }
        double x = as_f(a), y = as_f(b);
        double q = std::floor(x / y);
        return value::floating(op == "//" ? q : x - q * y);
    }
    if (op == "**") {
        if (ints && as_i(b) >= 0) return int_pow(as_i(a), as_i(b), pos);
        return value::floating(std::pow(as_f(a), as_f(b)));
    }
    throw jinja_error{"unknown operator '" + op + "'", pos};
}

}  // namespace holo::jinja
