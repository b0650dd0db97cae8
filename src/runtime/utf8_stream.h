// Streams token bytes out as valid UTF-8: a token may end in the middle of a
// multi-byte character (byte-level BPE splits them), so the incomplete tail is held
// back until the next token completes it. Invalid bytes become U+FFFD, so what
// reaches a terminal or a JSON body is always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace holo {

class utf8_stream {
public:
    // Appends `bytes` and returns the part that is now complete (possibly empty).
    std::string push(std::string_view bytes);
    // End of stream: whatever is still held is an incomplete character → U+FFFD.
    std::string flush();
    size_t held() const { return pending_.size(); }

private:
    std::string pending_;
};

// True when `s` is valid UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace holo
