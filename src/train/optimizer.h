// AdamW with linear warm-up then cosine decay to lr_min, and global-norm gradient
// clipping. Decoupled weight decay applies to matrices only (norm weights keep 0).
#pragma once

#include <cstdint>
#include <vector>

#include "train/train_model.h"

namespace holo {

struct adamw_options {
    double lr = 3e-3;
    double lr_min = 3e-4;
    int64_t warmup = 100;
    int64_t total_steps = 1000;
    double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
    double weight_decay = 0.1;
    double clip = 1.0;  // max global gradient norm; <= 0: no clipping
};

// Learning rate of step `step` (0-based).
double lr_at(const adamw_options& o, int64_t step);

struct adamw_state {
    std::vector<float> m, v;
    int64_t t = 0;  // updates applied
};

// Clips grads in place (returns the norm before clipping) and updates params.
double adamw_step(const adamw_options& o, const param_layout& lay, std::vector<float>& params,
                  std::vector<float>& grads, adamw_state& st);

}  // namespace holo
