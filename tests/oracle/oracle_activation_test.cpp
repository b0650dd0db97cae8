// The activation formats a quantized matmul converts its f32 input to (q8_0 for
// q8_0/q4_0/q5_0, q8_1 for q4_1/q5_1, q8_K for the K-quants) must be byte for byte
// llama.cpp's: one rounding the other way changes the integer dot products, and on
// near-tied logits that is enough to move an argmax. Each of our instruction-set
// levels is held to the llama.cpp CPU build of the same level (oracle quantize-act
// --cpu: x64 = no SIMD, haswell = AVX2, best = what this machine runs), on the
// quant corpus plus values that land exactly on rounding ties.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/kernel_table.h"
#include "oracle/oracle_client.h"
#include "oracle/quant_test_data.h"
#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo::test {
namespace {

constexpr int64_t k_row = 1024;

// The corpus, then rows built so x * 127 / amax (and x * -127 / max) falls on .5:
// block max 127 and values +-(k + 0.5), so every element is a tie (q8_0 rounds half
// to even in llama.cpp's SIMD path and away from zero in its reference).
std::vector<float> activation_corpus() {
    std::vector<float> all;
    for (const auto& s : quant_datasets(4, k_row)) all.insert(all.end(), s.values.begin(), s.values.end());
    for (int r = 0; r < 2; ++r) {
        for (int64_t i = 0; i < k_row; ++i) {
            const int64_t j = i % 32;
            // +-(j + 0.5): even and odd integer parts, so half-to-even and
            // half-away-from-zero disagree on every other element.
            float v = j == 0 ? 127.0f : ((j / 2) % 2 ? -1.0f : 1.0f) * (float(j) + 0.5f);
            if (r == 1) v *= -0.25f;  // negative maxima and scaled ties
            all.push_back(v);
        }
    }
    return all;
}

std::vector<uint8_t> holo_convert(cpu_isa isa, tensor_type t, const std::vector<float>& x) {
    const kernel_table& kt = kernels_for(isa);
    convert_fn conv = kt.convert[static_cast<uint32_t>(t)];
    if (!conv) conv = traits_of(t).quantize_row;
    const uint64_t row = *row_bytes(t, uint64_t(k_row));
    const int64_t n_rows = int64_t(x.size()) / k_row;
    std::vector<uint8_t> out(size_t(row) * size_t(n_rows));
    for (int64_t r = 0; r < n_rows; ++r) conv(x.data() + r * k_row, out.data() + size_t(r) * row, k_row);
    return out;
}

struct level {
    cpu_isa isa;
    const char* llama_variant;  // "" = the best llama.cpp CPU build for this machine
};

class activation_vs_llama_cpp : public ::testing::TestWithParam<tensor_type> {};

TEST_P(activation_vs_llama_cpp, bytes_identical_at_every_isa_level) {
    HOLO_REQUIRE_ORACLE();
    const tensor_type t = GetParam();
    const std::vector<float> x = activation_corpus();
    const std::string in = temp_path(std::string("act_in_") + std::string(type_name(t)) + ".f32");
    ASSERT_TRUE(write_bytes(in, x.data(), x.size() * sizeof(float)));
    const level levels[] = {{cpu_isa::scalar, "x64"}, {cpu_isa::avx2, "haswell"}, {cpu_isa::avx512, ""}};
    const uint64_t block = *row_bytes(t, uint64_t(traits_of(t).block_size));
    int compared = 0;
    for (const level& lv : levels) {
        if (lv.isa > best_cpu_isa()) continue;
        const std::string out = temp_path(std::string("act_out_") + std::string(type_name(t)) + "_" + std::string(cpu_isa_name(lv.isa)));
        std::string err;
        const std::string variant = lv.llama_variant[0] ? std::string(" --cpu ") + lv.llama_variant : "";
        ASSERT_TRUE(run_oracle("quantize-act " + std::string(type_name(t)) + " " + shell_quote(in) + " " + shell_quote(out) +
                                   " " + std::to_string(k_row) + variant,
                               &err))
            << err;
        auto want = read_bytes(out);
        ASSERT_TRUE(want);
        const std::vector<uint8_t> got = holo_convert(lv.isa, t, x);
        ASSERT_EQ(want->size(), got.size());
        size_t first = got.size();
        int64_t n_blocks_differ = 0;
        for (size_t b = 0; b < got.size(); b += block) {
            if (std::memcmp(got.data() + b, want->data() + b, block) != 0) {
                if (first == got.size()) first = b;
                ++n_blocks_differ;
            }
        }
        EXPECT_EQ(n_blocks_differ, 0) << type_name(t) << " at " << cpu_isa_name(lv.isa) << " vs llama.cpp "
                                      << (lv.llama_variant[0] ? lv.llama_variant : "best") << ": first differing block "
                                      << first / block << " (of " << got.size() / block << ")";
        ++compared;
    }
    EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(all, activation_vs_llama_cpp,
                         ::testing::Values(tensor_type::q8_0, tensor_type::q8_1, tensor_type::q8_k),
                         [](const auto& info) { return std::string(type_name(info.param)); });

}  // namespace
}  // namespace holo::test
