#include "tokenizer/utf8_stream.h"

#include "tokenizer/utf8.h"

namespace holo {

std::string utf8_stream::push(std::string_view piece) {
    std::string buf = std::move(held_);
    held_.clear();
    buf.append(piece);
    std::string out;
    out.reserve(buf.size());
    size_t i = 0;
    while (i < buf.size()) {
        const size_t n = utf8_valid_length(buf, i);
        if (n > 0) {
            out.append(buf, i, n);
            i += n;
            continue;
        }
        // An invalid run that reaches the end may still be completed by the next piece.
        const size_t sub = utf8_maximal_subpart(buf, i);
        if (i + sub == buf.size() && (static_cast<uint8_t>(buf[i]) >= 0xC2 && static_cast<uint8_t>(buf[i]) <= 0xF4)) {
            held_.assign(buf, i, sub);
            break;
        }
        out += "\xEF\xBF\xBD";
        i += sub;
    }
    return out;
}

std::string utf8_stream::finish() {
    std::string out = held_.empty() ? std::string() : std::string("\xEF\xBF\xBD");
    held_.clear();
    return out;
}

}  // namespace holo
