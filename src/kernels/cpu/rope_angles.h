// The rotation angles of RoPE for one position, shared by the fast kernel and its
// reference twin so both rotate by the same (float) cos/sin: pair i rotates by
// theta_i = pos * freq_base^(-2i/n_rot), scaled linearly by freq_scale and, with
// YaRN, blended between interpolation and extrapolation per dimension.
#pragma once

#include <cstdint>

#include "kernels/cpu/cpu_ops.h"

namespace holo {

// cos_out[i], sin_out[i] for pair i < n_rot / 2, magnitude-scaled as YaRN asks.
void rope_angles(const rope_params& p, int64_t pos, float* cos_out, float* sin_out);

}  // namespace holo
