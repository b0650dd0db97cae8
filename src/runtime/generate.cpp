#include "runtime/generate.h"

#include <chrono>

#include "runtime/session.h"
#include "runtime/stop_matcher.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

namespace holo {

const char* stop_reason_name(stop_reason r) {
    switch (r) {
        case stop_reason::max_tokens: return "max_tokens";
        case stop_reason::end_of_generation: return "end_of_generation";
        case stop_reason::stop_string: return "stop_string";
        case stop_reason::context_full: return "context_full";
        case stop_reason::cancelled: return "cancelled";
    }
    return "unknown";
}

result<generation_result> generate(session& s, const tokenizer& tok, std::span<const int32_t> prompt,
                                   const generation_params& params, const text_callback& on_text) {
    using clock = std::chrono::steady_clock;
    const auto t_start = clock::now();
    generation_result out;
    out.n_prompt = int64_t(prompt.size());
    if (prompt.empty()) return error{"generate: the prompt is empty (no tokens to condition on)"};

    sampler smp(params.sampling);
    for (int32_t id : prompt) smp.accept(id);
    HOLO_TRY(s.eval(prompt, false));
    const auto t_prompt = clock::now();
    out.prompt_s = std::chrono::duration<double>(t_prompt - t_start).count();

    utf8_stream utf8;
    stop_matcher stops(params.stop);
    bool cancelled = false;
    auto emit = [&](const std::string& text) {
        if (text.empty() || cancelled) return;
        out.text += text;
        if (on_text && !on_text(text)) cancelled = true;
    };

    while (true) {
        if (params.max_tokens >= 0 && int64_t(out.tokens.size()) >= params.max_tokens) {
            out.reason = stop_reason::max_tokens;
            break;
        }
        const int32_t id = smp.sample(s.row(s.n_rows() - 1));
        if (out.tokens.empty()) out.first_token_s = std::chrono::duration<double>(clock::now() - t_start).count();
        smp.accept(id);
        if (tok.is_end_of_generation(id)) {
            out.reason = stop_reason::end_of_generation;
            break;
        }
        out.tokens.push_back(id);
        emit(stops.push(utf8.push(tok.token_to_piece(id))));
        if (stops.stopped()) {
            out.reason = stop_reason::stop_string;
            break;
        }
        if (cancelled) {
            out.reason = stop_reason::cancelled;
            break;
        }
        if (params.max_tokens >= 0 && int64_t(out.tokens.size()) >= params.max_tokens) {
            out.reason = stop_reason::max_tokens;  // no need to evaluate the last token
            break;
        }
        if (s.n_past() >= s.n_ctx()) {
            out.reason = stop_reason::context_full;
            break;
        }
        const int32_t one[1] = {id};
        HOLO_TRY(s.eval(one, false));
    }
    // Whatever is still held: an unfinished character becomes U+FFFD, and text held
    // for a stop string that never completed is released.
    if (!stops.stopped()) {
        emit(stops.push(utf8.finish()));
        emit(stops.flush());
    }
    out.gen_s = std::chrono::duration<double>(clock::now() - t_prompt).count();
    return out;
}

}  // namespace holo
