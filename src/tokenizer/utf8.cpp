#include "tokenizer/utf8.h"

namespace holo {

namespace {
// The second byte's allowed range depends on the first byte (Unicode table 3-7).
bool second_byte_ok(uint8_t b0, uint8_t b1) {
    if (b0 == 0xE0) return b1 >= 0xA0 && b1 <= 0xBF;
    if (b0 == 0xED) return b1 >= 0x80 && b1 <= 0x9F;
    if (b0 == 0xF0) return b1 >= 0x90 && b1 <= 0xBF;
    if (b0 == 0xF4) return b1 >= 0x80 && b1 <= 0x8F;
    return b1 >= 0x80 && b1 <= 0xBF;
}
size_t expected_length(uint8_t b0) {
    if (b0 < 0x80) return 1;
    if (b0 >= 0xC2 && b0 <= 0xDF) return 2;
    if (b0 >= 0xE0 && b0 <= 0xEF) return 3;
    if (b0 >= 0xF0 && b0 <= 0xF4) return 4;
    return 0;
}
bool is_cont(uint8_t b) { return (b & 0xC0) == 0x80; }
}  // namespace

size_t utf8_maximal_subpart(std::string_view s, size_t i) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    const size_t n = expected_length(b0);
    if (n <= 1) return 1;
    size_t k = 1;
    if (i + k >= s.size() || !second_byte_ok(b0, static_cast<uint8_t>(s[i + k]))) return k;
    ++k;
    while (k < n && i + k < s.size() && is_cont(static_cast<uint8_t>(s[i + k]))) ++k;
    return k;
}

size_t utf8_valid_length(std::string_view s, size_t i) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    const size_t n = expected_length(b0);
    if (n == 1) return 1;
    if (n == 0 || i + n > s.size()) return 0;
    return utf8_maximal_subpart(s, i) == n ? n : 0;
}

uint32_t utf8_decode(std::string_view s, size_t i, size_t len) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data() + i);
    switch (len) {
        case 1: return p[0];
        case 2: return (uint32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        case 3: return (uint32_t(p[0] & 0x0F) << 12) | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        default:
            return (uint32_t(p[0] & 0x07) << 18) | (uint32_t(p[1] & 0x3F) << 12) | (uint32_t(p[2] & 0x3F) << 6) |
                   (p[3] & 0x3F);
    }
}

void utf8_append(std::string& out, uint32_t cp) {
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

bool utf8_is_valid(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_valid_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string utf8_sanitize(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_valid_length(s, i);
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            i += utf8_maximal_subpart(s, i);
        }
    }
    return out;
}

byte_unicode_map::byte_unicode_map() {
    cp_to_byte_.fill(-1);
    // Printable Latin-1 bytes map to themselves; the other 68 bytes are moved to
    // U+0100 and up, in byte order, so every token is printable text.
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        byte_to_cp_[b] = printable ? uint32_t(b) : next++;
        cp_to_byte_[byte_to_cp_[b]] = int16_t(b);
        utf8_append(utf8_of_[b], byte_to_cp_[b]);
    }
}

}  // namespace holo
