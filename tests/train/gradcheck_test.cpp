// The trainer's hand-written backward pass against central finite differences, in
// f64 on a tiny model, for every tensor (embedding, RMSNorms, q/k/v/o with QK-norm
// and NeoX RoPE under GQA, router softmax top-k, expert SwiGLU, output head) and
// for each loss term (cross-entropy, load-balancing aux loss, z-loss, noisy top-k).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "train/train_pass.h"

namespace holo {
namespace {

train_hparams tiny_hparams() {
    train_hparams hp;
    hp.n_vocab = 19;
    hp.n_ctx = 8;
    hp.n_embd = 8;
    hp.n_layer = 2;
    hp.n_head = 4;
    hp.n_head_kv = 2;
    hp.head_dim = 4;
    hp.n_expert = 4;
    hp.n_expert_used = 2;
    hp.n_ff_exp = 6;
    return hp;
}

// |analytic - numeric| <= k_rel * max(|a|, |n|) + k_abs. f64 central differences
// with h = 1e-5 carry ~1e-11 of round-off on a loss near 3 and ~1e-10 of
// truncation, so these leave room without hiding a wrong term (a missing factor
// or sign gives relative errors near 1).
constexpr double k_rel = 1e-5;
constexpr double k_abs = 1e-9;

void check_gradients(const routing_options& ro) {
    const param_layout lay = make_layout(tiny_hparams());
    std::vector<double> params;
    init_params(lay, 7, params);
    // Larger router weights so routing is decisive and the aux / z terms matter.
    for (const auto& lo : lay.layers)
        for (int64_t i = 0; i < lay.hp.n_embd * lay.hp.n_expert; ++i) params[lo.router + size_t(i)] *= 10.0;
    std::mt19937 rng(3);
    std::vector<int32_t> tokens(7);
    for (auto& t : tokens) t = int32_t(rng() % uint32_t(lay.hp.n_vocab));

    seq_pass<double> pass(lay);
    seq_stats st;
    pass.forward(params.data(), tokens, ro, 11, st);
    std::vector<double> grads(lay.n_params, 0.0);
    pass.backward(params.data(), grads.data(), 1.0);

    auto loss_at = [&](size_t i, double v) {
        const double old = params[i];
        params[i] = v;
        seq_stats s;
        pass.forward(params.data(), tokens, ro, 11, s);
        params[i] = old;
        return s.loss;
    };
    const double h = 1e-5;
    for (size_t ti = 0; ti < lay.tensors.size(); ++ti) {
        const auto& t = lay.tensors[ti];
        const size_t n = size_t(t.n_elements());
        const size_t step = std::max<size_t>(1, n / 24);  // up to ~24 entries per tensor
        int checked = 0;
        double largest = 0;
        for (size_t j = (ti * 7) % step; j < n; j += step) {
            const size_t i = lay.offset[ti] + j;
            const double num = (loss_at(i, params[i] + h) - loss_at(i, params[i] - h)) / (2 * h);
            const double ana = grads[i];
            const double bound = k_rel * std::max(std::fabs(ana), std::fabs(num)) + k_abs;
            EXPECT_LE(std::fabs(ana - num), bound) << t.name << "[" << j << "]: analytic " << ana << " numeric " << num;
            ++checked;
            largest = std::max(largest, std::fabs(ana));
        }
        EXPECT_GT(checked, 0) << t.name;
        EXPECT_GT(largest, 1e-6) << t.name << ": no sampled entry has a gradient, the check would be empty";
    }
}

TEST(train_gradcheck, cross_entropy_only) { check_gradients({}); }

TEST(train_gradcheck, with_load_balancing_loss) {
    routing_options ro;
    ro.aux_coef = 0.3;
    check_gradients(ro);
}

TEST(train_gradcheck, with_z_loss) {
    routing_options ro;
    ro.z_coef = 0.05;
    check_gradients(ro);
}

TEST(train_gradcheck, all_terms_with_noisy_top_k) {
    routing_options ro;
    ro.aux_coef = 0.1;
    ro.z_coef = 0.01;
    ro.noise_std = 0.5;  // a fixed seed: selection is the same in every evaluation
    check_gradients(ro);
}

// The f32 pass (what trains) agrees with the f64 one on loss and gradients.
TEST(train_gradcheck, f32_matches_f64) {
    const param_layout lay = make_layout(tiny_hparams());
    std::vector<double> pd;
    std::vector<float> pf;
    init_params(lay, 5, pd);
    init_params(lay, 5, pf);
    std::vector<int32_t> tokens = {1, 4, 9, 16, 2, 3, 5};
    routing_options ro;
    ro.aux_coef = 0.01;
    ro.z_coef = 0.001;
    seq_pass<double> a(lay);
    seq_pass<float> b(lay);
    seq_stats sa, sb;
    a.forward(pd.data(), tokens, ro, 1, sa);
    b.forward(pf.data(), tokens, ro, 1, sb);
    EXPECT_NEAR(sa.loss, sb.loss, 1e-5 * std::fabs(sa.loss));
    std::vector<double> gd(lay.n_params, 0.0);
    std::vector<float> gf(lay.n_params, 0.0f);
    a.backward(pd.data(), gd.data(), 1.0);
    b.backward(pf.data(), gf.data(), 1.0);
    double num = 0, den = 0;
    for (size_t i = 0; i < lay.n_params; ++i) {
        num += (gd[i] - gf[i]) * (gd[i] - gf[i]);
        den += gd[i] * gd[i];
    }
    EXPECT_LT(std::sqrt(num / den), 1e-5);  // relative L2 error of the whole gradient
}

}  // namespace
}  // namespace holo
