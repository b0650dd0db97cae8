#include "server/model_name.h"

#include <algorithm>

namespace holo::server {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

bool valid_part(std::string_view s, size_t max_len, bool allow_upper) {
    if (s.empty() || s.size() > max_len) return false;
    if (!(allow_upper ? is_alnum(s[0]) || s[0] == '_' : is_lower_alnum(s[0]))) return false;
    for (char c : s) {
        const bool ok = (allow_upper ? is_alnum(c) : is_lower_alnum(c)) || c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return s.find("..") == std::string_view::npos;
}

}  // namespace

std::string model_name::str() const {
    return (ns == "library" ? "" : ns + "/") + model + ":" + tag;
}

result<model_name> parse_model_name(std::string_view text) {
    auto bad = [&](const char* why) {
        std::string shown;
        for (char c : text.substr(0, 80)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
        return error{"invalid model name \"" + shown + "\": " + why +
                     " (expected [namespace/]model[:tag] with letters, digits, '_', '.', '-')"};
    };
    if (text.empty()) return bad("it is empty");
    if (text.size() > 200) return bad("it is too long");
    model_name n;
    std::string_view rest = text;
    if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        n.tag = std::string(rest.substr(colon + 1));
        rest = rest.substr(0, colon);
        if (!valid_part(n.tag, 128, true)) return bad("the tag is not allowed");
    }
    std::string lower(rest);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; });
    const size_t slash = lower.find('/');
    if (slash != std::string::npos) {
        if (lower.find('/', slash + 1) != std::string::npos) return bad("only one '/' is allowed");
        n.ns = lower.substr(0, slash);
        n.model = lower.substr(slash + 1);
        if (!valid_part(n.ns, 64, false)) return bad("the namespace is not allowed");
    } else {
        n.model = lower;
    }
    if (!valid_part(n.model, 64, false)) return bad("the model part is not allowed");
    return n;
}

bool is_valid_digest(std::string_view d) {
    if (d.size() != 7 + 64 || d.substr(0, 7) != "sha256:") return false;
    return std::all_of(d.begin() + 7, d.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string name_from_filename(std::string_view p) {
    if (size_t q = p.find_first_of("?#"); q != std::string_view::npos) p = p.substr(0, q);
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    if (size_t s = p.rfind('/'); s != std::string_view::npos) p = p.substr(s + 1);
    std::string base(p);
    if (base.size() > 5) {
        std::string ext = base.substr(base.size() - 5);
        std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) { return char(std::tolower(c)); });
        if (ext == ".gguf") base.resize(base.size() - 5);
    }
    std::string out;
    for (char c : base) {
        char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        const bool ok = is_lower_alnum(l) || l == '_' || l == '.' || l == '-';
        if (!ok) l = '-';
        if ((l == '.' && !out.empty() && out.back() == '.')) continue;
        out += l;
    }
    while (!out.empty() && !is_lower_alnum(out.front())) out.erase(0, 1);
    if (out.size() > 64) out.resize(64);
    if (out.empty()) out = "model";
    return out;
}

}  // namespace holo::server
