#include "server/metrics.h"

#include <cstdio>

namespace holo::server {
namespace {

void add(std::string& out, const char* name, const char* type, const char* help, double value) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + buf + "\n";
}

}  // namespace

std::string render_metrics(const metrics& m) {
    std::string o;
    add(o, "holo_http_requests_total", "counter", "HTTP requests answered.", double(m.requests_total));
    add(o, "holo_http_requests_4xx_total", "counter", "Requests answered with a 4xx status.", double(m.requests_4xx));
    add(o, "holo_http_requests_5xx_total", "counter", "Requests answered with a 5xx status.", double(m.requests_5xx));
    add(o, "holo_requests_rejected_queue_full_total", "counter", "Generations refused with 503 (queue full).",
        double(m.requests_rejected_queue_full));
    add(o, "holo_generations_total", "counter", "Generations finished (any reason).", double(m.generations_total));
    add(o, "holo_generations_cancelled_total", "counter", "Generations stopped because the client went away.",
        double(m.generations_cancelled));
    add(o, "holo_prompt_tokens_total", "counter", "Prompt tokens received.", double(m.prompt_tokens_total));
    add(o, "holo_prompt_tokens_cached_total", "counter", "Prompt tokens reused from a slot's cache.",
        double(m.prompt_tokens_cached_total));
    add(o, "holo_generated_tokens_total", "counter", "Tokens generated.", double(m.generated_tokens_total));
    const double pe_s = double(m.prompt_eval_us_total) * 1e-6, gen_s = double(m.gen_us_total) * 1e-6;
    add(o, "holo_prompt_eval_seconds_total", "counter", "Time spent evaluating prompts.", pe_s);
    add(o, "holo_generation_seconds_total", "counter", "Time spent generating (per slot, summed).", gen_s);
    const double evaluated = double(m.prompt_tokens_total) - double(m.prompt_tokens_cached_total);
    add(o, "holo_prompt_tokens_per_second", "gauge", "Prompt tokens evaluated per second of prompt time.",
        pe_s > 0 ? evaluated / pe_s : 0.0);
    add(o, "holo_generated_tokens_per_second", "gauge", "Generated tokens per second of generation time.",
        gen_s > 0 ? double(m.generated_tokens_total) / gen_s : 0.0);
    add(o, "holo_model_loads_total", "counter", "Models loaded.", double(m.model_loads_total));
    add(o, "holo_decode_steps_total", "counter", "Decode forward passes (all decoding slots together).",
        double(m.decode_steps_total));
    add(o, "holo_decode_step_tokens_total", "counter", "Tokens decoded by those passes (divide for the mean batch).",
        double(m.decode_step_tokens_total));
    add(o, "holo_queue_depth", "gauge", "Generations waiting for a slot.", double(m.queue_depth));
    add(o, "holo_slots_busy", "gauge", "Slots generating now.", double(m.slots_busy));
    add(o, "holo_slots_total", "gauge", "Slots of the loaded models.", double(m.slots_total));
    add(o, "holo_models_loaded", "gauge", "Models in memory.", double(m.models_loaded));
    add(o, "holo_model_bytes_loaded", "gauge", "Bytes of the loaded model files (mapped).", double(m.model_bytes_loaded));
    add(o, "holo_http_threads", "gauge", "Connection threads alive (started on demand, ended after 2 s idle).",
        double(m.http_threads));
    add(o, "holo_http_threads_busy", "gauge", "Connection threads serving a connection.", double(m.http_threads_busy));
    o += "# HELP holo_cancel_free_steps Decode steps between the last step at which a cancelled generation's client "
         "was connected and its slot being freed.\n# TYPE holo_cancel_free_steps histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= m.cancel_steps_le.size(); ++i) {
        cumulative += m.cancel_steps_bucket[i];
        const std::string le = i < m.cancel_steps_le.size() ? std::to_string(m.cancel_steps_le[i]) : "+Inf";
        o += "holo_cancel_free_steps_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    o += "holo_cancel_free_steps_sum " + std::to_string(m.cancel_steps_sum.load()) + "\n";
    o += "holo_cancel_free_steps_count " + std::to_string(cumulative) + "\n";
    add(o, "holo_last_cancel_decode_step", "gauge",
        "holo_decode_steps_total when the last generation whose client left was freed.", double(m.last_cancel_step));
    return o;
}

}  // namespace holo::server
