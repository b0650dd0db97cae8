// Holobiont's block formats against llama.cpp's, through the oracle, per type:
//  1. bytes quantized by llama.cpp, dequantized by Holobiont == llama.cpp's values;
//  2. Holobiont's quantizer is as accurate as llama.cpp's (RMSE within 10%);
//  3. bytes quantized by Holobiont, dequantized by llama.cpp == Holobiont's values.
// "Equal" is bit-exact for f16/bf16/q8_0, else max |diff| <= 1e-6 x the block's
// largest |value|. The RmseTable test prints the table of docs/quantization.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "oracle/dequant_compare.h"
#include "oracle/oracle_client.h"
#include "oracle/quant_test_data.h"
#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo::test {
namespace {

const auto* const scratch_cleanup = ::testing::AddGlobalTestEnvironment(new remove_scratch_at_end);

const tensor_type compared_types[] = {
    tensor_type::f16,  tensor_type::bf16, tensor_type::q8_0, tensor_type::q4_0, tensor_type::q4_1, tensor_type::q5_0,
    tensor_type::q5_1, tensor_type::q2_k, tensor_type::q3_k, tensor_type::q4_k, tensor_type::q5_k, tensor_type::q6_k,
};

constexpr double rmse_ratio_limit = 1.10;
// Below this relative RMSE both quantizers are exact up to the f16 rounding of
// their block scales (constant rows, say); a ratio of such errors says nothing
// about quantizer quality, so they are reported but not held to the 10%.
constexpr double negligible_rmse = 1e-4;

// All datasets back to back: every dataset has the same row length.
struct corpus {
    std::vector<quant_dataset> sets;
    std::vector<float> all;  // [n_per_row, total rows]
    int64_t n_per_row = 0;
};

const corpus& test_corpus() {
    static const corpus c = [] {
        corpus c;
        c.sets = quant_datasets();
        c.n_per_row = c.sets.front().n_per_row;
        for (const auto& s : c.sets) c.all.insert(c.all.end(), s.values.begin(), s.values.end());
        return c;
    }();
    return c;
}

struct quantized {
    std::vector<uint8_t> bytes;
    std::vector<float> values;  // dequantized by the same implementation
};

// llama.cpp's quantize + dequantize of the corpus, once per type per process.
const quantized* llama_side(tensor_type t, std::string* err) {
    static std::map<tensor_type, quantized> cache;
    if (auto it = cache.find(t); it != cache.end()) return &it->second;
    const corpus& c = test_corpus();
    auto bytes = oracle_quantize_raw(t, c.all, c.n_per_row, err);
    if (!bytes) return nullptr;
    auto values = oracle_dequant_raw(t, *bytes, int64_t(c.all.size()), err);
    if (!values) return nullptr;
    return &(cache[t] = quantized{std::move(*bytes), std::move(*values)});
}

// Holobiont's reference quantize (row by row) + dequantize of the corpus.
const quantized& holo_side(tensor_type t) {
    static std::map<tensor_type, quantized> cache;
    if (auto it = cache.find(t); it != cache.end()) return it->second;
    const corpus& c = test_corpus();
    const type_traits& tr = traits_of(t);
    const uint64_t row = *row_bytes(t, uint64_t(c.n_per_row));
    const int64_t n_rows = int64_t(c.all.size()) / c.n_per_row;
    quantized q;
    q.bytes.resize(size_t(row) * size_t(n_rows));
    for (int64_t r = 0; r < n_rows; ++r) {
        tr.quantize_row(c.all.data() + r * c.n_per_row, q.bytes.data() + size_t(r) * row, c.n_per_row);
    }
    q.values.resize(c.all.size());
    tr.dequantize_row(q.bytes.data(), q.values.data(), int64_t(c.all.size()));
    return cache[t] = std::move(q);
}

std::vector<float> holo_dequantize(tensor_type t, const std::vector<uint8_t>& bytes, size_t n) {
    std::vector<float> out(n);
    traits_of(t).dequantize_row(bytes.data(), out.data(), int64_t(n));
    return out;
}

// Element i's dataset, for failure messages.
std::string dataset_of(size_t i) {
    const corpus& c = test_corpus();
    return "dataset " + c.sets[i / c.sets.front().values.size()].name;
}

struct rmse_row {
    std::string dataset;
    double llama = 0, holo = 0;
};

std::vector<rmse_row> rmse_rows(tensor_type t, const quantized& llama, const quantized& holo) {
    const corpus& c = test_corpus();
    std::vector<rmse_row> rows;
    size_t off = 0;
    for (const auto& s : c.sets) {
        const size_t n = s.values.size();
        std::vector<float> l(llama.values.begin() + long(off), llama.values.begin() + long(off + n));
        std::vector<float> h(holo.values.begin() + long(off), holo.values.begin() + long(off + n));
        rows.push_back({s.name, relative_rmse(s.values, l), relative_rmse(s.values, h)});
        off += n;
    }
    return rows;
}

class oracle_quant : public ::testing::TestWithParam<tensor_type> {};

// 1. llama.cpp quantizes, Holobiont dequantizes: the values llama.cpp itself gives.
TEST_P(oracle_quant, holo_dequantizes_llama_blocks_exactly) {
    HOLO_REQUIRE_ORACLE();
    const tensor_type t = GetParam();
    std::string err;
    const quantized* llama = llama_side(t, &err);
    ASSERT_NE(llama, nullptr) << err;
    const std::vector<float> ours = holo_dequantize(t, llama->bytes, llama->values.size());
    const std::string diff = compare_dequantized(t, llama->values, ours, dataset_of);
    EXPECT_TRUE(diff.empty()) << type_name(t) << ": Holobiont's dequantize of llama.cpp's blocks: " << diff;
}

// 2. Holobiont's quantizer is no more than 10% worse than llama.cpp's, per dataset.
TEST_P(oracle_quant, holo_quantizer_rmse_within_10_percent_of_llama) {
    HOLO_REQUIRE_ORACLE();
    const tensor_type t = GetParam();
    std::string err;
    const quantized* llama = llama_side(t, &err);
    ASSERT_NE(llama, nullptr) << err;
    const quantized& holo = holo_side(t);
    double sum_holo = 0, sum_llama = 0;
    for (const auto& r : rmse_rows(t, *llama, holo)) {
        sum_holo += r.holo;
        sum_llama += r.llama;
        if (r.holo < negligible_rmse && r.llama < negligible_rmse) continue;
        EXPECT_LE(r.holo, rmse_ratio_limit * r.llama)
            << type_name(t) << " on " << r.dataset << ": Holobiont's relative RMSE " << r.holo << " vs llama.cpp's "
            << r.llama;
    }
    EXPECT_LE(sum_holo, rmse_ratio_limit * sum_llama) << type_name(t) << ": mean relative RMSE over all datasets";
}

// 3. Holobiont quantizes, llama.cpp dequantizes: the values Holobiont itself gives,
// so files Holobiont writes mean the same thing to llama.cpp.
TEST_P(oracle_quant, llama_dequantizes_holo_blocks_exactly) {
    HOLO_REQUIRE_ORACLE();
    const tensor_type t = GetParam();
    const quantized& holo = holo_side(t);
    std::string err;
    auto theirs = oracle_dequant_raw(t, holo.bytes, int64_t(holo.values.size()), &err);
    ASSERT_TRUE(theirs.has_value()) << err;
    const std::string diff = compare_dequantized(t, holo.values, *theirs, dataset_of);
    EXPECT_TRUE(diff.empty()) << type_name(t) << ": llama.cpp's dequantize of Holobiont's blocks: " << diff;
}

INSTANTIATE_TEST_SUITE_P(types, oracle_quant, ::testing::ValuesIn(compared_types),
                         [](const ::testing::TestParamInfo<tensor_type>& info) {
                             return std::string(type_name(info.param));
                         });

// Round-to-nearest formats have one right answer: Holobiont's bytes are llama.cpp's.
TEST(oracle_quant_float, f16_bf16_quantize_to_llama_bytes) {
    HOLO_REQUIRE_ORACLE();
    for (tensor_type t : {tensor_type::f16, tensor_type::bf16}) {
        std::string err;
        const quantized* llama = llama_side(t, &err);
        ASSERT_NE(llama, nullptr) << err;
        const quantized& holo = holo_side(t);
        ASSERT_EQ(holo.bytes.size(), llama->bytes.size());
        size_t n_diff = 0;
        for (size_t i = 0; i < holo.bytes.size(); ++i) n_diff += holo.bytes[i] != llama->bytes[i];
        EXPECT_EQ(n_diff, 0u) << type_name(t) << ": bytes differing from llama.cpp's encoding";
    }
}

// The RMSE table of docs/quantization.md ("Holobiont vs llama.cpp quantizers"),
// printed as markdown. Reproduce with:
//   build-oracle/oracle_quant_test --gtest_filter='*rmse_table*'
TEST(oracle_quant_table, rmse_table) {
    HOLO_REQUIRE_ORACLE();
    std::string table =
        "| type | bits/weight | llama.cpp rel. RMSE, gaussian | Holobiont, gaussian | Holobiont / llama.cpp, "
        "mean over datasets | worst ratio (dataset) | blocks identical to llama.cpp's |\n"
        "|---|---|---|---|---|---|---|\n";
    const corpus& c = test_corpus();
    std::string notes;
    for (tensor_type t : compared_types) {
        std::string err;
        const quantized* llama = llama_side(t, &err);
        ASSERT_NE(llama, nullptr) << err;
        const quantized& holo = holo_side(t);
        const auto rows = rmse_rows(t, *llama, holo);
        double sum = 0, worst = 0;
        int n = 0;
        std::string worst_set = "-";
        for (const auto& r : rows) {
            if (r.llama < negligible_rmse && r.holo < negligible_rmse) continue;  // no meaningful ratio
            const double ratio = r.holo / r.llama;
            sum += ratio;
            ++n;
            if (ratio > worst) worst = ratio, worst_set = r.dataset;
        }
        const type_traits& tr = traits_of(t);
        size_t same = 0, n_blocks = holo.bytes.size() / tr.block_bytes;
        const size_t blocks_per_set = n_blocks / c.sets.size();
        std::map<std::string, size_t> differing;  // by dataset
        for (size_t b = 0; b < n_blocks; ++b) {
            const bool eq = std::memcmp(holo.bytes.data() + b * tr.block_bytes, llama->bytes.data() + b * tr.block_bytes,
                                        tr.block_bytes) == 0;
            same += eq;
            if (!eq) ++differing[c.sets[b / blocks_per_set].name];
        }
        if (!differing.empty()) {
            notes += "- " + std::string(tr.name) + ": blocks differing from llama.cpp's, of " +
                     std::to_string(blocks_per_set) + " per dataset:";
            for (const auto& [set, count] : differing) notes += " " + set + " " + std::to_string(count) + ";";
            notes += "\n";
        }
        char line[384];
        std::snprintf(line, sizeof line, "| %s | %.4g | %.3e | %.3e | %.3f | %.3f (%s) | %.1f%% |\n",
                      std::string(tr.name).c_str(), 8.0 * double(tr.block_bytes) / double(tr.block_size), rows[0].llama,
                      rows[0].holo, n ? sum / n : 1.0, worst, worst_set.c_str(), 100.0 * double(same) / double(n_blocks));
        table += line;
    }
    std::string sets;
    for (const auto& s : c.sets) sets += (sets.empty() ? "" : ", ") + s.name;
    std::printf("\nDatasets (%zu rows of %lld each): %s\n\n%s\n%s\n", c.sets.size() * size_t(c.sets[0].n_rows),
                (long long)c.n_per_row, sets.c_str(), table.c_str(), notes.c_str());
}

}  // namespace
}  // namespace holo::test
