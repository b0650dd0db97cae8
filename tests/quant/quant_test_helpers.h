// Helpers shared by the tests/quant executables: deterministic test data and
// quantize -> dequantize through the traits table.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "quant/tensor_type.h"

namespace holo::test {

// Gaussian values, mean 0, standard deviation sigma, fixed seed.
inline std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

inline std::vector<uint8_t> quantize(tensor_type t, const std::vector<float>& x) {
    const type_traits& tr = traits_of(t);
    std::vector<uint8_t> q(size_t(int64_t(x.size()) / tr.block_size) * tr.block_bytes);
    tr.quantize_row(x.data(), q.data(), int64_t(x.size()));
    return q;
}

inline std::vector<float> dequantize(tensor_type t, const std::vector<uint8_t>& q, size_t n) {
    std::vector<float> y(n);
    traits_of(t).dequantize_row(q.data(), y.data(), int64_t(n));
    return y;
}

// Every type of the traits table, in ggml's numbering order.
inline const std::vector<tensor_type>& all_types() {
    static const std::vector<tensor_type> types = {
        tensor_type::f32,  tensor_type::f16,  tensor_type::q4_0, tensor_type::q4_1, tensor_type::q5_0,
        tensor_type::q5_1, tensor_type::q8_0, tensor_type::q8_1, tensor_type::q2_k, tensor_type::q3_k,
        tensor_type::q4_k, tensor_type::q5_k, tensor_type::q6_k, tensor_type::q8_k, tensor_type::bf16};
    return types;
}

}  // namespace holo::test
