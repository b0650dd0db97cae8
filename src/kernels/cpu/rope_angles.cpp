// YaRN as llama.cpp computes it (facts from ggml's rope, our own code): the
// correction range [lo, hi] of pair indices comes from beta_fast / beta_slow and the
// original context; pairs below lo keep the extrapolated angle, pairs above hi the
// interpolated one (freq_scale * theta), a linear ramp in between, weighted by
// ext_factor; cos/sin get the magnitude factor attn_factor * (1 + 0.1 ln(1/freq_scale)).
#include "kernels/cpu/rope_angles.h"

#include <algorithm>
#include <cmath>

namespace holo {

namespace {

// The pair dimension at which a wavelength makes n_turns full turns over n_ctx_orig.
float yarn_corr_dim(int n_dims, int n_ctx_orig, float n_turns, float base) {
    return float(n_dims) * std::log(float(n_ctx_orig) / (n_turns * 2.0f * float(M_PI))) / (2.0f * std::log(base));
}

}  // namespace

void rope_angles(const rope_params& p, int64_t pos, float* cos_out, float* sin_out) {
    const int half = p.n_rot / 2;
    float lo = 0.0f, hi = 0.0f, mscale = p.attn_factor;
    if (p.ext_factor != 0.0f) {
        lo = std::max(0.0f, std::floor(yarn_corr_dim(p.n_rot, p.n_ctx_orig, p.beta_fast, p.freq_base)));
        hi = std::min(float(p.n_rot - 1), std::ceil(yarn_corr_dim(p.n_rot, p.n_ctx_orig, p.beta_slow, p.freq_base)));
        mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
    }
    const float theta_step = std::pow(p.freq_base, -2.0f / float(p.n_rot));
    float theta_extrap = float(pos);
    for (int i = 0; i < half; ++i) {
        const float theta_interp = p.freq_scale * theta_extrap;
        float theta = theta_interp;
        if (p.ext_factor != 0.0f) {
            const float y = (float(i) - lo) / std::max(0.001f, hi - lo);
            const float ramp = (1.0f - std::min(1.0f, std::max(0.0f, y))) * p.ext_factor;
            theta = theta_interp * (1.0f - ramp) + theta_extrap * ramp;
        }
        cos_out[i] = std::cos(theta) * mscale;
        sin_out[i] = std::sin(theta) * mscale;
        theta_extrap *= theta_step;
    }
}

}  // namespace holo
