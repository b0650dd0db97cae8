// Round trips quantize -> dequantize for every type, each held to a relative RMSE
// budget (RMSE of the error / RMS of the signal) on Gaussian data. Budgets are the
// measured values (docs/quantization.md) plus about 10%: the quantizers are
// deterministic, so a regression in a scale search shows up here. Also: zeros stay
// zero, scale invariance, and blocks with a constant or one-signed content.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "quant_test_helpers.h"
#include "test_util.h"

namespace holo {
namespace {

struct budget {
    tensor_type type;
    double max_rel_rmse;
};

// Measured on 64 Ki N(0, 1) values, seed 1 (the numbers in docs/quantization.md);
// budget = measured * 1.1.
const budget k_budgets[] = {
    {tensor_type::f32, 0.0},        // exact copy
    {tensor_type::f16, 0.000228}, // measured 0.000207
    {tensor_type::bf16, 0.00182}, // measured 0.00166
    {tensor_type::q8_0, 0.00589}, // measured 0.00536
    {tensor_type::q8_1, 0.00589}, // measured 0.00536
    {tensor_type::q8_k, 0.00762}, // measured 0.00693
    {tensor_type::q6_k, 0.0196},  // measured 0.0178
    {tensor_type::q5_1, 0.0416},  // measured 0.0378
    {tensor_type::q5_k, 0.0396},  // measured 0.036
    {tensor_type::q5_0, 0.047},   // measured 0.0427
    {tensor_type::q4_1, 0.0858},  // measured 0.078
    {tensor_type::q4_k, 0.0784},  // measured 0.0712
    {tensor_type::q4_0, 0.0945},  // measured 0.0859
    {tensor_type::q3_k, 0.166},   // measured 0.151
    {tensor_type::q2_k, 0.325},   // measured 0.296
};

double round_trip_rmse(tensor_type t, const std::vector<float>& x) {
    const std::vector<float> y = test::dequantize(t, test::quantize(t, x), x.size());
    return test::relative_rmse(x, y);
}

TEST(quant_roundtrip, relative_rmse_within_budget) {
    const std::vector<float> x = test::gaussian(65536, 1);
    for (const budget& b : k_budgets) {
        const double e = round_trip_rmse(b.type, x);
        std::printf("  %-5s relative RMSE %.6f (budget %.6f)\n", std::string(type_name(b.type)).c_str(), e,
                    b.max_rel_rmse);
        EXPECT_LE(e, b.max_rel_rmse) << type_name(b.type);
    }
}

// Other seeds and a scale far from 1 must stay within the same budgets (the error is
// relative, and the formats are scale-invariant up to f16 range).
TEST(quant_roundtrip, budgets_hold_across_seeds_and_scales) {
    for (uint32_t seed : {2u, 3u}) {
        for (float sigma : {0.02f, 30.0f}) {
            const std::vector<float> x = test::gaussian(16384, seed, sigma);
            for (const budget& b : k_budgets) {
                EXPECT_LE(round_trip_rmse(b.type, x), b.max_rel_rmse * 1.05)
                    << type_name(b.type) << " seed " << seed << " sigma " << sigma;
            }
        }
    }
}

TEST(quant_roundtrip, zeros_stay_zero) {
    const std::vector<float> x(512, 0.0f);
    for (tensor_type t : test::all_types()) {
        const std::vector<float> y = test::dequantize(t, test::quantize(t, x), x.size());
        for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], 0.0f) << type_name(t) << " element " << i;
    }
}

// A block of one sign, or a constant block, is where min handling goes wrong.
TEST(quant_roundtrip, one_signed_and_constant_blocks) {
    std::vector<float> pos = test::gaussian(512, 5);
    for (float& v : pos) v = 3.0f + std::fabs(v);
    std::vector<float> neg = pos;
    for (float& v : neg) v = -v;
    const std::vector<float> constant(512, 0.75f);
    for (const budget& b : k_budgets) {
        // Relative to a signal with a large mean the error budget is looser than on
        // Gaussian data; 1.5x the Gaussian budget still catches a broken min or sign.
        EXPECT_LE(round_trip_rmse(b.type, pos), b.max_rel_rmse * 1.5 + 1e-6) << type_name(b.type) << " positive";
        EXPECT_LE(round_trip_rmse(b.type, neg), b.max_rel_rmse * 1.5 + 1e-6) << type_name(b.type) << " negative";
        EXPECT_LE(round_trip_rmse(b.type, constant), b.max_rel_rmse * 1.5 + 1e-6) << type_name(b.type) << " constant";
    }
}

// One huge outlier per block must not wreck the other blocks of the row.
TEST(quant_roundtrip, outliers_stay_local) {
    std::vector<float> x = test::gaussian(4096, 9);
    std::vector<float> with_outlier = x;
    with_outlier[7] = 1000.0f;  // in the first block of every format
    for (const budget& b : k_budgets) {
        const type_traits& tr = traits_of(b.type);
        const size_t skip = std::max<size_t>(size_t(tr.block_size), 8);  // the outlier's block (element 7)
        const std::vector<float> y = test::dequantize(b.type, test::quantize(b.type, with_outlier), x.size());
        const std::vector<float> rest_x(x.begin() + long(skip), x.end());
        const std::vector<float> rest_y(y.begin() + long(skip), y.end());
        EXPECT_LE(test::relative_rmse(rest_x, rest_y), b.max_rel_rmse * 1.05) << type_name(b.type);
    }
}

}  // namespace
}  // namespace holo
