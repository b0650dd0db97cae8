// Streams one tensor into a gguf_writer: rows are produced as f32 by a source
// (random generation for synth, dequantization for quantize), converted to the
// target type on all threads of a pool, and written in order, a batch at a time.
// Memory is O(threads x chunk), never O(tensor).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/error.h"
#include "quant/tensor_type.h"

namespace holo {

class gguf_writer;
class progress_bar;
class thread_pool;

// Fills rows [row0, row0 + n_rows) as f32 into dst ([row_length, n_rows]). Called
// concurrently for disjoint ranges, so it must not share mutable state.
using row_source = std::function<void(int64_t row0, int64_t n_rows, float* dst)>;

struct stream_job {
    tensor_type type;     // target type
    int64_t row_length;   // ne[0]
    int64_t n_rows;       // product of ne[1..]
    row_source source;
};

class tensor_streamer {
public:
    // chunk_elements: f32 elements a thread converts at a time (~4 MB by default).
    tensor_streamer(thread_pool& pool, progress_bar* progress, int64_t chunk_elements = int64_t(1) << 20);

    // Converts and writes the whole tensor through `w` (its next declared tensor).
    result<void> write(gguf_writer& w, const stream_job& job);

    // Largest f32 + output buffer held at once, in bytes (for the streaming proof).
    uint64_t peak_buffer_bytes() const { return peak_; }

private:
    thread_pool& pool_;
    progress_bar* progress_;
    int64_t chunk_elements_;
    std::vector<float> f32_;
    std::vector<uint8_t> out_;
    uint64_t peak_ = 0;
};

}  // namespace holo
