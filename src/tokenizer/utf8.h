// UTF-8 helpers the tokenizers share: decoding one code point, replacing invalid
// sequences the way the WHATWG decoder (and so the reference tokenizers) does, and
// GPT-2's byte ⇄ printable-character table used by byte-level BPE vocabularies.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace holo {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there
// are not a valid sequence (overlong, surrogate, > U+10FFFF, truncated).
size_t utf8_valid_length(std::string_view s, size_t i);

// Length of the longest prefix of s[i..] that could still become a valid sequence
// (the "maximal subpart"): what one U+FFFD replaces. At least 1.
size_t utf8_maximal_subpart(std::string_view s, size_t i);

// Decodes the valid sequence at s[i] (its length from utf8_valid_length).
uint32_t utf8_decode(std::string_view s, size_t i, size_t len);
void utf8_append(std::string& out, uint32_t cp);

bool utf8_is_valid(std::string_view s);
// Each maximal invalid subpart becomes U+FFFD (what TextDecoder and llama.cpp do).
std::string utf8_sanitize(std::string_view s);

// GPT-2's reversible map from bytes to printable code points (byte-level BPE
// vocabularies store tokens in this alphabet), and its inverse.
class byte_unicode_map {
public:
    byte_unicode_map();
    uint32_t to_cp(uint8_t b) const { return byte_to_cp_[b]; }
    // -1 when cp is not one of the 256 mapped code points.
    int byte_of(uint32_t cp) const { return cp < cp_to_byte_.size() ? cp_to_byte_[cp] : -1; }
    const std::string& encoded(uint8_t b) const { return utf8_of_[b]; }

private:
    std::array<uint32_t, 256> byte_to_cp_{};
    std::array<int16_t, 324> cp_to_byte_{};  // mapped code points are all < 324
    std::array<std::string, 256> utf8_of_;
};

}  // namespace holo
