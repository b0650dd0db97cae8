// The generation loop: evaluate the prompt, then sample → emit → decode one token at
// a time until max tokens, an end-of-generation token, a stop string, a full
// context or the caller says stop. Text reaches the callback as valid UTF-8 and
// never shows a stop string, even in part.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "runtime/sampler.h"

namespace holo {

class session;
class tokenizer;

struct generation_params {
    int32_t max_tokens = 128;        // < 0: until the context is full
    std::vector<std::string> stop;   // stop strings (not included in the output)
    sampler_params sampling;
};

enum class stop_reason { max_tokens, end_of_generation, stop_string, context_full, cancelled };
const char* stop_reason_name(stop_reason r);

struct generation_result {
    std::vector<int32_t> tokens;  // generated ids (an end-of-generation token is not included)
    std::string text;             // what the callback received, concatenated
    stop_reason reason = stop_reason::max_tokens;
    int64_t n_prompt = 0;
    double prompt_s = 0;          // prompt evaluation
    double first_token_s = 0;     // from the call to the first emitted token being sampled
    double gen_s = 0;             // from the first sample to the end
};

// Receives each piece of text as soon as it is safe to show; return false to stop.
using text_callback = std::function<bool(std::string_view text)>;

// Appends `prompt` to the session (at its current position) and generates.
result<generation_result> generate(session& s, const tokenizer& tok, std::span<const int32_t> prompt,
                                   const generation_params& params, const text_callback& on_text = {});

}  // namespace holo
