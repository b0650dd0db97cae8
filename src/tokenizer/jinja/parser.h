// Jinja parser: tokens to a statement tree. Nesting is capped (expressions and
// blocks) so a hostile template cannot exhaust the stack.
#pragma once

#include <string_view>

#include "tokenizer/jinja/ast.h"

namespace holo::jinja {

constexpr int k_default_max_nesting = 128;

// Throws jinja_error (with the byte offset) on a syntax error or too deep nesting.
body parse(std::string_view source, int max_nesting = k_default_max_nesting);

}  // namespace holo::jinja
