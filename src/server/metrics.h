// Server counters for `/metrics` (Prometheus text format 0.0.4): requests, tokens
// in and out, generation time (tokens/s), queue depth and slot use. Plain atomics,
// written by the HTTP threads and the engine thread, read by the renderer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace holo::server {

struct metrics {
    std::atomic<uint64_t> requests_total{0};
    std::atomic<uint64_t> requests_4xx{0};
    std::atomic<uint64_t> requests_5xx{0};
    std::atomic<uint64_t> requests_rejected_queue_full{0};
    std::atomic<uint64_t> generations_total{0};
    std::atomic<uint64_t> generations_cancelled{0};
    std::atomic<uint64_t> prompt_tokens_total{0};
    std::atomic<uint64_t> prompt_tokens_cached_total{0};
    std::atomic<uint64_t> generated_tokens_total{0};
    std::atomic<uint64_t> prompt_eval_us_total{0};
    std::atomic<uint64_t> gen_us_total{0};
    std::atomic<uint64_t> model_loads_total{0};
    std::atomic<uint64_t> decode_steps_total{0};        // forward passes that decoded
    std::atomic<uint64_t> decode_step_tokens_total{0};  // tokens they decoded (÷ steps = batch size)
    std::atomic<int64_t> queue_depth{0};
    std::atomic<int64_t> slots_busy{0};
    std::atomic<int64_t> slots_total{0};
    std::atomic<int64_t> models_loaded{0};
    std::atomic<uint64_t> model_bytes_loaded{0};
    std::atomic<int64_t> http_threads{0};       // connection threads alive
    std::atomic<int64_t> http_threads_busy{0};  // of those, serving a connection

    // For each generation stopped because its client left: the decode steps that ran
    // between the last step boundary at which its client was still connected and its
    // slot being freed (1: only the step that was running when the client left).
    // Counts per upper bound of cancel_steps_le, the last entry past them all.
    static constexpr std::array<uint64_t, 4> cancel_steps_le{0, 1, 2, 4};
    std::array<std::atomic<uint64_t>, 5> cancel_steps_bucket{};
    std::atomic<uint64_t> cancel_steps_sum{0};
    std::atomic<uint64_t> last_cancel_step{0};  // decode_steps_total when the last one was freed
    void observe_cancel_steps(uint64_t steps) {
        size_t i = 0;
        while (i < cancel_steps_le.size() && steps > cancel_steps_le[i]) ++i;
        cancel_steps_bucket[i]++;
        cancel_steps_sum += steps;
    }
};

std::string render_metrics(const metrics& m);

}  // namespace holo::server
