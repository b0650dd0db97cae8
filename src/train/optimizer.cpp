#include "train/optimizer.h"

#include <cmath>

namespace holo {

double lr_at(const adamw_options& o, int64_t step) {
    if (o.warmup > 0 && step < o.warmup) return o.lr * double(step + 1) / double(o.warmup);
    const int64_t span = std::max<int64_t>(1, o.total_steps - o.warmup);
    const double p = std::min(1.0, double(step - o.warmup) / double(span));
    return o.lr_min + 0.5 * (o.lr - o.lr_min) * (1.0 + std::cos(M_PI * p));
}

double adamw_step(const adamw_options& o, const param_layout& lay, std::vector<float>& params,
                  std::vector<float>& grads, adamw_state& st) {
    if (st.m.size() != params.size()) {
        st.m.assign(params.size(), 0.0f);
        st.v.assign(params.size(), 0.0f);
    }
    double ss = 0;
    for (float g : grads) ss += double(g) * double(g);
    const double norm = std::sqrt(ss);
    const float clip = (o.clip > 0 && norm > o.clip) ? float(o.clip / norm) : 1.0f;
    const double lr = lr_at(o, st.t);
    st.t += 1;
    const double bc1 = 1.0 - std::pow(o.beta1, double(st.t)), bc2 = 1.0 - std::pow(o.beta2, double(st.t));
    const float b1 = float(o.beta1), b2 = float(o.beta2);
    for (size_t ti = 0; ti < lay.tensors.size(); ++ti) {
        const bool decay = lay.tensors[ti].role() != weight_role::norm;
        const float wd = decay ? float(lr * o.weight_decay) : 0.0f;
        const size_t b = lay.offset[ti], e = b + size_t(lay.tensors[ti].n_elements());
        for (size_t i = b; i < e; ++i) {
            const float g = grads[i] * clip;
            st.m[i] = b1 * st.m[i] + (1 - b1) * g;
            st.v[i] = b2 * st.v[i] + (1 - b2) * g * g;
            const double mh = st.m[i] / bc1, vh = st.v[i] / bc2;
            params[i] -= float(lr * mh / (std::sqrt(vh) + o.eps)) + wd * params[i];
        }
    }
    return norm;
}

}  // namespace holo
