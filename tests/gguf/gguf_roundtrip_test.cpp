// Writer → reader round trips: every metadata value type (nested arrays too) and
// every tensor type come back exactly as written; writer misuse gives clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "test_util.h"

namespace holo {
namespace {

using vt = gguf_value_type;

// Deep, bit-exact comparison (floats compared by their bits via the stored double).
::testing::AssertionResult same_value(const gguf_value& a, const gguf_value& b, const std::string& where) {
    if (a.type != b.type) {
        return ::testing::AssertionFailure() << where << ": type " << gguf_value_type_name(a.type) << " vs "
                                             << gguf_value_type_name(b.type);
    }
    if (a.v.index() != b.v.index()) return ::testing::AssertionFailure() << where << ": variant differs";
    if (const gguf_array* x = a.as_array()) {
        const gguf_array* y = b.as_array();
        if (x->element_type != y->element_type) return ::testing::AssertionFailure() << where << ": element type";
        if (x->items.size() != y->items.size()) {
            return ::testing::AssertionFailure() << where << ": " << x->items.size() << " vs " << y->items.size()
                                                 << " items";
        }
        for (size_t i = 0; i < x->items.size(); ++i) {
            auto r = same_value(x->items[i], y->items[i], where + "[" + std::to_string(i) + "]");
            if (!r) return r;
        }
        return ::testing::AssertionSuccess();
    }
    if (auto* d = std::get_if<double>(&a.v)) {
        double e = std::get<double>(b.v);
        if (std::memcmp(d, &e, sizeof e) != 0) return ::testing::AssertionFailure() << where << ": " << *d << " vs " << e;
        return ::testing::AssertionSuccess();
    }
    if (a.v != b.v) return ::testing::AssertionFailure() << where << ": value differs";
    return ::testing::AssertionSuccess();
}

std::vector<std::pair<std::string, gguf_value>> every_value_type() {
    std::vector<std::pair<std::string, gguf_value>> kv;
    kv.emplace_back("general.architecture", gguf_value::make_string("llama"));
    kv.emplace_back("t.u8", gguf_value::make_u8(255));
    kv.emplace_back("t.i8", gguf_value::make_i8(-128));
    kv.emplace_back("t.u16", gguf_value::make_u16(65535));
    kv.emplace_back("t.i16", gguf_value::make_i16(-32768));
    kv.emplace_back("t.u32", gguf_value::make_u32(4000000000u));
    kv.emplace_back("t.i32", gguf_value::make_i32(std::numeric_limits<int32_t>::min()));
    kv.emplace_back("t.u64", gguf_value::make_u64(std::numeric_limits<uint64_t>::max()));
    kv.emplace_back("t.i64", gguf_value::make_i64(std::numeric_limits<int64_t>::min()));
    kv.emplace_back("t.f32", gguf_value::make_f32(-1.5e-7f));
    kv.emplace_back("t.f32_inf", gguf_value::make_f32(std::numeric_limits<float>::infinity()));
    kv.emplace_back("t.f64", gguf_value::make_f64(3.141592653589793));
    kv.emplace_back("t.bool_true", gguf_value::make_bool(true));
    kv.emplace_back("t.bool_false", gguf_value::make_bool(false));
    kv.emplace_back("t.string", gguf_value::make_string(std::string("h\xC3\xA9llo\0world", 12)));
    kv.emplace_back("t.empty_string", gguf_value::make_string(""));
    kv.emplace_back("t.strings", gguf_value::make_string_array({"a", "", "<0x0A>", "\xE2\x96\x81the"}));
    kv.emplace_back("t.f32s", gguf_value::make_f32_array({0.f, -0.f, 1.f, -2.5f, 1e30f}));
    kv.emplace_back("t.i32s", gguf_value::make_i32_array({1, -1, 2147483647}));
    kv.emplace_back("t.empty_array", gguf_value::make_array(vt::uint64, {}));
    kv.emplace_back("t.u8s", gguf_value::make_array(vt::uint8, {gguf_value::make_u8(0), gguf_value::make_u8(7)}));
    kv.emplace_back("t.bools", gguf_value::make_array(vt::boolean, {gguf_value::make_bool(true), gguf_value::make_bool(false)}));
    kv.emplace_back("t.f64s", gguf_value::make_array(vt::float64, {gguf_value::make_f64(-1e300)}));
    kv.emplace_back("t.i64s", gguf_value::make_array(vt::int64, {gguf_value::make_i64(-5), gguf_value::make_i64(1LL << 62)}));
    kv.emplace_back("t.i16s", gguf_value::make_array(vt::int16, {gguf_value::make_i16(-3)}));
    kv.emplace_back("t.u16s", gguf_value::make_array(vt::uint16, {gguf_value::make_u16(3)}));
    kv.emplace_back("t.i8s", gguf_value::make_array(vt::int8, {gguf_value::make_i8(-3)}));
    kv.emplace_back("t.u32s", gguf_value::make_array(vt::uint32, {gguf_value::make_u32(3)}));
    kv.emplace_back("t.u64s", gguf_value::make_array(vt::uint64, {gguf_value::make_u64(3)}));
    // Nested: [[strings], [strings]] and [[[u8]]] and an array of empty arrays.
    kv.emplace_back("t.nested", gguf_value::make_array(vt::array, {gguf_value::make_string_array({"x", "y"}),
                                                                    gguf_value::make_string_array({"z"})}));
    kv.emplace_back("t.nested3",
                    gguf_value::make_array(vt::array, {gguf_value::make_array(
                                                          vt::array, {gguf_value::make_array(vt::uint8, {gguf_value::make_u8(9)})})}));
    kv.emplace_back("t.nested_empty", gguf_value::make_array(vt::array, {gguf_value::make_array(vt::float32, {})}));
    return kv;
}

struct tensor_spec {
    std::string name;
    tensor_type type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
};

std::vector<tensor_spec> every_tensor_type(std::mt19937& rng) {
    const tensor_type types[] = {tensor_type::f32,  tensor_type::f16,  tensor_type::bf16, tensor_type::q4_0,
                                 tensor_type::q4_1, tensor_type::q5_0, tensor_type::q5_1, tensor_type::q8_0,
                                 tensor_type::q8_1, tensor_type::q2_k, tensor_type::q3_k, tensor_type::q4_k,
                                 tensor_type::q5_k, tensor_type::q6_k, tensor_type::q8_k};
    std::vector<tensor_spec> out;
    int i = 0;
    for (tensor_type t : types) {
        const type_traits& tr = traits_of(t);
        tensor_spec s;
        s.name = "blk." + std::to_string(i) + "." + std::string(tr.name) + ".weight";
        s.type = t;
        // 1..4 dimensions, rotating, ne[0] a multiple of the block size.
        s.ne = {tr.block_size * (1 + i % 3)};
        for (int d = 1; d <= i % 4; ++d) s.ne.push_back(1 + (i + d) % 3);
        uint64_t n_el = 1;
        for (int64_t d : s.ne) n_el *= d;
        s.data.resize(n_el / tr.block_size * tr.block_bytes);
        for (auto& b : s.data) b = static_cast<uint8_t>(rng());
        out.push_back(std::move(s));
        ++i;
    }
    return out;
}

TEST(gguf_roundtrip, every_value_and_tensor_type_bit_exact) {
    std::mt19937 rng(1234);
    auto kv = every_value_type();
    auto tensors = every_tensor_type(rng);
    const std::string path = test::temp_path("roundtrip.gguf");

    gguf_writer w;
    for (const auto& [k, v] : kv) w.set(k, v);
    w.set_alignment(64);
    for (const auto& t : tensors) ASSERT_TRUE(w.add_tensor(t.name, t.type, t.ne).ok());
    auto r = w.begin(path);
    ASSERT_TRUE(r.ok()) << r.message();
    // Odd-sized pieces exercise the piecewise path.
    for (const auto& t : tensors) {
        size_t at = 0, piece = 7;
        while (at < t.data.size()) {
            size_t n = std::min(piece, t.data.size() - at);
            auto wr = w.write_tensor_data(std::span<const uint8_t>(t.data).subspan(at, n));
            ASSERT_TRUE(wr.ok()) << wr.message();
            at += n;
            piece = piece * 3 + 1;
        }
    }
    auto fr = w.finish();
    ASSERT_TRUE(fr.ok()) << fr.message();

    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok()) << f.message();
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->alignment(), 64u);
    EXPECT_EQ(f->data_offset() % 64, 0u);
    EXPECT_EQ(f->data_offset(), w.data_offset());

    // Metadata: insertion order, alignment key last (set after the others).
    ASSERT_EQ(f->metadata().size(), kv.size() + 1);
    for (size_t i = 0; i < kv.size(); ++i) {
        EXPECT_EQ(f->metadata()[i].key, kv[i].first);
        EXPECT_TRUE(same_value(kv[i].second, f->metadata()[i].value, kv[i].first));
        const gguf_value* found = f->find(kv[i].first);
        ASSERT_NE(found, nullptr) << kv[i].first;
        EXPECT_EQ(found, &f->metadata()[i].value);
    }
    EXPECT_EQ(f->metadata().back().key, "general.alignment");
    EXPECT_EQ(f->find("no.such.key"), nullptr);

    ASSERT_EQ(f->tensors().size(), tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const gguf_tensor_info& t = f->tensors()[i];
        EXPECT_EQ(t.name, tensors[i].name);
        EXPECT_EQ(t.type, tensors[i].type);
        EXPECT_EQ(t.ne, tensors[i].ne);
        EXPECT_EQ(t.n_bytes, tensors[i].data.size());
        EXPECT_EQ(t.offset % 64, 0u);
        EXPECT_EQ(t.offset, w.tensor_offset(i));
        EXPECT_EQ(f->find_tensor(t.name), &t);
        auto d = f->tensor_data(t);
        ASSERT_EQ(d.size(), tensors[i].data.size());
        EXPECT_EQ(std::memcmp(d.data(), tensors[i].data.data(), d.size()), 0) << t.name;
    }
    EXPECT_EQ(f->find_tensor("missing"), nullptr);
    // Every tensor is padded, the last too, as llama.cpp writes files.
    EXPECT_EQ(f->file_size() % 64, 0u);
}

TEST(gguf_roundtrip, typed_getters_reject_wrong_types) {
    const std::string path = test::temp_path("getters.gguf");
    gguf_writer w;
    w.set("a.u32", gguf_value::make_u32(7));
    w.set("a.i32_neg", gguf_value::make_i32(-7));
    w.set("a.f32", gguf_value::make_f32(0.5f));
    w.set("a.bool", gguf_value::make_bool(true));
    w.set("a.str", gguf_value::make_string("s"));
    w.set("a.u32", gguf_value::make_u32(8));  // replaces, keeps its place
    ASSERT_TRUE(w.begin(path).ok());
    ASSERT_TRUE(w.finish().ok());
    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok()) << f.message();
    ASSERT_EQ(f->metadata().size(), 5u);
    EXPECT_EQ(f->metadata()[0].key, "a.u32");

    auto u = f->get_uint("a.u32");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u.value(), std::optional<uint64_t>(8));
    EXPECT_FALSE(f->get_uint("absent").value().has_value());
    auto bad = f->get_uint("a.str");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.message().rfind(path + ": key 'a.str' has type string", 0), 0u) << bad.message();
    EXPECT_FALSE(f->get_uint("a.i32_neg").ok());
    EXPECT_FALSE(f->get_uint("a.f32").ok());
    EXPECT_EQ(f->get_float("a.f32").value(), std::optional<double>(0.5));
    EXPECT_EQ(f->get_float("a.u32").value(), std::optional<double>(8.0));  // integers are numbers
    EXPECT_FALSE(f->get_float("a.bool").ok());
    EXPECT_EQ(f->get_bool("a.bool").value(), std::optional<bool>(true));
    EXPECT_FALSE(f->get_bool("a.u32").ok());
    EXPECT_EQ(f->get_string("a.str").value(), std::optional<std::string>("s"));
    EXPECT_FALSE(f->get_string("a.bool").ok());
}

TEST(gguf_roundtrip, empty_file_has_no_tensors) {
    const std::string path = test::temp_path("empty.gguf");
    gguf_writer w;
    ASSERT_TRUE(w.begin(path).ok());
    ASSERT_TRUE(w.finish().ok());
    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok()) << f.message();
    EXPECT_TRUE(f->metadata().empty());
    EXPECT_TRUE(f->tensors().empty());
    EXPECT_EQ(f->alignment(), 32u);
}

TEST(gguf_writer, misuse_gives_clear_errors) {
    gguf_writer w;
    EXPECT_FALSE(w.add_tensor("bad_block", tensor_type::q4_k, {100}).ok());
    EXPECT_FALSE(w.add_tensor("zero", tensor_type::f32, {4, 0}).ok());
    EXPECT_FALSE(w.add_tensor("neg", tensor_type::f32, {-4}).ok());
    EXPECT_FALSE(w.add_tensor("five_dims", tensor_type::f32, {1, 1, 1, 1, 1}).ok());
    EXPECT_FALSE(w.add_tensor("no_dims", tensor_type::f32, {}).ok());
    EXPECT_FALSE(w.add_tensor("huge", tensor_type::f32, {1LL << 40, 1LL << 40}).ok());
    EXPECT_FALSE(w.add_tensor(std::string(64, 'n'), tensor_type::f32, {4}).ok());
    ASSERT_TRUE(w.add_tensor("a", tensor_type::f32, {4}).ok());
    EXPECT_FALSE(w.add_tensor("a", tensor_type::f32, {4}).ok());
    ASSERT_TRUE(w.add_tensor("b", tensor_type::q8_0, {32, 2}).ok());

    const std::string path = test::temp_path("misuse.gguf");
    ASSERT_TRUE(w.begin(path).ok());
    std::vector<uint8_t> too_many(17);
    auto r = w.write_tensor_data(too_many);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("tensor 'a'"), std::string::npos) << r.message();
    ASSERT_TRUE(w.write_tensor_data(std::span<const uint8_t>(too_many).first(16)).ok());
    ASSERT_TRUE(w.write_tensor_data(std::span<const uint8_t>(too_many).first(10)).ok());
    auto fin = w.finish();
    ASSERT_FALSE(fin.ok());
    EXPECT_EQ(fin.message(), path + ": tensor 'b' got 10 of its 68 bytes (file removed)");
    EXPECT_FALSE(std::ifstream(path).good()) << "an incomplete file was left behind";

    gguf_writer bad_type;
    bad_type.set("x", gguf_value{gguf_value_type::uint8, uint64_t(300)});
    auto br = bad_type.begin(test::temp_path("badtype.gguf"));
    ASSERT_FALSE(br.ok());
    EXPECT_NE(br.message().find("key 'x'"), std::string::npos) << br.message();

    gguf_writer mixed;
    mixed.set("m", gguf_value::make_array(vt::uint32, {gguf_value::make_u32(1), gguf_value::make_string("no")}));
    EXPECT_FALSE(mixed.begin(test::temp_path("mixed.gguf")).ok());

    gguf_writer bad_align;
    bad_align.set_alignment(48);
    EXPECT_FALSE(bad_align.begin(test::temp_path("align.gguf")).ok());
}

TEST(gguf_writer, abandoned_write_leaves_no_file) {
    const std::string path = test::temp_path("abandoned.gguf");
    {
        gguf_writer w;
        ASSERT_TRUE(w.add_tensor("t", tensor_type::f32, {8}).ok());
        ASSERT_TRUE(w.begin(path).ok());
        std::vector<uint8_t> half(16);
        ASSERT_TRUE(w.write_tensor_data(half).ok());
    }
    EXPECT_FALSE(std::ifstream(path).good());
}

TEST(gguf_writer, unwritable_path_is_named) {
    gguf_writer w;
    const std::string path = "/nonexistent-dir-holo/x.gguf";
    auto r = w.begin(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.message().rfind(path + ": cannot open for writing", 0), 0u) << r.message();
}

TEST(gguf_writer, full_disk_is_reported) {
    // /dev/full accepts the open and fails every write with ENOSPC.
    if (!std::ifstream("/dev/full")) GTEST_SKIP() << "/dev/full not available";
    gguf_writer w;
    std::vector<uint8_t> data(1 << 20);
    ASSERT_TRUE(w.add_tensor("t", tensor_type::f32, {int64_t(data.size() / 4)}).ok());
    auto r = w.begin("/dev/full");
    if (r.ok()) r = w.write_tensor_data(data);
    if (r.ok()) r = w.finish();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.message().rfind("/dev/full: ", 0), 0u) << r.message();
}

TEST(gguf_file, open_errors_name_the_file) {
    auto missing = gguf_file::open("/nonexistent-holo.gguf");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.message().rfind("/nonexistent-holo.gguf: cannot open", 0), 0u) << missing.message();
    auto dir = gguf_file::open("/tmp");
    ASSERT_FALSE(dir.ok());
    EXPECT_EQ(dir.message(), "/tmp: not a regular file");
}

TEST(gguf_file, lock_in_memory_succeeds_or_explains) {
    const std::string path = test::temp_path("lock.gguf");
    gguf_writer w;
    ASSERT_TRUE(w.add_tensor("t", tensor_type::f32, {1024}).ok());
    ASSERT_TRUE(w.begin(path).ok());
    std::vector<uint8_t> data(4096, 1);
    ASSERT_TRUE(w.write_tensor_data(data).ok());
    ASSERT_TRUE(w.finish().ok());
    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok()) << f.message();
    auto r = f->lock_in_memory();
    if (!r.ok()) {
        EXPECT_EQ(r.message().rfind(path + ": cannot lock", 0), 0u) << r.message();
        EXPECT_NE(r.message().find("RLIMIT_MEMLOCK"), std::string::npos) << r.message();
    }
    f->prefetch(f->tensors()[0]);

    // A parsed buffer has no map to lock.
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto p = gguf_file::parse(bytes, "buffer");
    ASSERT_TRUE(p.ok()) << p.message();
    EXPECT_FALSE(p->lock_in_memory().ok());
}

}  // namespace
}  // namespace holo
