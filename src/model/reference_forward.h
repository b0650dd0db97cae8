// Extra controls of the reference forward pass, for tests: besides the debug hook,
// the routed experts can be forced (e.g. to the optimized pass's choices), so a
// comparison separates numeric error from discrete top-k decisions that flip
// when two experts are nearly tied.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/forward.h"

namespace holo {

struct reference_options {
    const tensor_callback* on_tensor = nullptr;
    // forced_experts[il]: [n_expert_used, n_positions] expert ids by absolute position
    // (row p for position p); empty or absent layers route normally. The forced
    // experts get the weights the router gives them (softmax, renormalized as usual).
    const std::vector<std::vector<int32_t>>* forced_experts = nullptr;
};

result<void> forward_reference_with(const model& m, kv_cache& kv, std::span<const int32_t> tokens, int64_t pos0,
                                    bool all_logits, std::vector<float>& logits, const reference_options& opt);

}  // namespace holo
