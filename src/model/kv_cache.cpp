#include "model/kv_cache.h"

#include <algorithm>

#include "core/error.h"
#include "model/model.h"

namespace holo {

kv_cache::kv_cache(const model& m, int64_t n_ctx)
    : n_ctx_(n_ctx), n_layer_(m.hp().n_layer), row_(m.hp().n_embd_kv()) {
    HOLO_ASSERT(n_ctx >= 1, "kv_cache needs n_ctx >= 1");
    // new float[] leaves the memory untouched, so RSS grows with use, not n_ctx.
    const size_t n = size_t(n_layer_) * size_t(n_ctx_) * size_t(row_);
    k_.reset(new float[n]);
    v_.reset(new float[n]);
}

uint64_t kv_cache::bytes_needed(const model& m, int64_t n_ctx) {
    return 2 * uint64_t(m.hp().n_layer) * uint64_t(std::max<int64_t>(n_ctx, 0)) * uint64_t(m.hp().n_embd_kv()) *
           sizeof(float);
}

void kv_cache::truncate(int64_t n) { n_pos_ = std::clamp<int64_t>(n, 0, n_pos_); }

void kv_cache::set_n_pos(int64_t n) {
    HOLO_ASSERT(n >= 0 && n <= n_ctx_, "kv position out of range");
    n_pos_ = n;
}

}  // namespace holo
