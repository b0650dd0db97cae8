// Running a model: the optimized forward pass and its plain f32 reference twin,
// with the same inputs and outputs, so tests can hold one to the other.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace holo {

class model;
class kv_cache;
class thread_pool;

// Optional debug hook, called with every named intermediate of the pass:
// "inp_embd", "l<il>.attn_norm", "l<il>.q", "l<il>.k", "l<il>.v" (q/k after
// norm+RoPE), "l<il>.kqv", "l<il>.attn_out", "l<il>.ffn_inp", "l<il>.ffn_norm",
// "l<il>.moe_logits", "l<il>.moe_ids" (chosen experts,
// as floats, best first), "l<il>.ffn_out", "l<il>.l_out", "result_norm", "result_output".
// data holds n_tokens rows of row_len floats for positions [pos0, pos0 + n_tokens)
// (the reference calls once per token; result_* cover only the output rows).
using tensor_callback =
    std::function<void(std::string_view name, int64_t pos0, int64_t n_tokens, int64_t row_len, const float* data)>;

// Evaluates `tokens` at positions [pos0, pos0 + tokens.size()), appending their keys
// and values to `kv` (which must already hold positions [0, pos0)). Writes logits
// [n_vocab, n_out] to `logits`: every position when all_logits, else only the last.
// Errors (nothing is changed): no tokens, a token id outside [0, n_vocab),
// pos0 != kv.n_pos(), or pos0 + tokens.size() > kv.n_ctx().
result<void> forward(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                     bool all_logits, std::vector<float>& logits, thread_pool& pool,
                     const tensor_callback* on_tensor = nullptr);

// The reference: same contract, one token at a time, weights dequantized to f32,
// plain loops. Slow on purpose.
result<void> forward_reference(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                               bool all_logits, std::vector<float>& logits,
                               const tensor_callback* on_tensor = nullptr);

// The input checks both passes share (exposed for the runtime's own validation).
result<void> check_forward_inputs(const model& m, const kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0);

}  // namespace holo
