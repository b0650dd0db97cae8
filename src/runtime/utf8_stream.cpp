#include "runtime/utf8_stream.h"

#include <cstdint>

namespace holo {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the sequence a lead byte announces; 0 for a byte that cannot start one.
int sequence_length(uint8_t b) {
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return 2;
    if (b >= 0xE0 && b <= 0xEF) return 3;
    if (b >= 0xF0 && b <= 0xF4) return 4;
    return 0;
}

// Whether byte `b` may follow at position i (1-based) of a sequence starting with `lead`.
// The second byte's range depends on the lead (rules out overlongs, surrogates and > U+10FFFF).
bool valid_continuation(uint8_t lead, int i, uint8_t b) {
    if (i == 1) {
        if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
        if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
        if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
        if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
    }
    return b >= 0x80 && b <= 0xBF;
}

enum class scan { complete, incomplete, invalid };

// Looks at the sequence starting at s[pos]; `len` gets how many bytes it covers
// (complete) or how many bytes form the longest valid prefix (invalid / incomplete).
scan scan_one(std::string_view s, size_t pos, int& len) {
    const uint8_t lead = uint8_t(s[pos]);
    const int n = sequence_length(lead);
    if (n == 0) {
        len = 1;
        return scan::invalid;
    }
    for (int i = 1; i < n; ++i) {
        if (pos + i >= s.size()) {
            len = i;
            return scan::incomplete;
        }
        if (!valid_continuation(lead, i, uint8_t(s[pos + i]))) {
            len = i;
            return scan::invalid;
        }
    }
    len = n;
    return scan::complete;
}

}  // namespace

std::string utf8_stream::push(std::string_view bytes) {
    pending_.append(bytes);
    std::string out;
    size_t pos = 0;
    while (pos < pending_.size()) {
        int len = 0;
        switch (scan_one(pending_, pos, len)) {
            case scan::complete:
                out.append(pending_, pos, size_t(len));
                pos += size_t(len);
                break;
            case scan::invalid:
                // One U+FFFD per maximal invalid prefix (the Unicode "substitution of
                // maximal subparts" practice), then resume at the offending byte.
                out.append(replacement);
                pos += size_t(len);
                break;
            case scan::incomplete:
                pending_.erase(0, pos);
                return out;
        }
    }
    pending_.clear();
    return out;
}

std::string utf8_stream::flush() {
    if (pending_.empty()) return {};
    pending_.clear();
    return std::string(replacement);
}

bool is_valid_utf8(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
        int len = 0;
        if (scan_one(s, pos, len) != scan::complete) return false;
        pos += size_t(len);
    }
    return true;
}

}  // namespace holo
