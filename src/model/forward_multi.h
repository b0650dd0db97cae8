// One decode step for several independent sequences at once: each sequence has
// its own KV cache and position, but every weight matrix (attention projections,
// experts, output head) is read once for all of them — for MoE, an expert chosen
// by several sequences is streamed once. The server's slots use it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"

namespace holo {

class model;
class kv_cache;
class thread_pool;

struct sequence_step {
    kv_cache* kv;   // holds positions [0, kv->n_pos()); the token goes at kv->n_pos()
    int32_t token;
};

// Appends one token to each sequence and writes logits [n_vocab, seqs.size()]
// (column i for seqs[i]). The same result as forward() per sequence, up to
// floating-point summation order. Errors (nothing changed): no sequences, a token
// out of range, a full cache, the same cache twice, or a model with RoPE frequency
// factors (use forward() for those).
result<void> forward_multi(const model& m, std::span<const sequence_step> seqs, std::vector<float>& logits,
                           thread_pool& pool);

}  // namespace holo
