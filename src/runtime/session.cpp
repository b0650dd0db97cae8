#include "runtime/session.h"

#include <algorithm>
#include <string>
#include <thread>

#include "core/thread_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"

namespace holo {

session::session(std::shared_ptr<const model> m, const session_options& opts) : model_(std::move(m)), opts_(opts) {
    HOLO_ASSERT(model_ != nullptr, "session needs a model");
    if (opts_.n_ctx <= 0) {
        const int64_t train = model_->hp().n_ctx_train;
        opts_.n_ctx = train > 0 ? std::min<int64_t>(train, 4096) : 4096;
    }
    if (opts_.n_threads <= 0) opts_.n_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    if (opts_.n_batch <= 0) opts_.n_batch = 512;
    kv_ = std::make_unique<kv_cache>(*model_, opts_.n_ctx);
    pool_ = std::make_unique<thread_pool>(opts_.n_threads);
}

session::~session() = default;

int64_t session::n_past() const { return kv_->n_pos(); }
int64_t session::n_ctx() const { return kv_->n_ctx(); }
int64_t session::n_vocab() const { return model_->hp().n_vocab; }
int session::n_threads() const { return pool_->size(); }
void session::reset() {
    kv_->clear();
    logits_.clear();
}
void session::truncate(int64_t n) { kv_->truncate(n); }

uint64_t session::kv_bytes() const {
    return 2 * uint64_t(kv_->n_layer()) * uint64_t(kv_->n_ctx()) * uint64_t(kv_->row_size()) * sizeof(float);
}

int64_t session::n_rows() const {
    const int64_t v = n_vocab();
    return v > 0 ? int64_t(logits_.size()) / v : 0;
}

std::span<const float> session::row(int64_t i) const {
    HOLO_ASSERT(i >= 0 && i < n_rows(), "logits row out of range");
    const size_t v = size_t(n_vocab());
    return std::span<const float>(logits_).subspan(size_t(i) * v, v);
}

result<void> session::eval(std::span<const int32_t> tokens, bool all_logits, const tensor_callback* on_tensor) {
    if (tokens.empty()) return error{"eval: no tokens to evaluate"};
    if (n_past() + int64_t(tokens.size()) > n_ctx()) {
        return error{"eval: context full: " + std::to_string(n_past()) + " positions held + " +
                     std::to_string(tokens.size()) + " new > --ctx " + std::to_string(n_ctx()) +
                     " (pass a larger --ctx)"};
    }
    HOLO_TRY(check_forward_inputs(*model_, *kv_, tokens, n_past()));
    logits_.clear();
    for (size_t begin = 0; begin < tokens.size(); begin += size_t(opts_.n_batch)) {
        const size_t n = std::min(tokens.size() - begin, size_t(opts_.n_batch));
        const bool last = begin + n == tokens.size();
        auto part = tokens.subspan(begin, n);
        // Only the final batch's last row is needed unless every row is asked for.
        const bool rows = all_logits;
        if (opts_.reference) {
            HOLO_TRY(forward_reference(*model_, *kv_, part, n_past(), rows, batch_logits_, on_tensor));
        } else {
            HOLO_TRY(forward(*model_, *kv_, part, n_past(), rows, batch_logits_, *pool_, on_tensor));
        }
        // A single batch (every decode step) hands its buffer over instead of copying it.
        if (begin == 0 && last) logits_.swap(batch_logits_);
        else if (all_logits || last) logits_.insert(logits_.end(), batch_logits_.begin(), batch_logits_.end());
    }
    return ok();
}

}  // namespace holo
