// String helpers shared by filters and string methods (Python str semantics on
// UTF-8 text; case mapping is ASCII-only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace holo::jinja {

bool is_py_space(char c);
std::string py_strip(std::string_view s, bool left, bool right, const std::string* chars);
std::string ascii_upper(std::string s);
std::string ascii_lower(std::string s);
std::string py_title(std::string_view s);
std::string py_capitalize(std::string_view s);
std::vector<std::string> py_split(const std::string& s, const std::string* sep, int64_t maxsplit);
// count < 0 replaces every occurrence
std::string py_replace(const std::string& s, const std::string& from, const std::string& to, int64_t count);

}  // namespace holo::jinja
