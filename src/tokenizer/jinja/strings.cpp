// Python-compatible string operations used by templates.
#include "tokenizer/jinja/strings.h"

#include "tokenizer/jinja/value.h"

namespace holo::jinja {

bool is_py_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string py_strip(std::string_view s, bool left, bool right, const std::string* chars) {
    if (chars) {
        // strip whole code points that appear in `chars`
        auto set = utf8_chars(*chars);
        auto in_set = [&](std::string_view c) {
            for (auto x : set)
                if (x == c) return true;
            return false;
        };
        auto cs = utf8_chars(s);
        size_t b = 0, e = cs.size();
        if (left)
            while (b < e && in_set(cs[b])) ++b;
        if (right)
            while (e > b && in_set(cs[e - 1])) --e;
        std::string out;
        for (size_t i = b; i < e; ++i) out += cs[i];
        return out;
    }
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && is_py_space(s[b])) ++b;
    if (right)
        while (e > b && is_py_space(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

std::string ascii_upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = char(c - 32);
    return s;
}

std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return s;
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string py_title(std::string_view s) {
    std::string out(s);
    bool prev_letter = false;
    for (char& c : out) {
        if (is_alpha(c)) {
            c = prev_letter ? ascii_lower(std::string(1, c))[0] : ascii_upper(std::string(1, c))[0];
            prev_letter = true;
        } else {
            prev_letter = (static_cast<unsigned char>(c) & 0x80) != 0;
        }
    }
    return out;
}

std::string py_capitalize(std::string_view s) {
    std::string out = ascii_lower(std::string(s));
    if (!out.empty()) out[0] = ascii_upper(out.substr(0, 1))[0];
    return out;
}

std::vector<std::string> py_split(const std::string& s, const std::string* sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (!sep) {
        size_t i = 0;
        while (true) {
            while (i < s.size() && is_py_space(s[i])) ++i;
            if (i >= s.size()) break;
            if (maxsplit >= 0 && int64_t(out.size()) >= maxsplit) {
                out.push_back(py_strip(std::string_view(s).substr(i), false, true, nullptr));
                break;
            }
            size_t b = i;
            while (i < s.size() && !is_py_space(s[i])) ++i;
            out.push_back(s.substr(b, i - b));
        }
        return out;
    }
    if (sep->empty()) throw jinja_error{"split(): empty separator"};
    size_t b = 0;
    while (true) {
        size_t p = s.find(*sep, b);
        if (p == std::string::npos || (maxsplit >= 0 && int64_t(out.size()) >= maxsplit)) {
            out.push_back(s.substr(b));
            return out;
        }
        out.push_back(s.substr(b, p - b));
        b = p + sep->size();
    }
}

std::string py_replace(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
    std::string out;
    if (from.empty()) {
        // Python inserts `to` between code points (and at both ends)
        auto cs = utf8_chars(s);
        int64_t done = 0;
        for (size_t i = 0; i <= cs.size(); ++i) {
            if (count < 0 || done < count) {
                out += to;
                ++done;
            }
            if (i < cs.size()) out += cs[i];
        }
        return out;
    }
    size_t b = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        size_t p = s.find(from, b);
        if (p == std::string::npos) break;
        out.append(s, b, p - b);
        out += to;
        b = p + from.size();
        ++done;
    }
    out.append(s, b, std::string::npos);
    return out;
}

}  // namespace holo::jinja
