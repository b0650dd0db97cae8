// The engine's private state (engine.h declares the types; only the engine's own
// .cpp files include this): a loaded model with its slots, a queued task, and a slot's
// per-task decoding state. Split out so the engine's loading, prompt preparation and
// stepping can live in separate files.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "model/kv_cache.h"
#include "model/model.h"
#include "runtime/constrained_pick.h"
#include "runtime/json_matcher.h"
#include "runtime/sampler.h"
#include "runtime/stop_matcher.h"
#include "server/chat_prompt.h"
#include "server/engine.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

namespace holo::server {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

struct engine::loaded_model {
    model_ref ref;
    std::shared_ptr<const model> m;
    std::unique_ptr<tokenizer> tok;
    prompt_builder prompts;
    std::unique_ptr<vocab_bytes> vocab;  // each token's bytes: built for the first constrained request
    std::vector<std::unique_ptr<slot>> slots;
    double keep_alive_s = 300;
    clock_type::time_point last_used = clock_type::now();

    bool busy() const;
};

struct engine::task {
    gen_request req;
    model_ref ref;
    bool load_only = false;
    std::shared_ptr<task_channel> ch;
    clock_type::time_point t_submit = clock_type::now();

    // Filled by prepare().
    bool prepared = false;
    loaded_model* lm = nullptr;
    std::vector<int32_t> prompt;
    int64_t ctx_limit = 0;
    double load_s = 0;
    std::shared_ptr<const json_grammar> grammar;  // the reply must match (response_format, forced tool call)
    std::string tool_format;                      // tools in play: the model's call format
};

struct engine::slot {
    std::unique_ptr<kv_cache> kv;
    std::vector<float> logits;   // [n_vocab]: the last evaluated position's
    std::vector<int32_t> cache;  // the tokens whose K/V the cache holds, in order
    std::shared_ptr<task> t;     // null: free

    // Per task.
    size_t prefill_pos = 0;
    int64_t n_cached = 0, n_gen = 0;
    std::unique_ptr<sampler> smp;
    utf8_stream utf8;
    std::unique_ptr<stop_matcher> stops;
    std::vector<float> biased;  // logits with logit_bias applied
    std::unique_ptr<json_matcher> matcher;  // constrained tasks: the reply so far
    std::vector<float> scratch;             // pick_constrained's
    clock_type::time_point t_start, t_prompt_done;
    double queue_s = 0;
    uint64_t seen_step = 0;  // decode_steps_total when its client was last seen connected
};

inline bool engine::loaded_model::busy() const {
    for (const auto& s : slots) {
        if (s->t) return true;
    }
    return false;
}

}  // namespace holo::server
