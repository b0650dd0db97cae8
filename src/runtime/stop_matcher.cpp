#include "runtime/stop_matcher.h"

#include <algorithm>

namespace holo {

stop_matcher::stop_matcher(std::vector<std::string> stops) {
    for (auto& s : stops) {
        if (!s.empty()) stops_.push_back(std::move(s));  // an empty stop would match at once
    }
}

std::string stop_matcher::push(std::string_view text) {
    if (stopped_) return {};
    pending_.append(text);
    // The earliest full match wins (ties: the longer stop string, so "\n\n" beats "\n"
    // only when both start at the same place and the longer one is complete).
    size_t best = std::string::npos;
    for (const auto& s : stops_) {
        size_t at = pending_.find(s);
        if (at != std::string::npos && (at < best || (at == best && s.size() > matched_.size()))) {
            best = at;
            matched_ = s;
        }
    }
    if (best != std::string::npos) {
        stopped_ = true;
        std::string out = pending_.substr(0, best);
        pending_.clear();
        return out;
    }
    // Hold back the longest suffix that is a proper prefix of some stop string.
    size_t hold = 0;
    for (const auto& s : stops_) {
        const size_t max_len = std::min(s.size() - 1, pending_.size());
        for (size_t len = max_len; len > hold; --len) {
            if (pending_.compare(pending_.size() - len, len, s, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    std::string out = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return out;
}

std::string stop_matcher::flush() {
    std::string out;
    out.swap(pending_);
    return stopped_ ? std::string() : out;
}

}  // namespace holo
