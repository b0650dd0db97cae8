#include "model/requantize_stream.h"

#include <algorithm>

#include "core/progress.h"
#include "core/thread_pool.h"
#include "gguf/gguf_writer.h"

namespace holo {

tensor_streamer::tensor_streamer(thread_pool& pool, progress_bar* progress, int64_t chunk_elements)
    : pool_(pool), progress_(progress), chunk_elements_(std::max<int64_t>(chunk_elements, 1)) {}

result<void> tensor_streamer::write(gguf_writer& w, const stream_job& job) {
    const type_traits& tr = traits_of(job.type);
    HOLO_ASSERT(job.row_length % tr.block_size == 0, "tensor_streamer: row length not a multiple of the block size");
    const uint64_t row_bytes = static_cast<uint64_t>(job.row_length / tr.block_size) * tr.block_bytes;
    // A batch gives each thread about one chunk; a row is never split.
    const int64_t rows_per_chunk = std::max<int64_t>(1, chunk_elements_ / job.row_length);
    const int64_t rows_per_batch = rows_per_chunk * pool_.size();
    const int64_t batch_rows = std::min(rows_per_batch, job.n_rows);
    f32_.resize(static_cast<size_t>(batch_rows * job.row_length));
    out_.resize(static_cast<size_t>(batch_rows) * row_bytes);
    peak_ = std::max<uint64_t>(peak_, f32_.size() * sizeof(float) + out_.size());

    for (int64_t b0 = 0; b0 < job.n_rows; b0 += rows_per_batch) {
        const int64_t nb = std::min(rows_per_batch, job.n_rows - b0);
        pool_.parallel_for(nb, rows_per_chunk, [&](int64_t begin, int64_t end) {
            float* src = f32_.data() + begin * job.row_length;
            job.source(b0 + begin, end - begin, src);
            for (int64_t r = begin; r < end; ++r) {
                tr.quantize_row(f32_.data() + r * job.row_length, out_.data() + r * row_bytes, job.row_length);
            }
            if (progress_) progress_->add(static_cast<uint64_t>((end - begin) * job.row_length));
        });
        HOLO_TRY(w.write_tensor_data(std::span<const uint8_t>(out_.data(), static_cast<size_t>(nb) * row_bytes)));
    }
    return ok();
}

}  // namespace holo
