// Syntax tree of a parsed template: expressions and statements, each carrying the
// byte offset it came from so render errors can point at line:column.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/jinja/value.h"

namespace holo::jinja {

enum class expr_kind {
    literal,   // lit
    name,      // name
    list,      // args = items
    tuple,     // args = items
    dict,      // args = key0, value0, key1, value1, ...
    attr,      // args[0].name
    item,      // args[0][args[1]]
    slice,     // args[0][args[1]:args[2]:args[3]] (each bound may be null)
    call,      // args[0](args[1..], kwargs)
    filter,    // args[0] | name(args[1..], kwargs)
    test,      // args[0] is [not] name(args[1..])
    unary,     // name in {"-", "+", "not"}, args[0]
    binary,    // args[0] name args[1]; name is the operator or "and"/"or"/"in"/"not in"
    ternary,   // args[0] if args[1] else args[2] (args[2] may be null)
};

struct expr {
    expr_kind kind;
    size_t pos = 0;
    std::string name;
    value lit;
    bool negated = false;
    int height = 1;  // longest path to a leaf; capped so evaluation cannot exhaust the stack
    std::vector<std::unique_ptr<expr>> args;
    std::vector<std::pair<std::string, std::unique_ptr<expr>>> kwargs;
};
using expr_ptr = std::unique_ptr<expr>;

struct stmt;
using stmt_ptr = std::unique_ptr<stmt>;
using body = std::vector<stmt_ptr>;

enum class stmt_kind {
    text,       // text
    output,     // {{ e }}
    if_,        // conds[i] -> bodies[i]; bodies.size() == conds.size() + 1 with else
    for_,       // for targets in e [if cond] : bodies[0] [else bodies[1]]
    set,        // set targets = e, or set target_expr.attr = e
    set_block,  // {% set name %}bodies[0]{% endset %}
    macro,      // macro name(params) bodies[0]
    call_block, // {% call e %}bodies[0]{% endcall %}: e gets caller()
    filter_block,  // {% filter e %}bodies[0]{% endfilter %}
    break_,
    continue_,
};

struct macro_param {
    std::string name;
    expr_ptr default_value;
};

struct stmt {
    stmt_kind kind;
    size_t pos = 0;
    std::string text;                  // text, or the macro / set-block name
    expr_ptr e;                        // output value, for iterable, set value, call target
    expr_ptr cond;                     // for-loop filter
    expr_ptr target_expr;              // `ns` of `set ns.attr = ...` (text = attr)
    std::vector<std::string> targets;  // for/set names
    std::vector<expr_ptr> conds;
    std::vector<body> bodies;
    std::vector<macro_param> params;
};

}  // namespace holo::jinja
