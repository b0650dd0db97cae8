// Per-sequence attention memory: for every layer, the keys and values (f32, after
// RoPE) of positions [0, n_pos). Belongs to a session, never to the shared model.
// Memory is reserved for n_ctx positions up front but pages are only touched as
// positions are written.
#pragma once

#include <cstdint>
#include <memory>

namespace holo {

class model;

class kv_cache {
public:
    kv_cache(const model& m, int64_t n_ctx);  // n_ctx >= 1

    // Bytes a cache of n_ctx positions reserves (K and V, every layer), so callers
    // can refuse an impossible --ctx with an error before constructing one.
    static uint64_t bytes_needed(const model& m, int64_t n_ctx);

    int64_t n_ctx() const { return n_ctx_; }
    // Positions currently held: [0, n_pos()).
    int64_t n_pos() const { return n_pos_; }
    // Keeps positions [0, n) and forgets the rest (prompt-prefix reuse); n is
    // clamped to [0, n_pos()].
    void truncate(int64_t n);
    void clear() { n_pos_ = 0; }

    int64_t n_layer() const { return n_layer_; }
    int64_t row_size() const { return row_; }  // head_dim * n_head_kv floats per position
    // [head_dim * n_head_kv, n_ctx] for layer il (row for position p at p * row_size()).
    float* k(int64_t il) { return k_.get() + il * n_ctx_ * row_; }
    float* v(int64_t il) { return v_.get() + il * n_ctx_ * row_; }
    const float* k(int64_t il) const { return k_.get() + il * n_ctx_ * row_; }
    const float* v(int64_t il) const { return v_.get() + il * n_ctx_ * row_; }

    // For the forward passes: records that positions [0, n) are now filled.
    void set_n_pos(int64_t n);

private:
    int64_t n_ctx_, n_layer_, row_;
    int64_t n_pos_ = 0;
    std::unique_ptr<float[]> k_, v_;
};

}  // namespace holo
