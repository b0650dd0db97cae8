// A GGUF file written by Holobiont (gguf_writer + reference quantizers) read back by
// llama.cpp's own gguf reader through the oracle: same metadata, same tensor table
// as Holobiont's reader sees, and every tensor dequantizes to Holobiont's values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "oracle/dequant_compare.h"
#include "oracle/oracle_client.h"
#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo::test {
namespace {

const auto* const scratch_cleanup = ::testing::AddGlobalTestEnvironment(new remove_scratch_at_end);

struct test_tensor {
    std::string name;
    tensor_type type;
    std::vector<int64_t> ne;  // innermost first
    std::vector<uint8_t> bytes;
};

// Every compared type, 1-D to 3-D (an expert-stacked shape among them), with
// sizes that make the data section need alignment padding.
std::vector<test_tensor> make_tensors() {
    std::vector<test_tensor> ts = {
        {"t.f32", tensor_type::f32, {7}, {}},
        {"t.f16", tensor_type::f16, {33, 2}, {}},
        {"t.bf16", tensor_type::bf16, {16, 3}, {}},
        {"t.q8_0", tensor_type::q8_0, {64, 2}, {}},
        {"t.q4_0", tensor_type::q4_0, {32, 3}, {}},
        {"t.q4_1", tensor_type::q4_1, {96, 1}, {}},
        {"t.q5_0", tensor_type::q5_0, {32, 5}, {}},
        {"t.q5_1", tensor_type::q5_1, {64, 1}, {}},
        {"blk.0.ffn_down_exps.weight", tensor_type::q2_k, {256, 2, 3}, {}},
        {"t.q3_k", tensor_type::q3_k, {256, 1}, {}},
        {"blk.0.ffn_up_exps.weight", tensor_type::q4_k, {512, 2, 2}, {}},
        {"t.q5_k", tensor_type::q5_k, {256, 3}, {}},
        {"t.q6_k", tensor_type::q6_k, {256, 2}, {}},
    };
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& t : ts) {
        const int64_t n_per_row = t.ne[0];
        int64_t n_rows = 1;
        for (size_t d = 1; d < t.ne.size(); ++d) n_rows *= t.ne[d];
        const uint64_t row = *row_bytes(t.type, uint64_t(n_per_row));
        t.bytes.resize(size_t(row * uint64_t(n_rows)));
        std::vector<float> x(static_cast<size_t>(n_per_row));
        for (int64_t r = 0; r < n_rows; ++r) {
            for (auto& v : x) v = normal(rng) * (1.0f + float(r));
            traits_of(t.type).quantize_row(x.data(), t.bytes.data() + size_t(r) * row, n_per_row);
        }
    }
    return ts;
}

void set_metadata(gguf_writer& w) {
    w.set("general.architecture", gguf_value::make_string("llama"));
    w.set("general.name", gguf_value::make_string("h\xc3\xa9llo \"oracle\"\n"));
    w.set("test.u8", gguf_value::make_u8(200));
    w.set("test.i8", gguf_value::make_i8(-100));
    w.set("test.u16", gguf_value::make_u16(60000));
    w.set("test.i16", gguf_value::make_i16(-30000));
    w.set("test.u32", gguf_value::make_u32(4000000000u));
    w.set("test.i32", gguf_value::make_i32(-2000000000));
    w.set("test.u64", gguf_value::make_u64(uint64_t(1) << 40));
    w.set("test.i64", gguf_value::make_i64(-(int64_t(1) << 40)));
    w.set("test.f32", gguf_value::make_f32(0.1f));
    w.set("test.f64", gguf_value::make_f64(-1.25e300));
    w.set("test.bool", gguf_value::make_bool(true));
    w.set("test.strings", gguf_value::make_string_array({"a", "", "\xe2\x96\x81tok"}));
    w.set("test.f32s", gguf_value::make_f32_array({1.0f, -2.5f}));
    w.set("test.i32s", gguf_value::make_i32_array({}));
    // llama.cpp's reader rejects arrays of arrays, so none here (Holobiont reads them).
}

// llama.cpp's names for metadata value types (gguf_type_name).
std::string llama_type_name(gguf_value_type t) {
    static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64"};
    return names[static_cast<uint32_t>(t)];
}

class oracle_gguf : public ::testing::Test {
protected:
    void SetUp() override {
        HOLO_REQUIRE_ORACLE();
        path_ = temp_path("holo_written.gguf");
        tensors_ = make_tensors();
        gguf_writer w;
        set_metadata(w);
        w.set_alignment(64);
        for (const auto& t : tensors_) ASSERT_TRUE(w.add_tensor(t.name, t.type, t.ne).ok());
        auto r = w.begin(path_);
        ASSERT_TRUE(r.ok()) << r.message();
        for (const auto& t : tensors_) {
            auto rw = w.write_tensor_data(t.bytes);
            ASSERT_TRUE(rw.ok()) << rw.message();
        }
        auto rf = w.finish();
        ASSERT_TRUE(rf.ok()) << rf.message();
    }
    std::string path_;
    std::vector<test_tensor> tensors_;
};

TEST_F(oracle_gguf, llama_reads_the_same_metadata_and_tensor_table) {
    std::string out;
    const std::string cmd = shell_quote(oracle_path()) + " info " + shell_quote(path_);
    ASSERT_EQ(run_command(cmd, &out), 0) << cmd << "\n" << out;
    const auto info = nlohmann::json::parse(out);

    auto file = gguf_file::open(path_);
    ASSERT_TRUE(file.ok()) << file.message();
    EXPECT_EQ(info["version"].get<uint32_t>(), 3u);
    EXPECT_EQ(info["alignment"].get<uint64_t>(), 64u);
    EXPECT_EQ(info["data_offset"].get<uint64_t>(), file->data_offset());

    const auto& kv = info["kv"];
    const auto& ours = file->metadata();
    ASSERT_EQ(kv.size(), ours.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        const gguf_value& v = ours[i].value;
        SCOPED_TRACE(ours[i].key);
        EXPECT_EQ(kv[i]["key"].get<std::string>(), ours[i].key);
        EXPECT_EQ(kv[i]["type"].get<std::string>(), llama_type_name(v.type));
        if (const gguf_array* a = v.as_array()) {
            EXPECT_EQ(kv[i]["element_type"].get<std::string>(), llama_type_name(a->element_type));
            EXPECT_EQ(kv[i]["n"].get<size_t>(), a->items.size());
        } else if (const std::string* s = v.as_string()) {
            EXPECT_EQ(kv[i]["value"].get<std::string>(), *s);
        } else if (auto b = v.as_bool()) {
            EXPECT_EQ(kv[i]["value"].get<bool>(), *b);
        } else if (v.type == gguf_value_type::float32) {  // printed with round-trip precision
            EXPECT_EQ(kv[i]["value"].get<float>(), float(*v.as_float()));
        } else if (v.type == gguf_value_type::float64) {
            EXPECT_EQ(kv[i]["value"].get<double>(), *v.as_float());
        } else if (auto u = v.as_uint()) {
            EXPECT_EQ(kv[i]["value"].get<uint64_t>(), *u);
        } else {
            EXPECT_EQ(kv[i]["value"].get<int64_t>(), *v.as_int());
        }
    }

    const auto& lt = info["tensors"];
    ASSERT_EQ(lt.size(), tensors_.size());
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const test_tensor& want = tensors_[i];
        const gguf_tensor_info* t = file->find_tensor(want.name);
        ASSERT_NE(t, nullptr) << want.name;
        SCOPED_TRACE(want.name);
        EXPECT_EQ(lt[i]["name"].get<std::string>(), want.name);
        EXPECT_EQ(lt[i]["type"].get<std::string>(), std::string(type_name(want.type)));
        std::vector<int64_t> ne = want.ne;  // llama.cpp pads ne with 1s; the oracle trims them
        while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
        EXPECT_EQ(lt[i]["ne"].get<std::vector<int64_t>>(), ne);
        EXPECT_EQ(lt[i]["offset"].get<uint64_t>(), t->offset);
        EXPECT_EQ(lt[i]["size"].get<uint64_t>(), want.bytes.size());
        EXPECT_EQ(t->offset % 64, 0u);
    }
}

TEST_F(oracle_gguf, every_tensor_dequantizes_to_holobionts_values) {
    for (const auto& t : tensors_) {
        SCOPED_TRACE(t.name);
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        std::vector<float> ours(static_cast<size_t>(n));
        traits_of(t.type).dequantize_row(t.bytes.data(), ours.data(), n);
        std::string err;
        auto theirs = oracle_dequant_tensor(path_, t.name, &err);
        ASSERT_TRUE(theirs.has_value()) << err;
        const std::string diff = compare_dequantized(t.type, ours, *theirs);
        EXPECT_TRUE(diff.empty()) << type_name(t.type) << ": " << diff;
    }
}

}  // namespace
}  // namespace holo::test
