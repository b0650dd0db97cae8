// Renders a parsed template. The sandbox lives here: the only things a template
// can touch are the values in its context and the built-in filters/functions;
// every loop, call and output byte is counted against `limits`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "tokenizer/jinja/ast.h"

namespace holo::jinja {

struct limits {
    uint64_t max_iterations = 1'000'000;  // all loop iterations (and range/list sizes) of one render
    int max_call_depth = 64;              // nested macro calls
    size_t max_output_bytes = 8u << 20;   // rendered text, and any single string built on the way
    int max_nesting = 128;                // parser: nested blocks and expressions
    size_t max_total_bytes = 256u << 20;  // all strings built by operators and filters together
};

// Counters shared by the interpreter and the built-ins during one render.
struct budget {
    limits lim;
    uint64_t iterations = 0;
    size_t total_bytes = 0;

    void spend_iterations(uint64_t n, size_t pos);
    // Called for each string built by an operator or filter, before it is built:
    // counts it against the single-string and the total caps.
    void check_size(size_t bytes, size_t pos);
    // Only the single-string cap (for a string still growing, e.g. inside join).
    void check_length(size_t bytes, size_t pos) const;
};

class interpreter;

// Built-ins (builtins.cpp, methods.cpp). `pos` is used for error positions.
value apply_filter(interpreter& in, const std::string& name, value input, call_args& args, size_t pos);
bool apply_test(interpreter& in, const std::string& name, const value& v, call_args& args, size_t pos);
value get_method(interpreter& in, const value& obj, const std::string& name, size_t pos);
void install_globals(interpreter& in, dict& globals);

class interpreter {
public:
    explicit interpreter(const limits& lim) : budget_{lim} {}
    ~interpreter();
    interpreter(const interpreter&) = delete;
    interpreter& operator=(const interpreter&) = delete;

    // Renders `tree` with `globals` as the outermost scope. Throws jinja_error.
    std::string render(const body& tree, dict globals);

    budget& spend() { return budget_; }
    // Records a list or namespace changed in place (append, set ns.x), so the
    // destructor can break any reference cycle the change made.
    void note_mutation(const value& container);
    // Calls a callable value (macro or native function).
    value call(const value& fn, call_args& args, size_t pos);

private:
    struct scope {
        std::unordered_map<std::string, value> vars;
        scope* parent = nullptr;
    };
    enum class flow { normal, break_, continue_ };

    flow exec_body(const body& b, scope& sc, std::string& out);
    flow exec(const stmt& s, scope& sc, std::string& out);
    void exec_for(const stmt& s, scope& sc, std::string& out);
    value make_macro(const stmt& s, scope& defining);
    value eval(const expr& e, scope& sc);
    value eval_binary(const expr& e, scope& sc);
    value eval_call(const expr& e, scope& sc);
    value get_attr(const value& obj, const std::string& name, size_t pos);
    value get_item(const value& obj, const value& key, size_t pos);
    value slice(const value& obj, const value& start, const value& stop, const value& step, size_t pos);
    void collect_args(const expr& e, size_t first, scope& sc, call_args& args);
    void append(std::string& out, std::string_view text, size_t pos);
    static const value* lookup(scope& sc, const std::string& name);

    budget budget_;
    int call_depth_ = 0;
    scope* root_ = nullptr;
    std::vector<value> mutated_;
    std::unordered_set<const void*> mutated_ids_;
};

// Items a for-loop or a filter iterates: list items, dict keys, string characters.
std::vector<value> iterate(const value& v, size_t pos);
int64_t to_int(const value& v, size_t pos, const char* what);

}  // namespace holo::jinja
