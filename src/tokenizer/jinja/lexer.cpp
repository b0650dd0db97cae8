// Lexer. Whitespace handling follows transformers' environment (trim_blocks and
// lstrip_blocks on), which is how the real templates are meant to render.
#include "tokenizer/jinja/lexer.h"

#include <cstring>

#include "tokenizer/jinja/value.h"

namespace holo::jinja {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

class lexer {
public:
    explicit lexer(std::string_view src) : src_(src) {
        // Jinja's default keep_trailing_newline=False: one final newline is dropped.
        if (!src_.empty() && src_.back() == '\n') src_.remove_suffix(1);
    }

    std::vector<token> run() {
        size_t pos = 0;
        bool strip_next = false;
        while (pos < src_.size()) {
            size_t open = find_tag(pos);
            size_t text_end = open == std::string_view::npos ? src_.size() : open;
            std::string_view text = src_.substr(pos, text_end - pos);
            if (strip_next) {
                while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
                strip_next = false;
            }
            if (open == std::string_view::npos) {
                emit_text(text, pos);
                break;
            }
            char kind = src_[open + 1];
            size_t inner = open + 2;
            if (inner < src_.size() && src_[inner] == '-') {
                while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
                ++inner;
            } else if (inner < src_.size() && src_[inner] == '+' && kind != '{') {
                ++inner;
            } else if (kind != '{') {
                lstrip_block(text, open);
            }
            emit_text(text, text_end - text.size());
            if (kind == '#') {
                size_t close = src_.find("#}", inner);
                if (close == std::string_view::npos) throw jinja_error{"unterminated comment", open};
                strip_next = close > inner && src_[close - 1] == '-';
                pos = close + 2;
                if (!strip_next) pos = trim_block(pos);
                continue;
            }
            tokens_.push_back({kind == '{' ? tok::expr_open : tok::stmt_open, "", open});
            pos = lex_tag(inner, kind == '{' ? '}' : '%', open, strip_next);
        }
        tokens_.push_back({tok::eof, "", src_.size()});
        return std::move(tokens_);
    }

private:
    size_t find_tag(size_t from) const {
        while (true) {
            size_t p = src_.find('{', from);
            if (p == std::string_view::npos || p + 1 >= src_.size()) return std::string_view::npos;
            char c = src_[p + 1];
            if (c == '{' || c == '%' || c == '#') return p;
            from = p + 1;
        }
    }

    // lstrip_blocks: spaces/tabs between a line start and a block tag go away.
    void lstrip_block(std::string_view& text, size_t tag) const {
        size_t p = tag;
        while (p > 0 && (src_[p - 1] == ' ' || src_[p - 1] == '\t')) --p;
        if (p != 0 && src_[p - 1] != '\n') return;
        size_t n = tag - p;
        if (n > text.size()) n = text.size();
        text.remove_suffix(n);
    }

    // trim_blocks: the first newline after a block tag is dropped.
    size_t trim_block(size_t pos) const {
        if (pos < src_.size() && src_[pos] == '\n') return pos + 1;
        return pos;
    }

    void emit_text(std::string_view text, size_t pos) {
        if (!text.empty()) tokens_.push_back({tok::text, std::string(text), pos});
    }

    size_t lex_tag(size_t pos, char closer, size_t open, bool& strip_next) {
        int braces = 0;
        while (true) {
            while (pos < src_.size() && is_space(src_[pos])) ++pos;
            if (pos >= src_.size())
                throw jinja_error{closer == '}' ? "unterminated '{{' (missing '}}')" : "unterminated '{%' (missing '%}')", open};
            char c = src_[pos];
            // the closing marker, optionally preceded by '-'
            bool dash = c == '-' && pos + 2 < src_.size() && src_[pos + 1] == closer && src_[pos + 2] == '}';
            if (braces == 0 && (dash || (c == closer && pos + 1 < src_.size() && src_[pos + 1] == '}'))) {
                size_t end = pos + (dash ? 3 : 2);
                tokens_.push_back({closer == '}' ? tok::expr_close : tok::stmt_close, "", pos});
                strip_next = dash;
                if (!dash && closer == '%') end = trim_block(end);
                return end;
            }
            if (is_name_start(c)) {
                size_t b = pos;
                while (pos < src_.size() && (is_name_start(src_[pos]) || is_digit(src_[pos]))) ++pos;
                tokens_.push_back({tok::name, std::string(src_.substr(b, pos - b)), b});
            } else if (is_digit(c)) {
                pos = lex_number(pos);
            } else if (c == '\'' || c == '"') {
                pos = lex_string(pos);
            } else {
                static const char* ops2[] = {"**", "//", "==", "!=", "<=", ">="};
                std::string op(1, c);
                for (const char* o : ops2)
                    if (src_.substr(pos, 2) == o) op = o;
                if (op.size() == 1 && !std::strchr("+-*/%~<>=()[]{},.:|!", c))
                    throw jinja_error{std::string("unexpected character '") + c + "' in tag", pos};
                if (op == "!") throw jinja_error{"unexpected '!' (use 'not' or '!=')", pos};
                if (op == "{") ++braces;
                if (op == "}") --braces;
                tokens_.push_back({tok::op, op, pos});
                pos += op.size();
            }
        }
    }

    size_t lex_number(size_t pos) {
        size_t b = pos;
        while (pos < src_.size() && (is_digit(src_[pos]) || src_[pos] == '_')) ++pos;
        bool is_float = false;
        if (pos + 1 < src_.size() && src_[pos] == '.' && is_digit(src_[pos + 1])) {
            is_float = true;
            ++pos;
            while (pos < src_.size() && is_digit(src_[pos])) ++pos;
        }
        if (pos < src_.size() && (src_[pos] == 'e' || src_[pos] == 'E')) {
            size_t q = pos + 1;
            if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
            if (q < src_.size() && is_digit(src_[q])) {
                is_float = true;
                pos = q;
                while (pos < src_.size() && is_digit(src_[pos])) ++pos;
            }
        }
        std::string text;
        for (char ch : src_.substr(b, pos - b))
            if (ch != '_') text += ch;
        tokens_.push_back({is_float ? tok::floating : tok::integer, text, b});
        return pos;
    }

    size_t lex_string(size_t pos) {
        char quote = src_[pos];
        size_t b = pos++;
        std::string out;
        while (true) {
            if (pos >= src_.size()) throw jinja_error{"unterminated string literal", b};
            char c = src_[pos++];
            if (c == quote) break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos >= src_.size()) throw jinja_error{"unterminated string literal", b};
            char e = src_[pos++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'v': out += '\v'; break;
                case '0': out += '\0'; break;
                case '\\': out += '\\'; break;
                case '\'': out += '\''; break;
                case '"': out += '"'; break;
                case '\n': break;  // line continuation
                case 'x':
                case 'u':
                case 'U': {
                    size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (pos + n > src_.size()) throw jinja_error{"truncated \\" + std::string(1, e) + " escape", pos - 2};
                    uint32_t cp = 0;
                    for (size_t k = 0; k < n; ++k) {
                        char h = src_[pos + k];
                        int d = is_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                        if (d < 0) throw jinja_error{"bad hex digit in \\" + std::string(1, e) + " escape", pos + k};
                        cp = cp * 16 + uint32_t(d);
                    }
                    if (cp > 0x10FFFF) throw jinja_error{"escape beyond U+10FFFF", pos - 2};
                    pos += n;
                    append_utf8(out, cp);
                    break;
                }
                default:  // Python keeps unknown escapes as written
                    out += '\\';
                    out += e;
            }
        }
        tokens_.push_back({tok::string, std::move(out), b});
        return pos;
    }

    std::string_view src_;
    std::vector<token> tokens_;
};

}  // namespace

std::vector<token> lex(std::string_view source) { return lexer(source).run(); }

std::string describe_position(std::string_view source, size_t pos) {
    if (pos == std::string::npos) return "";
    if (pos > source.size()) pos = source.size();
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; ++i) {
        if (source[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace holo::jinja
