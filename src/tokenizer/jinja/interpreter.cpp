// Statement execution and expression evaluation.
#include "tokenizer/jinja/interpreter.h"

#include <cmath>

namespace holo::jinja {

void budget::spend_iterations(uint64_t n, size_t pos) {
    iterations += n;
    if (iterations > lim.max_iterations)
        throw jinja_error{"template exceeded the loop limit of " + std::to_string(lim.max_iterations) + " iterations",
                          pos};
}

void budget::check_length(size_t bytes, size_t pos) const {
    if (bytes > lim.max_output_bytes)
        throw jinja_error{"template built a string of " + std::to_string(bytes) + " bytes, over the limit of " +
                              std::to_string(lim.max_output_bytes),
                          pos};
}

void budget::check_size(size_t bytes, size_t pos) {
    if (bytes > lim.max_output_bytes)
        throw jinja_error{"template built a string of " + std::to_string(bytes) + " bytes, over the limit of " +
                              std::to_string(lim.max_output_bytes),
                          pos};
    total_bytes += bytes;
    if (total_bytes > lim.max_total_bytes)
        throw jinja_error{"template built more than " + std::to_string(lim.max_total_bytes) + " bytes of strings", pos};
}

std::vector<value> iterate(const value& v, size_t pos) {
    switch (v.type()) {
        case kind::undefined: return {};
        case kind::list: return v.as_list();
        case kind::dict:
        case kind::ns: {
            std::vector<value> keys;
            for (auto& kv : v.as_dict().items) keys.push_back(value::string(kv.first));
            return keys;
        }
        case kind::string: {
            std::vector<value> chars;
            for (auto c : utf8_chars(v.as_string())) chars.push_back(value::string(std::string(c)));
            return chars;
        }
        default: throw jinja_error{std::string("cannot iterate over a ") + v.type_name(), pos};
    }
}

int64_t to_int(const value& v, size_t pos, const char* what) {
    if (v.type() == kind::integer) return v.as_int();
    if (v.type() == kind::boolean) return v.as_bool();
    throw jinja_error{std::string(what) + " must be an integer, got " + v.type_name(), pos};
}

const value* interpreter::lookup(scope& sc, const std::string& name) {
    for (scope* s = &sc; s; s = s->parent) {
        auto it = s->vars.find(name);
        if (it != s->vars.end()) return &it->second;
    }
    return nullptr;
}

void interpreter::append(std::string& out, std::string_view text, size_t pos) {
    if (out.size() + text.size() > budget_.lim.max_output_bytes)
        throw jinja_error{"template output exceeds the limit of " + std::to_string(budget_.lim.max_output_bytes) + " bytes",
                          pos};
    out += text;
}

interpreter::~interpreter() {
    // Every cycle (l.append(l), ns.me = ns) runs through a container changed after it
    // was built; emptying those frees everything the render made.
    for (auto& v : mutated_) v.clear_contents();
}

void interpreter::note_mutation(const value& container) {
    const void* id = container.is_list() ? static_cast<const void*>(&container.as_list())
                                         : static_cast<const void*>(&container.as_dict());
    if (mutated_ids_.insert(id).second) mutated_.push_back(container);
}

std::string interpreter::render(const body& tree, dict globals) {
    install_globals(*this, globals);
    scope root;
    for (auto& [k, v] : globals.items) root.vars[k] = v;
    root_ = &root;
    std::string out;
    if (exec_body(tree, root, out) != flow::normal) throw jinja_error{"'break' or 'continue' outside a loop"};
    root_ = nullptr;
    return out;
}

interpreter::flow interpreter::exec_body(const body& b, scope& sc, std::string& out) {
    for (auto& s : b) {
        flow f = exec(*s, sc, out);
        if (f != flow::normal) return f;
    }
    return flow::normal;
}

static void assign(std::unordered_map<std::string, value>& vars, const std::vector<std::string>& targets, value v,
                   size_t pos) {
    if (targets.size() == 1) {
        vars[targets[0]] = std::move(v);
        return;
    }
    std::vector<value> parts = iterate(v, pos);
    if (parts.size() != targets.size())
        throw jinja_error{"cannot unpack " + std::to_string(parts.size()) + " values into " +
                              std::to_string(targets.size()) + " names",
                          pos};
    for (size_t i = 0; i < targets.size(); ++i) vars[targets[i]] = parts[i];
}

interpreter::flow interpreter::exec(const stmt& s, scope& sc, std::string& out) {
    switch (s.kind) {
        case stmt_kind::text: append(out, s.text, s.pos); return flow::normal;
        case stmt_kind::output: append(out, to_output(eval(*s.e, sc)), s.pos); return flow::normal;
        case stmt_kind::if_:
            for (size_t i = 0; i < s.conds.size(); ++i)
                if (eval(*s.conds[i], sc).truthy()) return exec_body(s.bodies[i], sc, out);
            if (s.bodies.size() > s.conds.size()) return exec_body(s.bodies.back(), sc, out);
            return flow::normal;
        case stmt_kind::for_: exec_for(s, sc, out); return flow::normal;
        case stmt_kind::set:
            if (s.target_expr) {
                value target = eval(*s.target_expr, sc);
                if (target.type() != kind::ns)
                    throw jinja_error{"cannot set attribute '" + s.text + "' on a " + target.type_name() +
                                          " (only namespace() objects take attributes)",
                                      s.pos};
                note_mutation(target);
                target.as_dict().set(s.text, eval(*s.e, sc));
            } else {
                assign(sc.vars, s.targets, eval(*s.e, sc), s.pos);
            }
            return flow::normal;
        case stmt_kind::set_block: {
            std::string captured;
            scope inner{{}, &sc};
            exec_body(s.bodies[0], inner, captured);
            sc.vars[s.text] = value::string(std::move(captured));
            return flow::normal;
        }
        case stmt_kind::macro: sc.vars[s.text] = make_macro(s, sc); return flow::normal;
        case stmt_kind::call_block: {
            const stmt* self = &s;
            scope* caller_scope = &sc;
            value caller = value::function([this, self, caller_scope](call_args&) {
                std::string text;
                scope inner{{}, caller_scope};
                exec_body(self->bodies[0], inner, text);
                return value::string(std::move(text));
            });
            const expr& c = *s.e;
            value fn = eval(*c.args[0], sc);
            call_args args;
            collect_args(c, 1, sc, args);
            args.keyword.emplace_back("caller", caller);
            append(out, to_output(call(fn, args, s.pos)), s.pos);
            return flow::normal;
        }
        case stmt_kind::filter_block: {
            std::string text;
            scope inner{{}, &sc};
            exec_body(s.bodies[0], inner, text);
            call_args args;
            collect_args(*s.e, 1, sc, args);
            append(out, to_output(apply_filter(*this, s.e->name, value::string(std::move(text)), args, s.pos)), s.pos);
            return flow::normal;
        }
        case stmt_kind::break_: return flow::break_;
        case stmt_kind::continue_: return flow::continue_;
    }
    return flow::normal;
}

void interpreter::exec_for(const stmt& s, scope& sc, std::string& out) {
    std::vector<value> items = iterate(eval(*s.e, sc), s.e->pos);
    if (s.cond) {
        std::vector<value> kept;
        for (auto& item : items) {
            budget_.spend_iterations(1, s.pos);
            scope probe{{}, &sc};
            assign(probe.vars, s.targets, item, s.pos);
            if (eval(*s.cond, probe).truthy()) kept.push_back(item);
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        if (s.bodies.size() > 1) {
            scope inner{{}, &sc};
            exec_body(s.bodies[1], inner, out);
        }
        return;
    }
    const int64_t n = int64_t(items.size());
    // One `loop` object per loop, updated in place each iteration (building a fresh
    // dict per iteration made hostile loops several times slower).
    auto index0 = std::make_shared<int64_t>(0);
    dict fields;
    for (const char* k : {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
                          "previtem", "nextitem"})
        fields.set(k, value());
    fields.set("length", value::integer(n));
    fields.set("depth", value::integer(1));
    fields.set("depth0", value::integer(0));
    fields.set("cycle", value::function([index0](call_args& a) {
        if (a.positional.empty()) throw jinja_error{"loop.cycle() needs at least one value"};
        return a.positional[size_t(*index0) % a.positional.size()];
    }));
    value loop = value::dict_of(std::move(fields));
    auto& slot = loop.as_dict().items;  // fixed order set above
    for (int64_t i = 0; i < n; ++i) {
        budget_.spend_iterations(1, s.pos);
        scope inner{{}, &sc};
        assign(inner.vars, s.targets, items[size_t(i)], s.pos);
        *index0 = i;
        slot[0].second = value::integer(i + 1);
        slot[1].second = value::integer(i);
        slot[2].second = value::integer(n - i);
        slot[3].second = value::integer(n - i - 1);
        slot[4].second = value::boolean(i == 0);
        slot[5].second = value::boolean(i == n - 1);
        slot[9].second = i > 0 ? items[size_t(i - 1)] : value();
        slot[10].second = i + 1 < n ? items[size_t(i + 1)] : value();
        inner.vars["loop"] = loop;
        flow f = exec_body(s.bodies[0], inner, out);
        if (f == flow::break_) break;
    }
}

value interpreter::make_macro(const stmt& s, scope& defining) {
    const stmt* m = &s;
    scope* home = root_ ? root_ : &defining;  // the root outlives every call made during render
    return value::function([this, m, home](call_args& args) {
        if (++call_depth_ > budget_.lim.max_call_depth) {
            call_depth_ = 0;
            throw jinja_error{"macro '" + m->text + "' exceeded the call depth limit of " +
                                  std::to_string(budget_.lim.max_call_depth),
                              m->pos};
        }
        scope inner{{}, home};
        if (args.positional.size() > m->params.size())
            throw jinja_error{"macro '" + m->text + "' takes " + std::to_string(m->params.size()) + " arguments, got " +
                                  std::to_string(args.positional.size()),
                              m->pos};
        for (size_t i = 0; i < m->params.size(); ++i) {
            const macro_param& p = m->params[i];
            if (const value* v = args.get(i, p.name)) inner.vars[p.name] = *v;
            else if (p.default_value) inner.vars[p.name] = eval(*p.default_value, inner);
            else inner.vars[p.name] = value();
        }
        for (auto& [k, v] : args.keyword) {
            bool known = k == "caller";
            for (auto& p : m->params) known = known || p.name == k;
            if (!known) throw jinja_error{"macro '" + m->text + "' has no parameter '" + k + "'", m->pos};
            if (k == "caller") inner.vars[k] = v;
        }
        std::string text;
        exec_body(m->bodies[0], inner, text);
        --call_depth_;
        return value::string(std::move(text));
    });
}

value interpreter::call(const value& fn, call_args& args, size_t pos) {
    if (fn.type() != kind::function)
        throw jinja_error{std::string("cannot call a ") + fn.type_name() + " value", pos};
    try {
        return fn.as_function()(args);
    } catch (jinja_error& e) {
        if (e.pos == std::string::npos) e.pos = pos;
        throw;
    }
}

void interpreter::collect_args(const expr& e, size_t first, scope& sc, call_args& args) {
    for (size_t i = first; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i], sc));
    for (auto& [k, v] : e.kwargs) args.keyword.emplace_back(k, eval(*v, sc));
}

value interpreter::get_attr(const value& obj, const std::string& name, size_t pos) {
    if (name.size() >= 2 && name[0] == '_' && name[1] == '_')
        throw jinja_error{"attribute '" + name + "' is not accessible in templates (sandbox)", pos};
    if (obj.is_dict()) {
        if (const value* v = obj.as_dict().find(name)) return *v;
    }
    if (obj.type() == kind::ns) return value();
    return get_method(*this, obj, name, pos);
}

static int64_t norm_index(int64_t i, int64_t n) { return i < 0 ? i + n : i; }

value interpreter::get_item(const value& obj, const value& key, size_t pos) {
    if (obj.is_list() && key.type() == kind::integer) {
        auto& l = obj.as_list();
        int64_t i = norm_index(key.as_int(), int64_t(l.size()));
        return i >= 0 && i < int64_t(l.size()) ? l[size_t(i)] : value();
    }
    if (obj.is_string() && key.type() == kind::integer) {
        auto chars = utf8_chars(obj.as_string());
        int64_t i = norm_index(key.as_int(), int64_t(chars.size()));
        return i >= 0 && i < int64_t(chars.size()) ? value::string(std::string(chars[size_t(i)])) : value();
    }
    if (obj.is_dict() && key.is_string()) {
        const value* v = obj.as_dict().find(key.as_string());
        return v ? *v : value();
    }
    if (key.is_string()) return get_attr(obj, key.as_string(), pos);
    if (obj.is_undefined() || obj.is_none() || obj.is_dict()) return value();
    throw jinja_error{std::string("cannot index a ") + obj.type_name() + " with a " + key.type_name(), pos};
}

value interpreter::slice(const value& obj, const value& start, const value& stop, const value& step, size_t pos) {
    int64_t st = step.is_undefined() || step.is_none() ? 1 : to_int(step, pos, "slice step");
    if (st == 0) throw jinja_error{"slice step cannot be zero", pos};
    std::vector<value> items;
    std::vector<std::string_view> chars;
    int64_t n;
    if (obj.is_string()) {
        chars = utf8_chars(obj.as_string());
        n = int64_t(chars.size());
    } else if (obj.is_list()) {
        n = int64_t(obj.as_list().size());
    } else {
        throw jinja_error{std::string("cannot slice a ") + obj.type_name(), pos};
    }
    auto bound = [&](const value& v, int64_t dflt) {
        if (v.is_undefined() || v.is_none()) return dflt;
        int64_t i = to_int(v, pos, "slice index");
        if (i < 0) i += n;
        if (st > 0) return std::clamp<int64_t>(i, 0, n);
        return std::clamp<int64_t>(i, -1, n - 1);
    };
    int64_t b = bound(start, st > 0 ? 0 : n - 1);
    int64_t e = bound(stop, st > 0 ? n : -1);
    std::string s;
    for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
        if (obj.is_string()) s += chars[size_t(i)];
        else items.push_back(obj.as_list()[size_t(i)]);
    }
    if (obj.is_string()) return value::string(std::move(s));
    return value::list(std::move(items));
}

value interpreter::eval(const expr& e, scope& sc) {
    switch (e.kind) {
        case expr_kind::literal: return e.lit;
        case expr_kind::name: {
            const value* v = lookup(sc, e.name);
            return v ? *v : value();
        }
        case expr_kind::list:
        case expr_kind::tuple: {
            std::vector<value> items;
            for (auto& a : e.args) items.push_back(eval(*a, sc));
            return value::list(std::move(items));
        }
        case expr_kind::dict: {
            dict d;
            for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
                value k = eval(*e.args[i], sc);
                if (!k.is_string()) throw jinja_error{"dict keys must be strings", e.args[i]->pos};
                d.set(k.as_string(), eval(*e.args[i + 1], sc));
            }
            return value::dict_of(std::move(d));
        }
        case expr_kind::attr: return get_attr(eval(*e.args[0], sc), e.name, e.pos);
        case expr_kind::item: return get_item(eval(*e.args[0], sc), eval(*e.args[1], sc), e.pos);
        case expr_kind::slice: {
            value obj = eval(*e.args[0], sc);
            value b = e.args[1] ? eval(*e.args[1], sc) : value();
            value en = e.args[2] ? eval(*e.args[2], sc) : value();
            value st = e.args[3] ? eval(*e.args[3], sc) : value();
            return slice(obj, b, en, st, e.pos);
        }
        case expr_kind::call: return eval_call(e, sc);
        case expr_kind::filter: {
            value input = eval(*e.args[0], sc);
            call_args args;
            collect_args(e, 1, sc, args);
            return apply_filter(*this, e.name, std::move(input), args, e.pos);
        }
        case expr_kind::test: {
            value v = eval(*e.args[0], sc);
            call_args args;
            collect_args(e, 1, sc, args);
            return value::boolean(apply_test(*this, e.name, v, args, e.pos) != e.negated);
        }
        case expr_kind::unary: {
            value v = eval(*e.args[0], sc);
            if (e.name == "not") return value::boolean(!v.truthy());
            if (!v.is_number() && v.type() != kind::boolean)
                throw jinja_error{"unary '" + e.name + "' needs a number, got " + v.type_name(), e.pos};
            if (e.name == "+") return v;
            if (v.type() == kind::floating) return value::floating(-v.as_number());
            int64_t i = to_int(v, e.pos, "operand");
            if (i == INT64_MIN) throw jinja_error{"integer overflow", e.pos};
            return value::integer(-i);
        }
        case expr_kind::binary: return eval_binary(e, sc);
        case expr_kind::ternary:
            if (eval(*e.args[1], sc).truthy()) return eval(*e.args[0], sc);
            return e.args[2] ? eval(*e.args[2], sc) : value();
    }
    return value();
}

value interpreter::eval_call(const expr& e, scope& sc) {
    value fn = eval(*e.args[0], sc);
    if (fn.type() != kind::function) {
        std::string what = e.args[0]->kind == expr_kind::name || e.args[0]->kind == expr_kind::attr
                               ? "'" + e.args[0]->name + "'"
                               : "expression";
        throw jinja_error{what + " is not callable (it is " + fn.type_name() + ")", e.pos};
    }
    call_args args;
    collect_args(e, 1, sc, args);
    return call(fn, args, e.pos);
}

}  // namespace holo::jinja
