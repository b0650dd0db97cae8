// Running a model: the optimized forward pass and its plain f32 reference twin,
// with the same inputs and outputs, so tests can hold one to the other.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"

namespace holo {

class model;
class kv_cache;
class thread_pool;

// Evaluates `tokens` at positions [pos0, pos0 + tokens.size()), appending their keys
// and values to `kv` (which must already hold positions [0, pos0)). Writes logits
// [n_vocab, n_out] to `logits`: every position when all_logits, else only the last.
result<void> forward(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                     bool all_logits, std::vector<float>& logits, thread_pool& pool);

// The reference: same contract, one token at a time, weights dequantized to f32,
// plain loops. Slow on purpose.
result<void> forward_reference(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                               bool all_logits, std::vector<float>& logits);

}  // namespace holo
