// One training sequence through the MoE transformer: the forward pass keeps every
// intermediate the hand-written backward pass needs, then backward adds the
// gradient of the sequence's loss (cross-entropy + load-balancing + z-loss) to a
// gradient buffer. Templated on the scalar: f32 trains, f64 checks gradients.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "train/train_model.h"

namespace holo {

struct routing_options {
    double aux_coef = 0.0;   // Switch load-balancing loss coefficient (--aux-loss)
    double z_coef = 0.0;     // router z-loss coefficient (--z-loss)
    double noise_std = 0.0;  // noisy top-k: N(0, std) added to router logits for selection only
};

// What one sequence's forward pass measured. Per-layer vectors have n_layer entries;
// load is [n_expert, n_layer] (assignments per expert).
struct seq_stats {
    double ce_sum = 0;         // sum of -log p(target)
    int64_t n_targets = 0;
    double loss = 0;           // ce_sum / n_targets + aux_coef * sum(aux) + z_coef * sum(z)
    std::vector<double> aux;   // n_expert * sum_e f_e P_e per layer (1 when balanced)
    std::vector<double> z;     // mean over tokens of logsumexp(router logits)^2 per layer
    std::vector<double> max_logit;  // largest |router logit| per layer
    std::vector<int64_t> load;

    void reset(int64_t n_layer, int64_t n_expert);
};

template <typename T>
class seq_pass {
public:
    explicit seq_pass(const param_layout& lay);

    // tokens holds n + 1 ids: the first n are evaluated at positions [0, n), token
    // i + 1 is the target after position i. noise_seed seeds noisy top-k.
    void forward(const T* params, std::span<const int32_t> tokens, const routing_options& ro, uint64_t noise_seed,
                 seq_stats& st);
    // Adds scale * d(loss)/d(params) to grads; after forward, with the same params.
    void backward(const T* params, T* grads, double scale);

    // [n_vocab, n] logits of the last forward pass.
    const std::vector<T>& logits() const { return logits_; }

private:
    struct layer_acts {
        std::vector<T> x_in, r1, h1, q_raw, k_raw, v, rq, rk, q, k, att, o, x_mid, r2, h2;
        std::vector<T> prob, lse, wsel, g, u, a, y;  // router + experts
        std::vector<int32_t> sel;                    // [n_expert_used, n]
        std::vector<double> f;                       // fraction of assignments per expert
    };
    const param_layout& lay_;
    routing_options ro_;
    int64_t n_ = 0;
    std::vector<int32_t> tokens_;
    std::vector<layer_acts> acts_;
    std::vector<T> cos_, sin_;                // [head_dim / 2, n]
    std::vector<T> x_fin_, r_fin_, h_fin_, logits_, probs_;
};

}  // namespace holo
