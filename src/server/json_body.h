// Request bodies as JSON, parsed defensively: the nesting depth is checked on the
// raw bytes before the (recursive) parser runs, so a deeply nested body cannot
// exhaust the stack; invalid UTF-8 and syntax errors come back as messages.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace holo::server {

inline constexpr int k_max_json_depth = 64;

// Deepest [ / { nesting outside strings; stops counting past `limit`.
int json_depth(std::string_view text, int limit);

// Parses an object body; errors say what is wrong (for a 400).
result<nlohmann::json> parse_json_body(std::string_view body, int max_depth = k_max_json_depth);

// dump() that never throws on odd bytes (replaces invalid UTF-8 with U+FFFD).
std::string to_json_text(const nlohmann::json& j);

}  // namespace holo::server
