// Streaming-safe detokenization: token pieces are bytes, and a token may end in
// the middle of a multi-byte character. utf8_stream holds such a tail back until
// the character is complete, so what it emits is always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace holo {

class utf8_stream {
public:
    // Appends `piece` and returns the text that is now complete. Bytes that can
    // never become a valid character are emitted as U+FFFD.
    std::string push(std::string_view piece);
    // End of stream: whatever is still held back is an incomplete character and is
    // emitted as U+FFFD (empty when nothing is held).
    std::string finish();
    size_t n_held() const { return held_.size(); }

private:
    std::string held_;  // at most 3 bytes: the prefix of an unfinished character
};

}  // namespace holo
