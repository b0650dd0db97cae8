// Routing reports for `holo train`: per-layer expert utilization (share of
// assignments per expert), its coefficient of variation, the peak load against a
// Switch-style capacity (capacity_factor x the balanced share; what a capacity-
// limited router would drop), and a TSV of utilization over training for plots.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace holo {

// Coefficient of variation (std / mean) of layer il's expert loads; load is
// [n_expert, n_layer]. 0 = perfectly balanced, sqrt(n_expert - 1) = one expert takes all.
double load_cv(const std::vector<int64_t>& load, int64_t il, int64_t n_expert);
// Mean over layers.
double mean_load_cv(const std::vector<int64_t>& load, int64_t n_layer, int64_t n_expert);

// A text table: one row per layer, each expert's share in %, CV, max/mean and the
// share of assignments over capacity.
std::string utilization_table(const std::vector<int64_t>& load, int64_t n_layer, int64_t n_expert,
                              double capacity_factor);

// "step layer e0 e1 ..." rows of shares (header when the file is new).
void append_utilization_tsv(std::FILE* f, int64_t step, const std::vector<int64_t>& load, int64_t n_layer,
                            int64_t n_expert, bool header);

}  // namespace holo
