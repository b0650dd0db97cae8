// Unicode NFC normalization, which Qwen's tokenizer applies before splitting (its
// tokenizer.json has an NFC normalizer; GGUF does not record it, so the qwen2
// pre-tokenizer implies it). Backed by ICU when the build found it.
#pragma once

#include <string>
#include <string_view>

namespace holo {

// False when the build has no ICU: nfc() then returns its input unchanged.
bool nfc_available();
// `text` must be valid UTF-8; the result is too.
std::string nfc(std::string_view text);

}  // namespace holo
