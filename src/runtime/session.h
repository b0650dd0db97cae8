// One conversation with a model: the shared, immutable model plus this session's
// own state (KV cache, logits buffer, thread pool). Evaluates prompts in batches and
// single decode steps; many sessions may share one model.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/error.h"
#include "model/forward.h"

namespace holo {

class model;
class kv_cache;
class thread_pool;

struct session_options {
    int64_t n_ctx = 0;       // 0: the model's training context, capped at 4096
    int n_threads = 0;       // 0: all hardware threads
    int64_t n_batch = 512;   // prompt tokens per forward call
    bool reference = false;  // use the slow f32 reference forward (checks, debugging)
};

class session {
public:
    session(std::shared_ptr<const model> m, const session_options& opts);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    // Evaluates `tokens` at positions [n_past, n_past + size) and advances n_past.
    // Afterwards logits() holds one row per token when all_logits, else only the
    // last token's row. Errors: empty input, out-of-range ids, context full.
    result<void> eval(std::span<const int32_t> tokens, bool all_logits = false,
                      const tensor_callback* on_tensor = nullptr);

    // [n_vocab, n_rows] from the last eval; row(i) is one position's logits.
    std::span<const float> logits() const { return logits_; }
    std::span<const float> row(int64_t i) const;
    int64_t n_rows() const;

    int64_t n_past() const;
    int64_t n_ctx() const;
    int64_t n_vocab() const;
    // Forgets everything (the cache keeps its memory).
    void reset();
    // Keeps positions [0, n): prompt-prefix reuse.
    void truncate(int64_t n);

    const model& get_model() const { return *model_; }
    const std::shared_ptr<const model>& shared_model() const { return model_; }
    int n_threads() const;
    // Bytes of the KV cache reservation (for memory accounting).
    uint64_t kv_bytes() const;

private:
    std::shared_ptr<const model> model_;
    session_options opts_;
    std::unique_ptr<kv_cache> kv_;
    std::unique_ptr<thread_pool> pool_;
    std::vector<float> logits_;
    std::vector<float> batch_logits_;
};

}  // namespace holo
