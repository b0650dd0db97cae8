// Recursive-descent parser with Jinja2's precedence:
//   ternary < or < and < not < comparison/in < + - < ~ < * / // % < ** < unary
//   < postfix (. [] () | is).
#include "tokenizer/jinja/parser.h"

#include <charconv>
#include <cstdlib>
#include <initializer_list>

#include "tokenizer/jinja/lexer.h"

namespace holo::jinja {

namespace {

class parser {
public:
    parser(std::vector<token> toks, int max_nesting) : t_(std::move(toks)), max_nesting_(max_nesting) {}

    body parse_template() {
        std::string end;
        body b = parse_body({}, end);
        return b;
    }

private:
    struct depth_guard {
        parser& p;
        explicit depth_guard(parser& pp, size_t pos) : p(pp) {
            if (++p.depth_ > p.max_nesting_)
                throw jinja_error{"template nests deeper than " + std::to_string(p.max_nesting_) + " levels", pos};
        }
        ~depth_guard() { --p.depth_; }
    };

    const token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
    const token& next() {
        const token& t = t_[i_];
        if (i_ + 1 < t_.size()) ++i_;
        return t;
    }
    bool is_op(const char* op, size_t k = 0) const { return peek(k).type == tok::op && peek(k).text == op; }
    bool is_name(const char* n, size_t k = 0) const { return peek(k).type == tok::name && peek(k).text == n; }
    bool accept_op(const char* op) {
        if (!is_op(op)) return false;
        next();
        return true;
    }
    bool accept_name(const char* n) {
        if (!is_name(n)) return false;
        next();
        return true;
    }
    [[noreturn]] void fail(const std::string& msg) const { throw jinja_error{msg, peek().pos}; }
    std::string describe(const token& t) const {
        switch (t.type) {
            case tok::eof: return "end of template";
            case tok::expr_close: return "'}}'";
            case tok::stmt_close: return "'%}'";
            case tok::text: return "text";
            default: return "'" + t.text + "'";
        }
    }
    void expect_op(const char* op) {
        if (!accept_op(op)) fail(std::string("expected '") + op + "', found " + describe(peek()));
    }
    std::string expect_name() {
        if (peek().type != tok::name) fail("expected a name, found " + describe(peek()));
        return next().text;
    }
    void expect_stmt_close() {
        if (peek().type != tok::stmt_close) fail("expected '%}', found " + describe(peek()));
        next();
    }

    // Chains such as 1+1+1+... or a|f|f|f... grow the tree without recursing in the
    // parser; their height is checked here, once each node is complete.
    expr_ptr seal(expr_ptr e) const {
        int h = 0;
        for (auto& a : e->args)
            if (a) h = std::max(h, a->height);
        for (auto& kv : e->kwargs) h = std::max(h, kv.second->height);
        e->height = h + 1;
        if (e->height > 8 * max_nesting_)
            throw jinja_error{"expression nests deeper than " + std::to_string(8 * max_nesting_) + " levels", e->pos};
        return e;
    }

    static expr_ptr make(expr_kind k, size_t pos, std::string name = {}) {
        auto e = std::make_unique<expr>();
        e->kind = k;
        e->pos = pos;
        e->name = std::move(name);
        return e;
    }

    // ---- statements ----

    // Parses until `{% <one of ends> %}`; leaves the tokens after the end keyword
    // unread (the caller reads the rest of that tag). `ended` gets the keyword.
    body parse_body(std::initializer_list<const char*> ends, std::string& ended) {
        depth_guard g(*this, peek().pos);
        body out;
        while (true) {
            const token& t = peek();
            if (t.type == tok::eof) {
                if (ends.size() == 0) return out;
                throw jinja_error{"'{% " + block_kw_ + " %}' is never closed (missing '{% " +
                                      std::string(*(ends.end() - 1)) + " %}')",
                                  block_pos_};
            }
            if (t.type == tok::text) {
                auto s = std::make_unique<stmt>();
                s->kind = stmt_kind::text;
                s->pos = t.pos;
                s->text = t.text;
                next();
                out.push_back(std::move(s));
            } else if (t.type == tok::expr_open) {
                auto s = std::make_unique<stmt>();
                s->kind = stmt_kind::output;
                s->pos = t.pos;
                next();
                s->e = parse_expr();
                if (peek().type != tok::expr_close) fail("expected '}}', found " + describe(peek()));
                next();
                out.push_back(std::move(s));
            } else if (t.type == tok::stmt_open) {
                next();
                if (peek().type != tok::name) fail("expected a statement keyword, found " + describe(peek()));
                std::string kw = peek().text;
                for (const char* e : ends)
                    if (kw == e) {
                        next();
                        ended = kw;
                        return out;
                    }
                if (stmt_ptr s = parse_statement()) out.push_back(std::move(s));
            } else {
                fail("unexpected " + describe(t));
            }
        }
    }

    stmt_ptr new_stmt(stmt_kind k, size_t pos) {
        auto s = std::make_unique<stmt>();
        s->kind = k;
        s->pos = pos;
        return s;
    }

    stmt_ptr parse_statement() {
        const token& kwt = next();
        std::string kw = kwt.text;
        size_t pos = kwt.pos;
        std::string ended;
        // remembered for the "never closed" message; restored when this block ends
        struct block_scope {
            parser& p;
            std::string kw;
            size_t pos;
            block_scope(parser& pp, const std::string& k, size_t ps) : p(pp), kw(pp.block_kw_), pos(pp.block_pos_) {
                p.block_kw_ = k;
                p.block_pos_ = ps;
            }
            ~block_scope() {
                p.block_kw_ = kw;
                p.block_pos_ = pos;
            }
        } bs(*this, kw, pos);
        if (kw == "if") {
            auto s = new_stmt(stmt_kind::if_, pos);
            s->conds.push_back(parse_expr());
            expect_stmt_close();
            while (true) {
                s->bodies.push_back(parse_body({"elif", "else", "endif"}, ended));
                if (ended == "elif") {
                    s->conds.push_back(parse_expr());
                    expect_stmt_close();
                } else if (ended == "else") {
                    expect_stmt_close();
                    s->bodies.push_back(parse_body({"endif"}, ended));
                    expect_stmt_close();
                    return s;
                } else {
                    expect_stmt_close();
                    return s;
                }
            }
        }
        if (kw == "for") {
            auto s = new_stmt(stmt_kind::for_, pos);
            s->targets.push_back(expect_name());
            while (accept_op(",")) s->targets.push_back(expect_name());
            if (!accept_name("in")) fail("expected 'in' in for loop, found " + describe(peek()));
            s->e = parse_or();  // not a ternary: `if` here filters the loop
            if (accept_name("if")) s->cond = parse_or();
            accept_name("recursive");
            expect_stmt_close();
            s->bodies.push_back(parse_body({"else", "endfor"}, ended));
            if (ended == "else") {
                expect_stmt_close();
                s->bodies.push_back(parse_body({"endfor"}, ended));
            }
            expect_stmt_close();
            return s;
        }
        if (kw == "set") {
            std::string first = expect_name();
            if (is_op(".")) {
                auto s = new_stmt(stmt_kind::set, pos);
                s->target_expr = make(expr_kind::name, pos, first);
                next();
                s->text = expect_name();
                expect_op("=");
                s->e = parse_expr();
                expect_stmt_close();
                return s;
            }
            if (peek().type == tok::stmt_close) {
                auto s = new_stmt(stmt_kind::set_block, pos);
                s->text = first;
                next();
                s->bodies.push_back(parse_body({"endset"}, ended));
                expect_stmt_close();
                return s;
            }
            auto s = new_stmt(stmt_kind::set, pos);
            s->targets.push_back(first);
            while (accept_op(",")) s->targets.push_back(expect_name());
            expect_op("=");
            s->e = parse_expr();
            if (is_op(",")) {  // set a, b = 1, 2
                auto tup = make(expr_kind::tuple, s->e->pos);
                tup->args.push_back(std::move(s->e));
                while (accept_op(",")) tup->args.push_back(parse_expr());
                s->e = std::move(tup);
            }
            expect_stmt_close();
            return s;
        }
        if (kw == "macro") {
            auto s = new_stmt(stmt_kind::macro, pos);
            s->text = expect_name();
            expect_op("(");
            while (!accept_op(")")) {
                macro_param p;
                p.name = expect_name();
                if (accept_op("=")) p.default_value = parse_expr();
                s->params.push_back(std::move(p));
                if (!is_op(")")) expect_op(",");
            }
            expect_stmt_close();
            s->bodies.push_back(parse_body({"endmacro"}, ended));
            expect_stmt_close();
            return s;
        }
        if (kw == "call" || kw == "filter") {
            auto s = new_stmt(kw == "call" ? stmt_kind::call_block : stmt_kind::filter_block, pos);
            if (kw == "call") {
                s->e = parse_expr();
                if (s->e->kind != expr_kind::call) throw jinja_error{"{% call %} needs a macro call", pos};
            } else {
                auto f = make(expr_kind::filter, pos);
                f->args.push_back(nullptr);
                parse_filter_rest(*f);
                s->e = std::move(f);
            }
            expect_stmt_close();
            s->bodies.push_back(parse_body({kw == "call" ? "endcall" : "endfilter"}, ended));
            expect_stmt_close();
            return s;
        }
        if (kw == "break" || kw == "continue") {
            expect_stmt_close();
            return new_stmt(kw == "break" ? stmt_kind::break_ : stmt_kind::continue_, pos);
        }
        if (kw == "generation" || kw == "endgeneration") {
            expect_stmt_close();  // transformers' assistant-mask markers: no output
            return nullptr;
        }
        throw jinja_error{"unknown statement '" + kw + "'", pos};
    }

    // ---- expressions ----

    expr_ptr parse_expr() {
        depth_guard g(*this, peek().pos);
        size_t pos = peek().pos;
        expr_ptr value = parse_or();
        if (is_name("if")) {
            next();
            auto e = make(expr_kind::ternary, pos);
            e->args.push_back(std::move(value));
            e->args.push_back(parse_or());
            e->args.push_back(accept_name("else") ? parse_expr() : nullptr);
            return seal(std::move(e));
        }
        return value;
    }

    expr_ptr binary(std::string op, size_t pos, expr_ptr a, expr_ptr b) {
        auto e = make(expr_kind::binary, pos, std::move(op));
        e->args.push_back(std::move(a));
        e->args.push_back(std::move(b));
        return seal(std::move(e));
    }

    expr_ptr parse_or() {
        expr_ptr l = parse_and();
        while (is_name("or")) {
            size_t pos = next().pos;
            l = binary("or", pos, std::move(l), parse_and());
        }
        return l;
    }
    expr_ptr parse_and() {
        expr_ptr l = parse_not();
        while (is_name("and")) {
            size_t pos = next().pos;
            l = binary("and", pos, std::move(l), parse_not());
        }
        return l;
    }
    expr_ptr parse_not() {
        if (is_name("not")) {
            depth_guard g(*this, peek().pos);
            auto e = make(expr_kind::unary, next().pos, "not");
            e->args.push_back(parse_not());
            return seal(std::move(e));
        }
        return parse_compare();
    }
    expr_ptr parse_compare() {
        expr_ptr l = parse_add();
        while (true) {
            size_t pos = peek().pos;
            std::string op;
            if (peek().type == tok::op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                           peek().text == ">" || peek().text == "<=" || peek().text == ">=")) {
                op = next().text;
            } else if (is_name("in")) {
                next();
                op = "in";
            } else if (is_name("not") && is_name("in", 1)) {
                next();
                next();
                op = "not in";
            } else {
                return l;
            }
            l = binary(op, pos, std::move(l), parse_add());
        }
    }
    expr_ptr parse_add() {
        expr_ptr l = parse_concat();
        while (is_op("+") || is_op("-")) {
            const token& t = next();
            l = binary(t.text, t.pos, std::move(l), parse_concat());
        }
        return l;
    }
    expr_ptr parse_concat() {
        expr_ptr l = parse_mul();
        while (is_op("~")) {
            size_t pos = next().pos;
            l = binary("~", pos, std::move(l), parse_mul());
        }
        return l;
    }
    expr_ptr parse_mul() {
        expr_ptr l = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const token& t = next();
            l = binary(t.text, t.pos, std::move(l), parse_pow());
        }
        return l;
    }
    expr_ptr parse_pow() {
        expr_ptr l = parse_unary();
        while (is_op("**")) {
            size_t pos = next().pos;
            l = binary("**", pos, std::move(l), parse_unary());
        }
        return l;
    }
    // As in Jinja2, filters apply to the whole unary expression: -3|abs is (-3)|abs.
    expr_ptr parse_unary(bool with_filters = true) {
        if (is_op("-") || is_op("+")) {
            depth_guard g(*this, peek().pos);
            const token& t = next();
            auto e = make(expr_kind::unary, t.pos, t.text);
            e->args.push_back(parse_unary(false));
            e = seal(std::move(e));
            return with_filters ? parse_filters(std::move(e)) : std::move(e);
        }
        expr_ptr e = parse_postfix(parse_primary());
        return with_filters ? parse_filters(std::move(e)) : std::move(e);
    }

    void parse_call_args(expr& e) {
        // after '(' ; fills e.args (appending) and e.kwargs
        while (!accept_op(")")) {
            if (peek().type == tok::name && is_op("=", 1)) {
                std::string k = next().text;
                next();
                e.kwargs.emplace_back(k, parse_expr());
            } else {
                if (!e.kwargs.empty()) fail("positional argument after keyword argument");
                e.args.push_back(parse_expr());
            }
            if (!is_op(")")) expect_op(",");
        }
    }

    expr_ptr parse_postfix(expr_ptr e) {
        while (true) {
            size_t pos = peek().pos;
            if (accept_op(".")) {
                if (peek().type == tok::integer) {  // x.0 is x[0] in Jinja
                    auto it = make(expr_kind::item, pos);
                    it->args.push_back(std::move(e));
                    auto lit = make(expr_kind::literal, pos);
                    lit->lit = value::integer(std::atoll(next().text.c_str()));
                    it->args.push_back(std::move(lit));
                    e = seal(std::move(it));
                    continue;
                }
                auto a = make(expr_kind::attr, pos, expect_name());
                a->args.push_back(std::move(e));
                e = seal(std::move(a));
            } else if (accept_op("[")) {
                depth_guard g(*this, pos);
                expr_ptr idx[3];
                int part = 0;
                bool is_slice = false;
                while (!is_op("]")) {
                    if (accept_op(":")) {
                        is_slice = true;
                        if (++part > 2) fail("too many ':' in slice");
                        continue;
                    }
                    if (idx[part]) fail("expected ':' or ']' in subscript, found " + describe(peek()));
                    idx[part] = parse_expr();
                }
                next();
                if (!is_slice) {
                    if (!idx[0]) throw jinja_error{"empty subscript", pos};
                    auto it = make(expr_kind::item, pos);
                    it->args.push_back(std::move(e));
                    it->args.push_back(std::move(idx[0]));
                    e = seal(std::move(it));
                } else {
                    auto sl = make(expr_kind::slice, pos);
                    sl->args.push_back(std::move(e));
                    for (auto& p : idx) sl->args.push_back(std::move(p));
                    e = seal(std::move(sl));
                }
            } else if (accept_op("(")) {
                depth_guard g(*this, pos);
                auto c = make(expr_kind::call, pos);
                c->args.push_back(std::move(e));
                parse_call_args(*c);
                e = seal(std::move(c));
            } else {
                return e;
            }
        }
    }

    void parse_filter_rest(expr& f) {
        f.name = expect_name();
        while (accept_op(".")) f.name += "." + expect_name();
        if (accept_op("(")) parse_call_args(f);
    }

    expr_ptr parse_filters(expr_ptr e) {
        while (true) {
            size_t pos = peek().pos;
            if (accept_op("|")) {
                auto f = make(expr_kind::filter, pos);
                f->args.push_back(std::move(e));
                parse_filter_rest(*f);
                e = seal(std::move(f));
            } else if (is_name("is")) {
                next();
                auto t = make(expr_kind::test, pos);
                t->negated = accept_name("not");
                t->args.push_back(std::move(e));
                // `none`, `true`, `false` are test names here, not literals
                t->name = expect_name();
                if (accept_op("(")) {
                    parse_call_args(*t);
                } else if (starts_test_arg()) {
                    t->args.push_back(parse_postfix(parse_primary()));
                }
                e = seal(std::move(t));
            } else {
                return e;
            }
        }
    }

    bool starts_test_arg() const {
        const token& t = peek();
        if (t.type == tok::string || t.type == tok::integer || t.type == tok::floating) return true;
        if (t.type == tok::op) return t.text == "[" || t.text == "{";
        if (t.type != tok::name) return false;
        for (const char* kw : {"and", "or", "not", "in", "is", "if", "else"})
            if (t.text == kw) return false;
        return true;
    }

    expr_ptr parse_primary() {
        depth_guard g(*this, peek().pos);
        const token& t = peek();
        size_t pos = t.pos;
        switch (t.type) {
            case tok::string: {
                std::string s = next().text;
                while (peek().type == tok::string) s += next().text;  // "a" "b" concatenates
                auto e = make(expr_kind::literal, pos);
                e->lit = value::string(std::move(s));
                return e;
            }
            case tok::integer: {
                auto e = make(expr_kind::literal, pos);
                int64_t v = 0;
                const std::string& txt = next().text;
                auto r = std::from_chars(txt.data(), txt.data() + txt.size(), v);
                e->lit = r.ec == std::errc() ? value::integer(v) : value::floating(std::strtod(txt.c_str(), nullptr));
                return e;
            }
            case tok::floating: {
                auto e = make(expr_kind::literal, pos);
                e->lit = value::floating(std::strtod(next().text.c_str(), nullptr));
                return e;
            }
            case tok::name: {
                std::string n = next().text;
                auto e = make(expr_kind::literal, pos);
                if (n == "true" || n == "True") e->lit = value::boolean(true);
                else if (n == "false" || n == "False") e->lit = value::boolean(false);
                else if (n == "none" || n == "None") e->lit = value::none();
                else e = make(expr_kind::name, pos, n);
                return e;
            }
            case tok::op:
                if (t.text == "(") {
                    next();
                    if (accept_op(")")) return make(expr_kind::tuple, pos);
                    expr_ptr first = parse_expr();
                    if (accept_op(")")) return first;
                    auto tup = make(expr_kind::tuple, pos);
                    tup->args.push_back(std::move(first));
                    while (accept_op(",")) {
                        if (is_op(")")) break;
                        tup->args.push_back(parse_expr());
                    }
                    expect_op(")");
                    return seal(std::move(tup));
                }
                if (t.text == "[") {
                    next();
                    auto l = make(expr_kind::list, pos);
                    while (!accept_op("]")) {
                        l->args.push_back(parse_expr());
                        if (!is_op("]")) expect_op(",");
                    }
                    return seal(std::move(l));
                }
                if (t.text == "{") {
                    next();
                    auto d = make(expr_kind::dict, pos);
                    while (!accept_op("}")) {
                        d->args.push_back(parse_expr());
                        expect_op(":");
                        d->args.push_back(parse_expr());
                        if (!is_op("}")) expect_op(",");
                    }
                    return seal(std::move(d));
                }
                break;
            default: break;
        }
        fail("expected an expression, found " + describe(t));
    }

    std::vector<token> t_;
    size_t i_ = 0;
    int depth_ = 0;
    int max_nesting_;
    std::string block_kw_;
    size_t block_pos_ = 0;
};

}  // namespace

body parse(std::string_view source, int max_nesting) {
    return parser(lex(source), max_nesting).parse_template();
}

}  // namespace holo::jinja
