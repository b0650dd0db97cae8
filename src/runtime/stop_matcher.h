// Stop strings over streamed text: text is released only once it can no longer be
// the start of a stop string, so a stop string split across tokens is never shown
// in part. When one matches, the text before it is released and the rest dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace holo {

class stop_matcher {
public:
    explicit stop_matcher(std::vector<std::string> stops);

    // Appends `text`; returns what may be shown now. After a match, stopped() is true
    // and further pushes return nothing.
    std::string push(std::string_view text);
    // End of generation without a match: releases what was held back.
    std::string flush();

    bool stopped() const { return stopped_; }
    const std::string& matched() const { return matched_; }  // the stop string that matched

private:
    std::vector<std::string> stops_;
    std::string pending_;
    std::string matched_;
    bool stopped_ = false;
};

}  // namespace holo
