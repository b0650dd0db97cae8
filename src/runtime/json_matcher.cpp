#include "runtime/json_matcher.h"

#include <algorithm>

namespace holo {
namespace {

using kind = schema_node::kind;

enum frame_type : uint8_t { f_doc, f_value, f_object, f_array, f_string, f_number, f_literal };
// Object stages.
enum : uint8_t { o_open, o_key, o_keystr, o_colon, o_value, o_after, o_comma };
// String stages.
enum : uint8_t { s_chars, s_escape, s_hex, s_utf8 };
// Number stages: s after '-', leading zero, int digits, '.', frac digits, 'e', exp sign, exp digits, start.
enum : uint8_t { n_minus, n_zero, n_int, n_dot, n_frac, n_e, n_esign, n_exp, n_start };

constexpr int32_t k_bool_list = -2, k_null_list = -3;
const std::vector<std::string> k_bool_literals = {"false", "true"};
const std::vector<std::string> k_null_literals = {"null"};

bool is_ws(uint8_t c) { return c == ' ' || c == '\n' || c == '\t'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_hex(uint8_t c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool number_completable(uint8_t stage) { return stage == n_zero || stage == n_int || stage == n_frac || stage == n_exp; }

json_matcher::frame make(uint8_t type, int32_t node, uint8_t stage = 0) {
    json_matcher::frame f;
    f.type = type;
    f.node = node;
    f.stage = stage;
    return f;
}

}  // namespace

json_matcher::json_matcher(std::shared_ptr<const json_grammar> g) : g_(std::move(g)) {
    thread t;
    if (g_->prefix.empty()) {
        t.stack.push_back(make(f_doc, -1, 1));
        t.stack.push_back(make(f_value, g_->root));
    } else {
        t.stack.push_back(make(f_doc, -1, 0));
    }
    threads_.push_back(std::move(t));
}

const std::vector<std::string>& json_matcher::literal_list(int32_t node) const {
    if (node == k_bool_list) return k_bool_literals;
    if (node == k_null_list) return k_null_literals;
    return g_->nodes[size_t(node)].literals;
}

bool json_matcher::feed(std::string_view bytes) {
    std::vector<thread> cur = threads_, next;
    for (char ch : bytes) {
        next.clear();
        for (const auto& t : cur) feed_thread(t, uint8_t(ch), next);
        // Identical branches (anyOf alternatives that converged) count once; past the
        // cap the later branches are dropped: what is accepted shrinks, never grows.
        std::vector<thread> uniq;
        for (auto& t : next) {
            if (uniq.size() >= k_max_branches) break;
            if (std::find(uniq.begin(), uniq.end(), t) == uniq.end()) uniq.push_back(std::move(t));
        }
        if (uniq.empty()) return false;
        cur = std::move(uniq);
    }
    threads_ = std::move(cur);
    return true;
}

bool json_matcher::accepts(std::string_view bytes) const { return remaining_after(bytes) >= 0; }

int64_t json_matcher::remaining_after(std::string_view bytes) const {
    if (threads_.size() == 1) {
        // One branch (the common case): walk a copy of its stack in place. A fork
        // (anyOf) on the way hands over to the general path.
        thread t = threads_[0];
        std::vector<thread> forks;
        bool forked = false;
        for (char ch : bytes) {
            const uint8_t c = uint8_t(ch);
            if (!is_ws(c)) t.ws_run = 0;
            if (!step(t, c, forks)) {
                if (forks.empty()) return -1;
                forked = true;
                break;
            }
        }
        if (!forked) return int64_t(thread_remaining(t));
    }
    json_matcher copy = *this;
    if (!copy.feed(bytes)) return -1;
    return int64_t(copy.min_remaining());
}

void json_matcher::feed_thread(thread t, uint8_t c, std::vector<thread>& out) const {
    if (!is_ws(c)) t.ws_run = 0;
    if (step(t, c, out)) out.push_back(std::move(t));
}

// Pops the finished top frame and advances its parent past the value.
void json_matcher::child_done(thread& t) const {
    t.stack.pop_back();
    frame& p = t.stack.back();
    switch (p.type) {
        case f_doc:
            p.stage = g_->suffix.empty() ? 3 : 2;
            p.a = 0;
            break;
        case f_object: p.stage = p.stage == o_keystr ? o_colon : o_after; break;
        case f_array: p.stage = 2; break;
        default: break;
    }
}

// Consumes byte c in thread t; false when t cannot take it. anyOf forks copies of
// t into `out` (and returns false for t itself).
bool json_matcher::step(thread& t, uint8_t c, std::vector<thread>& out) const {
    auto take_ws = [&] {
        if (t.ws_run >= k_max_ws_run) return false;
        ++t.ws_run;
        return true;
    };
    auto push = [&](frame f) {
        if (t.stack.size() >= k_max_stack) return false;
        t.stack.push_back(f);
        return true;
    };
    const auto& nodes = g_->nodes;
    while (true) {
        frame& f = t.stack.back();
        const schema_node* n = f.node >= 0 && f.type != f_literal ? &nodes[size_t(f.node)] : nullptr;
        switch (f.type) {
            case f_doc: {
                const std::string& lit = f.stage == 0 ? g_->prefix : g_->suffix;
                if (f.stage == 3 || f.stage == 1 || size_t(f.a) >= lit.size() || uint8_t(lit[size_t(f.a)]) != c) return false;
                if (size_t(++f.a) < lit.size()) return true;
                if (f.stage == 2) {
                    f.stage = 3;
                    return true;
                }
                f.stage = 1;
                return push(make(f_value, g_->root));
            }
            case f_value: {
                if (n && n->k == kind::any_of) {
                    for (int32_t alt : n->alts) {
                        thread u = t;
                        u.stack.back().node = alt;
                        feed_thread(std::move(u), c, out);
                    }
                    return false;
                }
                if (is_ws(c)) return take_ws();
                const kind k = n ? n->k : kind::any;
                const int32_t id = f.node;
                auto become = [&](frame nf) {
                    t.stack.back() = nf;
                    return true;
                };
                if (k == kind::object || (k == kind::any && c == '{')) {
                    if (c != '{') return false;
                    return t.stack.size() < k_max_stack && become(make(f_object, k == kind::any ? -1 : id, o_open));
                }
                if (k == kind::array || (k == kind::any && c == '[')) {
                    if (c != '[') return false;
                    return t.stack.size() < k_max_stack && become(make(f_array, k == kind::any ? -1 : id, 0));
                }
                if (k == kind::string || (k == kind::any && c == '"')) {
                    if (c != '"') return false;
                    return become(make(f_string, k == kind::any ? -1 : id, s_chars));
                }
                if (k == kind::number || k == kind::integer || (k == kind::any && (c == '-' || is_digit(c)))) {
                    frame nf = make(f_number, -1, n_start);
                    nf.b = k == kind::integer;
                    become(nf);
                    continue;  // the number frame reads c
                }
                frame lf = make(f_literal, k == kind::literal                          ? id
                                   : k == kind::null || (k == kind::any && c == 'n') ? k_null_list
                                                                                     : k_bool_list);
                if (k == kind::any && c != 't' && c != 'f' && c != 'n') return false;
                lf.a = 0;
                lf.b = int32_t(literal_list(lf.node).size());
                become(lf);
                continue;
            }
            case f_object: {
                const bool declared = n && !n->props.empty();
                const bool no_keys = n && n->props.empty() && n->additional == -2;
                auto window = [&](int32_t from) {
                    uint64_t m = 0;
                    if (!declared) return m;
                    for (size_t j = size_t(from); j < n->props.size(); ++j) {
                        m |= uint64_t(1) << j;
                        if (n->props[j].required) break;
                    }
                    return m;
                };
                auto may_close = [&] {
                    if (!declared) return true;
                    for (size_t j = size_t(f.a); j < n->props.size(); ++j)
                        if (n->props[j].required) return false;
                    return true;
                };
                auto start_key = [&] {
                    if (no_keys) return false;
                    if (!declared) {
                        f.stage = o_keystr;
                        return push(make(f_string, -1, s_chars));
                    }
                    f.mask = window(f.a);
                    if (!f.mask) return false;
                    f.stage = o_key;
                    f.b = 1;  // past the opening quote every key_text starts with
                    return true;
                };
                auto close = [&] {
                    if (!may_close()) return false;
                    child_done(t);
                    return true;
                };
                switch (f.stage) {
                    case o_open:
                        if (is_ws(c)) return take_ws();
                        if (c == '}') return close();
                        return c == '"' && start_key();
                    case o_key: {
                        uint64_t m = 0;
                        int32_t done = -1;
                        for (size_t j = 0; j < n->props.size(); ++j) {
                            if (!(f.mask >> j & 1)) continue;
                            const std::string& k = n->props[j].key_text;
                            if (size_t(f.b) < k.size() && uint8_t(k[size_t(f.b)]) == c) {
                                m |= uint64_t(1) << j;
                                if (size_t(f.b) + 1 == k.size()) done = int32_t(j);
                            }
                        }
                        if (!m) return false;
                        f.mask = m;
                        ++f.b;
                        if (done >= 0) {
                            f.c = done;
                            f.a = done + 1;
                            f.stage = o_colon;
                        }
                        return true;
                    }
                    case o_colon:
                        if (is_ws(c)) return take_ws();
                        if (c != ':') return false;
                        f.stage = o_value;
                        return push(make(f_value, declared ? n->props[size_t(f.c)].node : n ? n->additional : -1));
                    case o_after:
                        if (is_ws(c)) return take_ws();
                        if (c == '}') return close();
                        if (c != ',' || (declared && !window(f.a))) return false;
                        f.stage = o_comma;
                        return true;
                    case o_comma:
                        if (is_ws(c)) return take_ws();
                        return c == '"' && start_key();
                    default: return false;  // o_keystr / o_value: a child is on top
                }
            }
            case f_array: {
                const int32_t items = n ? n->items : -1;
                const int64_t lo = n ? n->min_items : 0, hi = n ? n->max_items : -1;
                if (f.stage == 1) return false;  // a child is on top
                if (is_ws(c)) return take_ws();
                if (f.stage == 2) {
                    if (c == ']' && f.a >= lo) {
                        child_done(t);
                        return true;
                    }
                    if (c != ',' || (hi >= 0 && f.a >= hi)) return false;
                    f.stage = 3;
                    return true;
                }
                if (c == ']' && f.stage == 0 && f.a >= lo) {
                    child_done(t);
                    return true;
                }
                if (hi >= 0 && f.a >= hi) return false;
                ++f.a;
                f.stage = 1;
                if (!push(make(f_value, items))) return false;
                continue;
            }
            case f_string: {
                t.ws_run = 0;
                const int64_t lo = n ? n->min_len : 0, hi = n ? n->max_len : -1;
                const bool room = hi < 0 || f.a < hi;
                switch (f.stage) {
                    case s_chars:
                        if (c == '"') {
                            if (f.a < lo) return false;
                            child_done(t);
                            return true;
                        }
                        if (c < 0x20 || c == 0x7f || !room) return false;
                        ++f.a;
                        if (c == '\\') {
                            f.stage = s_escape;
                        } else if (c >= 0x80) {
                            // UTF-8 lead byte: how many continuation bytes, and the range
                            // of the first (no overlongs, no surrogates, nothing past U+10FFFF).
                            int need = 0, lo_b = 0x80, hi_b = 0xBF;
                            if (c >= 0xC2 && c <= 0xDF) need = 1;
                            else if (c == 0xE0) { need = 2; lo_b = 0xA0; }
                            else if (c == 0xED) { need = 2; hi_b = 0x9F; }
                            else if (c >= 0xE1 && c <= 0xEF) need = 2;
                            else if (c == 0xF0) { need = 3; lo_b = 0x90; }
                            else if (c >= 0xF1 && c <= 0xF3) need = 3;
                            else if (c == 0xF4) { need = 3; hi_b = 0x8F; }
                            else return false;
                            f.stage = s_utf8;
                            f.b = need;
                            f.c = lo_b << 8 | hi_b;
                        }
                        return true;
                    case s_escape:
                        if (c == 'u') {
                            f.stage = s_hex;
                            f.b = 4;
                            return true;
                        }
                        if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't') return false;
                        f.stage = s_chars;
                        return true;
                    case s_hex:
                        // \uD800-\uDFFF (surrogates) are left out: a lone one is not valid JSON text.
                        if (!is_hex(c) || (f.b == 4 && (c == 'd' || c == 'D'))) return false;
                        if (--f.b == 0) f.stage = s_chars;
                        return true;
                    case s_utf8:
                        if (c < (f.c >> 8) || c > (f.c & 0xff)) return false;
                        f.c = 0x80 << 8 | 0xBF;
                        if (--f.b == 0) f.stage = s_chars;
                        return true;
                    default: return false;
                }
            }
            case f_number: {
                const bool integer = f.b != 0;
                auto digit_in = [&](uint8_t stage, int cap) {
                    if (f.a >= cap) return false;
                    ++f.a;
                    f.stage = stage;
                    return true;
                };
                bool taken = false;
                switch (f.stage) {
                    case n_start:
                        if (c == '-') { f.stage = n_minus; return true; }
                        [[fallthrough]];
                    case n_minus:
                        if (c == '0') { f.stage = n_zero; return true; }
                        if (is_digit(c)) { f.a = 1; f.stage = n_int; return true; }
                        return false;
                    case n_zero:
                    case n_int:
                        if (f.stage == n_int && is_digit(c)) taken = digit_in(n_int, k_max_int_digits);
                        else if (!integer && c == '.') { f.stage = n_dot; taken = true; }
                        else if (!integer && (c == 'e' || c == 'E')) { f.stage = n_e; taken = true; }
                        break;
                    case n_dot:
                        if (!is_digit(c)) return false;
                        f.a = 1;
                        f.stage = n_frac;
                        return true;
                    case n_frac:
                        if (is_digit(c)) taken = digit_in(n_frac, k_max_frac_digits);
                        else if (c == 'e' || c == 'E') { f.stage = n_e; taken = true; }
                        break;
                    case n_e:
                        if (c == '+' || c == '-') { f.stage = n_esign; return true; }
                        [[fallthrough]];
                    case n_esign:
                        if (!is_digit(c)) return false;
                        f.a = 1;
                        f.stage = n_exp;
                        return true;
                    case n_exp:
                        if (is_digit(c)) taken = digit_in(n_exp, k_max_exp_digits);
                        break;
                    default: return false;
                }
                if (taken) return true;
                if (!number_completable(f.stage)) return false;
                child_done(t);  // the number ended; the parent reads c
                continue;
            }
            case f_literal: {
                const auto& lits = literal_list(f.node);
                const size_t pos = size_t(f.c);
                int32_t lo = -1, hi = -1;
                for (int32_t i = f.a; i < f.b; ++i) {
                    const std::string& s = lits[size_t(i)];
                    if (s.size() > pos && uint8_t(s[pos]) == c) {
                        if (lo < 0) lo = i;
                        hi = i + 1;
                    }
                }
                if (lo >= 0) {
                    f.a = lo;
                    f.b = hi;
                    f.c = int32_t(pos + 1);
                    if (hi - lo == 1 && lits[size_t(lo)].size() == pos + 1) child_done(t);
                    return true;
                }
                if (lits[size_t(f.a)].size() != pos) return false;
                child_done(t);
                continue;
            }
            default: return false;
        }
    }
}

bool json_matcher::thread_complete(thread t) const {
    while (true) {
        const frame& f = t.stack.back();
        if (f.type == f_doc) return f.stage == 3;
        if (f.type == f_number && number_completable(f.stage)) {
            child_done(t);
            continue;
        }
        if (f.type == f_literal && literal_list(f.node)[size_t(f.a)].size() == size_t(f.c)) {
            child_done(t);
            continue;
        }
        return false;
    }
}

bool json_matcher::complete() const {
    for (const auto& t : threads_)
        if (thread_complete(t)) return true;
    return false;
}

bool json_matcher::can_continue() const {
    for (int c = 0; c < 256; ++c) {
        const char ch = char(c);
        if (accepts(std::string_view(&ch, 1))) return true;
    }
    return false;
}

bool json_matcher::in_affix() const {
    for (const auto& t : threads_) {
        const frame& f = t.stack.back();
        if (f.type == f_doc && (f.stage == 0 || f.stage == 2)) return true;
    }
    return false;
}

// Bytes from just after property `next - 1`'s value to the closing brace: each
// remaining required property with its comma, key and colon, then '}'.
size_t json_matcher::rest_after(const schema_node& n, int32_t next) const {
    size_t r = 1;
    for (size_t j = size_t(next); j < n.props.size(); ++j) {
        const auto& p = n.props[j];
        if (p.required) r += 1 + p.key_text.size() + 1 + g_->nodes[size_t(p.node)].min_bytes;
    }
    return r;
}

size_t json_matcher::thread_remaining(const thread& t) const {
    const auto& nodes = g_->nodes;
    auto minb = [&](int32_t id) -> size_t { return id < 0 ? 1 : nodes[size_t(id)].min_bytes; };
    size_t total = 0;
    for (const frame& f : t.stack) {
        const schema_node* n = f.node >= 0 && f.type != f_literal ? &nodes[size_t(f.node)] : nullptr;
        switch (f.type) {
            case f_doc:
                if (f.stage == 0) total += g_->prefix.size() - size_t(f.a) + minb(g_->root) + g_->suffix.size();
                else if (f.stage == 1) total += g_->suffix.size();
                else if (f.stage == 2) total += g_->suffix.size() - size_t(f.a);
                break;
            case f_value: total += minb(f.node); break;
            case f_object: {
                if (!n || n->props.empty()) {
                    const size_t mv = minb(n ? n->additional : -1);
                    switch (f.stage) {
                        case o_keystr: case o_colon: total += 1 + mv + 1; break;
                        case o_comma: total += 2 + 1 + mv + 1; break;
                        default: total += 1; break;
                    }
                    break;
                }
                auto via = [&](size_t j, size_t key_done) {
                    const auto& p = n->props[j];
                    return p.key_text.size() - key_done + 1 + minb(p.node) + rest_after(*n, int32_t(j + 1));
                };
                size_t best = SIZE_MAX;
                switch (f.stage) {
                    case o_open: {
                        best = rest_after(*n, f.a);
                        if (best > 1) best -= 1;  // no comma before the first property
                        break;
                    }
                    case o_key:
                        for (size_t j = 0; j < n->props.size(); ++j)
                            if (f.mask >> j & 1) best = std::min(best, via(j, size_t(f.b)));
                        break;
                    case o_comma:
                        for (size_t j = size_t(f.a); j < n->props.size(); ++j) {
                            best = std::min(best, via(j, 0));
                            if (n->props[j].required) break;
                        }
                        break;
                    case o_colon: best = via(size_t(f.c), n->props[size_t(f.c)].key_text.size()); break;
                    case o_value: best = rest_after(*n, f.c + 1); break;
                    default: best = rest_after(*n, f.a); break;  // o_after
                }
                total += best;
                break;
            }
            case f_array: {
                const size_t mi = minb(n ? n->items : -1);
                const int64_t lo = n ? n->min_items : 0;
                const size_t left = size_t(std::max<int64_t>(0, lo - f.a));
                if (f.stage == 0) total += left == 0 ? 1 : left * mi + (left - 1) + 1;
                else if (f.stage == 3) total += mi + (left > 0 ? left - 1 : 0) * (1 + mi) + 1;
                else total += left * (1 + mi) + 1;
                break;
            }
            case f_string: {
                const int64_t lo = n ? n->min_len : 0;
                size_t r = size_t(std::max<int64_t>(0, lo - f.a)) + 1;
                if (f.stage == s_escape) r += 1;
                if (f.stage == s_hex || f.stage == s_utf8) r += size_t(f.b);
                total += r;
                break;
            }
            case f_number: total += number_completable(f.stage) ? 0 : 1; break;
            case f_literal: {
                const auto& lits = literal_list(f.node);
                size_t best = SIZE_MAX;
                for (int32_t i = f.a; i < f.b; ++i) best = std::min(best, lits[size_t(i)].size() - size_t(f.c));
                total += best;
                break;
            }
            default: break;
        }
    }
    return total;
}

size_t json_matcher::min_remaining() const {
    size_t best = SIZE_MAX;
    for (const auto& t : threads_) best = std::min(best, thread_remaining(t));
    return best;
}

}  // namespace holo
