// Deterministic random weights for `holo synth`. Every row of every tensor is a pure
// function of (seed, tensor name, row), so the output does not depend on threads or
// chunking. Scales keep activations finite through all layers: projections have
// std 1/sqrt(fan_in), norms ~1, embeddings small. --routing-skew S scales each
// expert's router row so expert popularity follows a Zipf-like law with exponent S.
#pragma once

#include <cstdint>
#include <vector>

#include "model/presets.h"
#include "model/synth_layout.h"

namespace holo {

// Router row scales by popularity rank (rank 0 most popular), fitted so that top-k
// selection on random inputs follows shares proportional to (rank+1)^-skew.
std::vector<double> zipf_rank_scales(int64_t n_expert, int64_t n_expert_used, double skew);

// Per-expert router row scales (n_expert entries) for a layer. Expert ranks are a
// seeded permutation per layer, so the popular experts differ between layers.
// skew 0 gives all ones.
std::vector<float> router_row_scales(const model_preset& p, uint64_t seed, int il, double skew);

// Target selection share of each expert (sums to 1) for a Zipf-like law with
// exponent `skew`, indexed by expert (through the same permutation).
std::vector<double> zipf_target_shares(const model_preset& p, uint64_t seed, int il, double skew);

class synth_weight_source {
public:
    synth_weight_source(const model_preset& p, uint64_t seed, double routing_skew);

    // Rows [row0, row0 + n_rows) of tensor t as f32 (rows of ne[0] elements). Thread-safe.
    void fill(const planned_tensor& t, int64_t row0, int64_t n_rows, float* dst) const;

private:
    const model_preset& p_;
    uint64_t seed_;
    std::vector<std::vector<float>> router_scales_;  // [n_layer][n_expert]
};

}  // namespace holo
