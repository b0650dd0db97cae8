// Causal grouped-query attention over an f32 KV cache, one pass with an online
// softmax (running max and sum per query, rescaled when the max grows). Keys and
// values are walked in blocks of k_key_block positions; every query of a work item
// (the heads that share a KV head, times a tile of tokens) uses a block while it is
// in cache, so prefill reads the cache once per tile instead of once per query.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/kernel_table.h"

namespace holo {

namespace {

constexpr int64_t k_key_block = 64;
constexpr int64_t k_token_tile = 16;

struct attention_shape {
    const float* q;
    const float* k;
    const float* v;
    float* out;
    int head_dim, n_head, n_head_kv;
    int64_t pos0, n_tokens;
    float scale;
};

// Queries of heads [h0, h1) (all on KV head hk) for tokens [t0, t1).
void attend_tile(const kernel_table& kt, const attention_shape& s, int hk, int h0, int h1, int64_t t0, int64_t t1) {
    const int64_t d = s.head_dim;
    const size_t kv_stride = size_t(d) * s.n_head_kv;  // floats between positions
    const int64_t n_q = int64_t(h1 - h0) * (t1 - t0);
    std::vector<float> qs(n_q * d), acc(n_q * d, 0.0f), m(n_q, -INFINITY), l(n_q, 0.0f);
    float scores[k_key_block];
    // Pre-scaled copies of the queries.
    for (int64_t t = t0; t < t1; ++t) {
        for (int h = h0; h < h1; ++h) {
            const int64_t i = (t - t0) * (h1 - h0) + (h - h0);
            const float* src = s.q + (t * s.n_head + h) * d;
            for (int64_t c = 0; c < d; ++c) qs[i * d + c] = src[c] * s.scale;
        }
    }
    const int64_t last = s.pos0 + t1 - 1;  // the last key any query of the tile sees
    const float* kbase = s.k + int64_t(hk) * d;
    const float* vbase = s.v + int64_t(hk) * d;
    for (int64_t kb = 0; kb <= last; kb += k_key_block) {
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t n_valid = std::min(k_key_block, s.pos0 + t + 1 - kb);
            if (n_valid <= 0) continue;
            for (int h = h0; h < h1; ++h) {
                const int64_t i = (t - t0) * (h1 - h0) + (h - h0);
                float* a = acc.data() + i * d;
                kt.dots(qs.data() + i * d, kbase + kb * kv_stride, kv_stride, n_valid, d, scores);
                const float bm = kt.max(scores, n_valid);
                if (bm > m[i]) {
                    if (l[i] != 0.0f) {
                        const float f = std::exp(m[i] - bm);
                        kt.scale(a, d, f);
                        l[i] *= f;
                    }
                    m[i] = bm;
                }
                l[i] += kt.exp_sub_sum(scores, n_valid, m[i]);
                kt.weighted_sum(scores, vbase + kb * kv_stride, kv_stride, n_valid, d, a);
            }
        }
    }
    for (int64_t t = t0; t < t1; ++t) {
        for (int h = h0; h < h1; ++h) {
            const int64_t i = (t - t0) * (h1 - h0) + (h - h0);
            float* dst = s.out + (t * s.n_head + h) * d;
            const float inv = 1.0f / l[i];
            for (int64_t c = 0; c < d; ++c) dst[c] = acc[i * d + c] * inv;
        }
    }
}

}  // namespace

void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int head_dim, int n_head,
               int n_head_kv, int64_t pos0, int64_t n_tokens, float scale, thread_pool& pool) {
    HOLO_ASSERT(n_head_kv > 0 && n_head % n_head_kv == 0, "attention: n_head must be a multiple of n_head_kv");
    if (n_tokens <= 0) return;
    const kernel_table& kt = active_kernels();
    const attention_shape s{q, k_cache, v_cache, out, head_dim, n_head, n_head_kv, pos0, n_tokens, scale};
    const int group = n_head / n_head_kv;
    const int64_t n_tiles = (n_tokens + k_token_tile - 1) / k_token_tile;
    // Split a KV head's query heads only when there are too few items for the pool.
    int n_sub = 1;
    while (n_sub < group && int64_t(n_head_kv) * n_sub * n_tiles < 2 * pool.size()) n_sub *= 2;
    n_sub = std::min(n_sub, group);
    const int64_t n_items = int64_t(n_head_kv) * n_sub * n_tiles;
    std::atomic<int64_t> next{0};
    const auto work = [&](int, int) {
        for (;;) {
            // Last tiles first: they see the most keys, so the tail of the run balances.
            const int64_t c = next.fetch_add(1, std::memory_order_relaxed);
            if (c >= n_items) return;
            const int64_t tile = n_tiles - 1 - c / (int64_t(n_head_kv) * n_sub);
            const int64_t rest = c % (int64_t(n_head_kv) * n_sub);
            const int hk = int(rest / n_sub);
            const int sub = int(rest % n_sub);
            const int h0 = hk * group + sub * group / n_sub;
            const int h1 = hk * group + (sub + 1) * group / n_sub;
            if (h0 == h1) continue;
            const int64_t t0 = tile * k_token_tile;
            attend_tile(kt, s, hk, h0, h1, t0, std::min(n_tokens, t0 + k_token_tile));
        }
    };
    if (pool.size() == 1 || n_items == 1) {
        work(0, 1);
    } else {
        pool.run(work);
    }
}

}  // namespace holo
