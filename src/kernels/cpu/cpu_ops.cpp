// rms_norm, swiglu and rope: thin loops over the per-ISA primitives of kernel_table.
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/kernel_table.h"
#include "kernels/cpu/rope_angles.h"

namespace holo {

void rms_norm(float* x, const float* weight, int64_t n, int64_t n_tokens, float eps) {
    const kernel_table& kt = active_kernels();
    for (int64_t t = 0; t < n_tokens; ++t) {
        float* xt = x + t * n;
        // Mean in f64, then f32 (llama.cpp's order): dividing a sum already rounded to
        // f32 moved 0.3% of attn_norm values by an ulp, and the next matmul's 8-bit
        // activation rounding can turn an ulp into a whole quantization step.
        const float mean = float(kt.sum_squares(xt, n) / double(n));
        kt.scale_mul(xt, weight, n, 1.0f / std::sqrt(mean + eps));
    }
}

void swiglu(const float* gate, const float* up, float* out, int64_t n) { active_kernels().swiglu(gate, up, out, n); }

void rope(float* x, int head_dim, int n_heads, int64_t pos, const rope_params& p) {
    HOLO_ASSERT(p.n_rot % 2 == 0 && p.n_rot <= head_dim, "rope: n_rot must be even and <= head_dim");
    const int half = p.n_rot / 2;
    // cos/sin once per call, shared by all heads.
    float buf[2 * 256];
    std::vector<float> big;
    float* cs = buf;
    if (half > 256) {
        big.resize(2 * half);
        cs = big.data();
    }
    rope_angles(p, pos, cs, cs + half);
    const float* c = cs;
    const float* s = cs + half;
    for (int h = 0; h < n_heads; ++h) {
        float* xh = x + int64_t(h) * head_dim;
        if (p.neox) {
            for (int i = 0; i < half; ++i) {
                const float a = xh[i], b = xh[i + half];
                xh[i] = a * c[i] - b * s[i];
                xh[i + half] = a * s[i] + b * c[i];
            }
        } else {
            for (int i = 0; i < half; ++i) {
                const float a = xh[2 * i], b = xh[2 * i + 1];
                xh[2 * i] = a * c[i] - b * s[i];
                xh[2 * i + 1] = a * s[i] + b * c[i];
            }
        }
    }
}

}  // namespace holo
