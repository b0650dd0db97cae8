// Jinja lexer: splits template text into raw text and the tokens inside
// {{ }} / {% %} tags, applying the whitespace rules chat templates rely on
// (`-` trim markers, trim_blocks, lstrip_blocks, one trailing newline dropped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace holo::jinja {

enum class tok { text, expr_open, expr_close, stmt_open, stmt_close, name, string, integer, floating, op, eof };

struct token {
    tok type;
    std::string text;  // raw text, identifier, decoded string literal, number or operator
    size_t pos;        // byte offset in the template source
};

// Throws jinja_error on an unterminated tag, comment or string.
std::vector<token> lex(std::string_view source);

// "line L, column C" for a byte offset (1-based, columns in bytes).
std::string describe_position(std::string_view source, size_t pos);

}  // namespace holo::jinja
