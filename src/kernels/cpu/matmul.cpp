// Matrix products over weights in their file format: activations are converted once
// to the weight type's vec_dot_type, then rows are handed out in chunks to the pool.
// Each weight row is dotted with up to k_max_tokens_per_pass tokens at a time and a
// chunk's rows stay in L1 across token groups, so a batch reads each weight byte from
// memory once (prefill, MoE experts with several tokens).
#include <algorithm>
#include <atomic>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/kernel_table.h"

namespace holo {

namespace {

struct chunk_plan {
    int64_t first_chunk[65];  // prefix sums over tasks (a batch has at most 64 tasks per plan)
    int64_t rows_per_chunk[64];
};

// The dot products of rows [r0, r1) of one task with all of its tokens.
void run_rows(const kernel_table& kt, const matmul_task& task, int64_t r0, int64_t r1) {
    const weight_matrix& w = task.w;
    const quantized_activations& x = *task.x;
    const row_dot_fn fast = kt.row_dot[static_cast<uint32_t>(w.type)];
    const vec_dot_fn slow = traits_of(w.type).vec_dot;
    const row_dot_many_fn many = kt.row_dot_many[static_cast<uint32_t>(w.type)];
    const row_tile_fn tile = kt.row_tile[static_cast<uint32_t>(w.type)];
    const bool use_tile = tile && task.n_tokens >= k_tile_min_tokens;
    const bool use_many = many && task.n_tokens > k_max_tokens_per_pass;
    if (use_tile || use_many) {
        std::vector<const void*> rows(task.n_tokens);
        for (int64_t t = 0; t < task.n_tokens; ++t) rows[t] = x.row(task.token_rows ? task.token_rows[t] : t);
        // Whole tiles of rows side by side; the rest a row at a time.
        for (; use_tile && r0 + k_tile_rows <= r1; r0 += k_tile_rows) {
            tile(w.n_cols, w.data + r0 * w.row_bytes, w.row_bytes, k_tile_rows, rows.data(), task.n_tokens, task.y + r0,
                 w.n_rows);
        }
        if (use_many || r0 == r1) {
            std::vector<float> out(task.n_tokens);
            for (int64_t r = r0; r < r1; ++r) {
                many(w.n_cols, w.data + r * w.row_bytes, rows.data(), task.n_tokens, out.data());
                for (int64_t t = 0; t < task.n_tokens; ++t) task.y[t * w.n_rows + r] = out[t];
            }
            return;
        }
    }
    for (int64_t t0 = 0; t0 < task.n_tokens; t0 += k_max_tokens_per_pass) {
        const int nt = static_cast<int>(std::min<int64_t>(k_max_tokens_per_pass, task.n_tokens - t0));
        // Token rows of this group must be equally spaced for the kernels: true without
        // an index, and for an index only when it is consecutive.
        bool strided = task.token_rows == nullptr;
        if (!strided) {
            strided = true;
            for (int i = 1; i < nt && strided; ++i) strided = task.token_rows[t0 + i] == task.token_rows[t0] + i;
        }
        const auto token_row = [&](int i) { return task.token_rows ? task.token_rows[t0 + i] : t0 + i; };
        for (int64_t r = r0; r < r1; ++r) {
            const uint8_t* wr = w.data + r * w.row_bytes;
            float out[k_max_tokens_per_pass];
            if (fast && strided) {
                fast(w.n_cols, wr, x.row(token_row(0)), x.row_bytes, nt, out);
            } else if (fast) {
                for (int i = 0; i < nt; ++i) fast(w.n_cols, wr, x.row(token_row(i)), x.row_bytes, 1, out + i);
            } else {
                for (int i = 0; i < nt; ++i) out[i] = slow(w.n_cols, wr, x.row(token_row(i)));
            }
            for (int i = 0; i < nt; ++i) task.y[(t0 + i) * w.n_rows + r] = out[i];
        }
    }
}

void check_task(const matmul_task& t) {
    HOLO_ASSERT(t.x != nullptr && t.y != nullptr, "matmul: missing activations or output");
    HOLO_ASSERT(t.x->type == traits_of(t.w.type).vec_dot_type, "matmul: activations are not in the vec_dot_type");
    HOLO_ASSERT(t.x->n_cols == t.w.n_cols, "matmul: activation width differs from the weight's n_cols");
    HOLO_ASSERT(t.token_rows != nullptr || t.n_tokens <= t.x->n_tokens, "matmul: more tokens than activation rows");
}

}  // namespace

void quantize_activations(tensor_type vec_dot_type, const float* x, int64_t n_cols, int64_t n_tokens,
                          quantized_activations& out, thread_pool* pool) {
    const auto rb = row_bytes(vec_dot_type, static_cast<uint64_t>(n_cols));
    HOLO_ASSERT(rb.has_value(), "quantize_activations: n_cols is not a multiple of the block size");
    out.type = vec_dot_type;
    out.n_cols = n_cols;
    out.n_tokens = n_tokens;
    out.row_bytes = *rb;
    out.data.resize(*rb * n_tokens);
    const kernel_table& kt = active_kernels();
    convert_fn conv = kt.convert[static_cast<uint32_t>(vec_dot_type)];
    if (!conv) conv = traits_of(vec_dot_type).quantize_row;
    const auto convert_range = [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t) conv(x + t * n_cols, out.data.data() + t * out.row_bytes, n_cols);
    };
    // Below ~64k values a second thread costs more to wake than it saves.
    if (pool && pool->size() > 1 && n_cols * n_tokens >= (1 << 16)) {
        pool->parallel_for(n_tokens, 1, convert_range);
    } else {
        convert_range(0, n_tokens);
    }
}

void matmul_batch(const matmul_task* tasks, int64_t n_tasks, thread_pool& pool) {
    const kernel_table& kt = active_kernels();
    const int nth = pool.size();
    // Plans of at most 64 tasks; a longer batch runs as several regions.
    for (int64_t base = 0; base < n_tasks; base += 64) {
        const int64_t n = std::min<int64_t>(64, n_tasks - base);
        chunk_plan plan;
        plan.first_chunk[0] = 0;
        int64_t total_rows = 0, total_work = 0;
        for (int64_t i = 0; i < n; ++i) {
            check_task(tasks[base + i]);
            total_rows += tasks[base + i].w.n_rows;
            total_work += tasks[base + i].w.n_rows * tasks[base + i].w.n_cols * std::max<int64_t>(1, tasks[base + i].n_tokens);
        }
        // About 8 chunks per thread balance a shared, noisy machine; at least 8 rows
        // so the per-chunk overhead stays small.
        const int64_t target = std::max<int64_t>(8, total_rows / (int64_t(nth) * 8));
        for (int64_t i = 0; i < n; ++i) {
            const matmul_task& task = tasks[base + i];
            const int64_t rows = task.w.n_rows;
            int64_t per = std::min<int64_t>(std::max<int64_t>(rows, 1), target);
            // Row tiles need whole groups of k_tile_rows in a chunk.
            if (kt.row_tile[static_cast<uint32_t>(task.w.type)] && task.n_tokens >= k_tile_min_tokens) {
                per = (std::max<int64_t>(per, k_tile_rows) + k_tile_rows - 1) / k_tile_rows * k_tile_rows;
            }
            plan.rows_per_chunk[i] = per;
            plan.first_chunk[i + 1] = plan.first_chunk[i] + (rows + per - 1) / per;
        }
        const int64_t n_chunks = plan.first_chunk[n];
        std::atomic<int64_t> next{0};
        const auto work = [&](int, int) {
            int64_t ti = 0;
            for (;;) {
                const int64_t c = next.fetch_add(1, std::memory_order_relaxed);
                if (c >= n_chunks) return;
                while (plan.first_chunk[ti + 1] <= c) ++ti;
                const matmul_task& task = tasks[base + ti];
                const int64_t r0 = (c - plan.first_chunk[ti]) * plan.rows_per_chunk[ti];
                const int64_t r1 = std::min(task.w.n_rows, r0 + plan.rows_per_chunk[ti]);
                run_rows(kt, task, r0, r1);
            }
        };
        // Below ~64k multiply-adds (a few microseconds) waking the pool costs more
        // than it saves.
        if (nth == 1 || n_chunks == 1 || total_work < (int64_t(1) << 16)) {
            work(0, 1);
        } else {
            pool.run(work);
        }
    }
}

void matmul(const weight_matrix& w, const float* x, int64_t n_tokens, float* y, thread_pool& pool) {
    quantized_activations xq;
    quantize_activations(traits_of(w.type).vec_dot_type, x, w.n_cols, n_tokens, xq, &pool);
    matmul_task task{w, &xq, nullptr, n_tokens, y};
    matmul_batch(&task, 1, pool);
}

}  // namespace holo
