// Cuts text into plain-text fragments and special tokens written literally in it.
// Control tokens (<|im_start|>, <s>) are recognised only when the caller allows it
// (rendered templates); user-defined tokens (<think>) always are, as in llama.cpp.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace holo {

struct text_fragment {
    int32_t token;  // >= 0: this fragment is that special token; -1: plain text
    size_t offset, length;
};

class special_splitter {
public:
    explicit special_splitter(const vocab& v);
    // Leftmost match first; at one position the longest token wins.
    void split(std::string_view text, bool parse_special, std::vector<text_fragment>& out) const;

private:
    struct candidate {
        int32_t id;
        bool control;  // needs parse_special
    };
    const vocab* vocab_;
    // Keyed by the first two bytes (or one byte for 1-byte tokens), longest first.
    std::unordered_map<uint32_t, std::vector<candidate>> by_prefix_;
    bool has_one_byte_ = false;
};

}  // namespace holo
