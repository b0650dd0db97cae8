// How many weight bytes one decode step reads: every non-expert weight, one row of
// the token embedding (unless it doubles as the lm head), and the routed experts the
// router picks. `holo bench` divides this by the step time to get achieved GB/s.
#pragma once

#include <cstdint>

namespace holo {

class model;

struct active_bytes {
    uint64_t dense = 0;          // attention, norms, router, shared experts, dense FFN, lm head
    uint64_t embedding_row = 0;  // the one token_embd row a token reads
    uint64_t routed = 0;         // n_expert_used / n_expert of the routed expert stacks per layer
    uint64_t routed_total = 0;   // all routed expert bytes in the file
    uint64_t per_token() const { return dense + embedding_row + routed; }
};

// Counts from the file's tensors and the weight role table. For one token per step
// every MoE layer runs exactly n_expert_used experts, so the fraction is exact.
active_bytes decode_active_bytes(const model& m);

}  // namespace holo
