// Generator of the malformed-GGUF corpus (tests/data/malformed/) and of the valid
// fuzzing seeds (tests/gguf/seeds/). Files are built byte by byte, not with
// gguf_writer, so each one breaks exactly one rule and the corpus does not move
// when the writer changes. gguf_malformed_test checks the committed files equal
// what this produces (HOLO_WRITE_CORPUS=1 rewrites them).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace holo::test {

// Little-endian byte sink.
struct gguf_bytes {
    std::string b;
    template <class T>
    gguf_bytes& put(T x) {
        char c[sizeof(T)];
        std::memcpy(c, &x, sizeof(T));
        b.append(c, sizeof(T));
        return *this;
    }
    gguf_bytes& u8(uint8_t x) { return put(x); }
    gguf_bytes& u32(uint32_t x) { return put(x); }
    gguf_bytes& u64(uint64_t x) { return put(x); }
    gguf_bytes& i64(int64_t x) { return put(x); }
    gguf_bytes& str(const std::string& s) { u64(s.size()); b += s; return *this; }
    gguf_bytes& raw(const std::string& s) { b += s; return *this; }
};

enum : uint32_t { t_u8 = 0, t_i8, t_u16, t_i16, t_u32, t_i32, t_f32, t_bool, t_string, t_array, t_u64, t_i64, t_f64 };
enum : uint32_t { ty_f32 = 0, ty_f16 = 1, ty_q4_0 = 2, ty_q8_0 = 8, ty_q4_k = 12 };

struct raw_tensor {
    std::string name;
    std::vector<int64_t> ne;
    uint32_t type = ty_f32;
    uint64_t offset = 0;
    uint64_t n_dims_override = UINT64_MAX;  // write this n_dims instead of ne.size()
};

// A GGUF file described field by field; build() lays it out as the spec says.
struct raw_gguf {
    uint32_t magic = 0x46554747;
    uint32_t version = 3;
    uint64_t n_tensors_override = UINT64_MAX;
    uint64_t n_kv_override = UINT64_MAX;
    std::vector<std::string> kvs;  // each: key + type + value, already encoded
    std::vector<raw_tensor> tensors;
    uint64_t alignment = 32;       // used to place the data section
    uint64_t data_bytes = 0;       // bytes of (patterned) tensor data after the padding
    bool pad_data_section = true;

    static std::string kv(const std::string& key, uint32_t type, const std::string& value) {
        gguf_bytes g;
        g.str(key).u32(type).raw(value);
        return g.b;
    }
    static std::string kv_u32(const std::string& key, uint32_t v) { return kv(key, t_u32, gguf_bytes().u32(v).b); }
    static std::string kv_str(const std::string& key, const std::string& v) { return kv(key, t_string, gguf_bytes().str(v).b); }

    std::string build() const {
        gguf_bytes g;
        g.u32(magic).u32(version);
        g.u64(n_tensors_override != UINT64_MAX ? n_tensors_override : tensors.size());
        g.u64(n_kv_override != UINT64_MAX ? n_kv_override : kvs.size());
        for (const auto& k : kvs) g.raw(k);
        for (const auto& t : tensors) {
            g.str(t.name);
            g.u32(static_cast<uint32_t>(t.n_dims_override != UINT64_MAX ? t.n_dims_override : t.ne.size()));
            for (int64_t d : t.ne) g.i64(d);
            g.u32(t.type).u64(t.offset);
        }
        if (pad_data_section) {
            while (g.b.size() % alignment) g.b.push_back('\0');
        }
        for (uint64_t i = 0; i < data_bytes; ++i) g.b.push_back(static_cast<char>(i * 7 + 1));
        return g.b;
    }
};

// A small valid model-like file: metadata of several types, an array, three
// tensors of different types.
inline raw_gguf valid_base() {
    raw_gguf f;
    f.kvs.push_back(raw_gguf::kv_str("general.architecture", "llama"));
    f.kvs.push_back(raw_gguf::kv_u32("llama.block_count", 1));
    {
        gguf_bytes arr;
        arr.u32(t_string).u64(3).str("a").str("b").str("<0x0A>");
        f.kvs.push_back(raw_gguf::kv("tokenizer.ggml.tokens", t_array, arr.b));
    }
    f.kvs.push_back(raw_gguf::kv("llama.rope.freq_base", t_f32, gguf_bytes().put(10000.0f).b));
    f.tensors.push_back({"token_embd.weight", {32, 3}, ty_q8_0, 0});      // 3 rows * 34 = 102 bytes
    f.tensors.push_back({"blk.0.attn_norm.weight", {32}, ty_f32, 128});   // 128 bytes
    f.tensors.push_back({"output.weight", {256, 1}, ty_q4_k, 256});       // 144 bytes
    f.data_bytes = 256 + 144;
    return f;
}

struct corpus_case {
    std::string file;       // name under tests/data/malformed/
    std::string bytes;
    std::string expected;   // substring the error must contain
};

inline std::vector<corpus_case> malformed_corpus() {
    std::vector<corpus_case> out;
    auto add = [&](const std::string& name, const std::string& bytes, const std::string& expected) {
        out.push_back({name + ".gguf", bytes, expected});
    };
    const std::string base = valid_base().build();
    const uint64_t big = uint64_t(1) << 60;

    // Header.
    add("empty", "", "too short for the magic");
    add("magic_only_3_bytes", "GGU", "too short for the magic");
    { auto f = valid_base(); f.magic = 0x58554747; add("bad_magic", f.build(), "not a GGUF file (magic 'GGUX', expected 'GGUF')"); }
    { auto f = valid_base(); f.version = 1; add("version_1", f.build(), "GGUF version 1 is not supported"); }
    { auto f = valid_base(); f.version = 0; add("version_0", f.build(), "unsupported GGUF version 0"); }
    { auto f = valid_base(); f.version = 99; add("version_99", f.build(), "unsupported GGUF version 99 (supported: 2 and 3)"); }
    { auto f = valid_base(); f.version = 0x03000000; add("version_big_endian", f.build(), "looks like a big-endian file"); }
    { auto f = valid_base(); f.n_tensors_override = big; add("huge_tensor_count", f.build(), "tensor count 1152921504606846976 is impossible"); }
    { auto f = valid_base(); f.n_kv_override = big; add("huge_kv_count", f.build(), "key/value count 1152921504606846976 is impossible"); }
    {
        auto f = valid_base();
        f.n_kv_override = 5;  // 4 present, and nothing after them
        f.tensors.clear();
        f.data_bytes = 0;
        f.pad_data_section = false;
        std::string b = f.build();
        add("kv_count_too_large", b, "truncated: key 4 length at byte " + std::to_string(b.size()));
    }

    // Metadata.
    {
        auto f = valid_base();
        f.kvs.insert(f.kvs.begin(), gguf_bytes().u64(big).raw("general.name").b);
        add("huge_key_length", f.build(), "key 0: string length 1152921504606846976 at byte 24 exceeds");
    }
    {
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("general.name", t_string, gguf_bytes().u64(big).raw("x").b));
        add("huge_string_length", f.build(), "key 'general.name': string length 1152921504606846976");
    }
    {
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("tokenizer.ggml.scores", t_array, gguf_bytes().u32(t_f32).u64(big).b));
        add("huge_array_count", f.build(), "key 'tokenizer.ggml.scores': array of 1152921504606846976 f32 elements");
    }
    {
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("tokenizer.ggml.merges", t_array, gguf_bytes().u32(t_string).u64(UINT64_MAX).b));
        add("huge_string_array_count", f.build(), "array of 18446744073709551615 string elements");
    }
    {
        // Each element would need 12 bytes; 100 are declared but 60 bytes follow.
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("x.nested", t_array, gguf_bytes().u32(t_array).u64(1000000).b));
        f.tensors.clear();
        f.data_bytes = 0;
        add("huge_nested_array_count", f.build(), "array of 1000000 array elements");
    }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv("x.bad", 13, gguf_bytes().u32(0).b)); add("invalid_value_type_13", f.build(), "key 'x.bad': invalid value type 13"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv("x.bad", 0xFFFFFFFF, "")); add("invalid_value_type_max", f.build(), "invalid value type 4294967295"); }
    {
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("x.arr", t_array, gguf_bytes().u32(99).u64(1).u32(0).b));
        add("invalid_array_element_type", f.build(), "key 'x.arr': array has invalid element type 99");
    }
    {
        // 1000 arrays, each holding one array: a recursion bomb for naive parsers.
        gguf_bytes v;
        for (int i = 0; i < 1000; ++i) v.u32(t_array).u64(1);
        v.u32(t_u8).u64(1).u8(0);
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("x.deep", t_array, v.b.substr(0, v.b.size())));
        add("nested_array_depth_bomb", f.build(), "key 'x.deep': arrays nested deeper than 8");
    }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv_str("general.architecture", "qwen3moe")); add("duplicate_key", f.build(), "duplicate key 'general.architecture'"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv_u32("general.alignment", 0)); add("alignment_0", f.build(), "general.alignment is 0, must be a nonzero power of two"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv_u32("general.alignment", 3)); add("alignment_3", f.build(), "general.alignment is 3, must be a nonzero power of two"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv_u32("general.alignment", 0x80000000u)); add("alignment_huge", f.build(), "general.alignment is 2147483648, larger than the 1048576"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv("general.alignment", t_u64, gguf_bytes().u64(32).b)); add("alignment_u64", f.build(), "general.alignment has type u64, must be u32"); }
    { auto f = valid_base(); f.kvs.push_back(raw_gguf::kv_str("general.alignment", "32")); add("alignment_string", f.build(), "general.alignment has type string, must be u32"); }
    {
        auto f = valid_base();
        f.kvs.push_back(raw_gguf::kv("general.alignment", t_i32, gguf_bytes().put<int32_t>(-32).b));
        add("alignment_negative_i32", f.build(), "general.alignment has type i32, must be u32");
    }

    // Tensor infos.
    { auto f = valid_base(); f.tensors[0].name = std::string(); f.tensors[0].n_dims_override = 0; f.tensors[0].ne.clear(); add("n_dims_0", f.build(), "tensor '': n_dims is 0, must be 1..4"); }
    { auto f = valid_base(); f.tensors[1].ne = {32, 1, 1, 1, 1}; add("n_dims_5", f.build(), "tensor 'blk.0.attn_norm.weight': n_dims is 5, must be 1..4"); }
    { auto f = valid_base(); f.tensors[1].n_dims_override = 0xFFFFFFFF; add("n_dims_huge", f.build(), "n_dims is 4294967295"); }
    { auto f = valid_base(); f.tensors[0].ne = {32, 0}; add("ne_zero", f.build(), "tensor 'token_embd.weight': ne[1] is 0, dimensions must be >= 1"); }
    { auto f = valid_base(); f.tensors[1].ne = {-32}; add("ne_negative", f.build(), "tensor 'blk.0.attn_norm.weight': ne[0] is -32, dimensions must be >= 1"); }
    { auto f = valid_base(); f.tensors[1].ne = {INT64_MIN}; add("ne_int64_min", f.build(), "ne[0] is -9223372036854775808"); }
    {
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 32, int64_t(1) << 31};  // 2^63: fits u64, not i64
        add("ne_product_overflows_int64", f.build(), "element count of shape [4294967296, 2147483648] overflows");
    }
    {
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 32, int64_t(1) << 32, int64_t(1) << 32};
        add("ne_product_overflows_uint64", f.build(), "element count of shape [4294967296, 4294967296, 4294967296] overflows");
    }
    {
        // The element count fits int64 but the f32 row is 2^64 bytes.
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 62};
        add("row_size_overflows", f.build(), "tensor 'blk.0.attn_norm.weight': byte size of shape [4611686018427387904] overflows");
    }
    {
        // Rows of 2^33 bytes, 2^31 of them: the total is 2^64.
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 31, int64_t(1) << 31};
        add("total_size_overflows", f.build(), "byte size of shape [2147483648, 2147483648] overflows");
    }
    {
        // Sizes fit in 64 bits but not in the file.
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 40};
        std::string b = f.build();
        uint64_t data_start = b.size() - f.data_bytes;
        add("size_larger_than_file", b, "tensor 'blk.0.attn_norm.weight': data ends at byte " +
                                            std::to_string(data_start + 128 + (uint64_t(1) << 42)) + ", file has " +
                                            std::to_string(b.size()));
    }
    {
        // ne fits, the product wraps to a small size: must not look valid.
        auto f = valid_base();
        f.tensors[1].ne = {int64_t(1) << 62, 4};
        add("ne_product_wraps_to_zero", f.build(), "element count of shape [4611686018427387904, 4] overflows");
    }
    { auto f = valid_base(); f.tensors[2].ne = {100, 1}; add("ne0_not_block_multiple", f.build(), "tensor 'output.weight': ne[0] = 100 is not a multiple of q4_K's block size 256"); }
    { auto f = valid_base(); f.tensors[0].type = 99; add("bad_type_id", f.build(), "tensor 'token_embd.weight': unsupported tensor type id 99"); }
    { auto f = valid_base(); f.tensors[0].type = 4; add("removed_type_id_4", f.build(), "unsupported tensor type id 4"); }
    { auto f = valid_base(); f.tensors[0].type = 0xFFFFFFFF; add("type_id_max", f.build(), "unsupported tensor type id 4294967295"); }
    { auto f = valid_base(); f.tensors[1].offset = 130; add("offset_misaligned", f.build(), "tensor 'blk.0.attn_norm.weight': offset 130 is not a multiple of the alignment 32"); }
    {
        auto f = valid_base();
        f.tensors[2].offset = uint64_t(1) << 40;
        add("offset_past_end", f.build(), "tensor 'output.weight': data starts at offset 1099511627776 of the data section, past the end");
    }
    {
        auto f = valid_base();
        f.tensors[2].offset = UINT64_MAX - 31;  // aligned; data_offset + offset wraps
        add("offset_wraps", f.build(), "tensor 'output.weight': data starts at offset 18446744073709551584");
    }
    {
        // The message the issue asks for, with exact numbers.
        auto f = valid_base();
        f.tensors[2].name = "blk.3.ffn_up_exps.weight";
        f.data_bytes = 256 + 100;
        std::string b = f.build();
        uint64_t data_start = b.size() - f.data_bytes;
        add("data_past_end", b, "tensor 'blk.3.ffn_up_exps.weight': data ends at byte " +
                                    std::to_string(data_start + 256 + 144) + ", file has " + std::to_string(b.size()));
    }
    {
        auto f = valid_base();
        f.tensors[1].offset = 96;  // token_embd is 102 bytes at 0
        add("overlapping_tensors", f.build(), "tensors 'token_embd.weight' and 'blk.0.attn_norm.weight' overlap");
    }
    {
        auto f = valid_base();
        f.tensors[2].offset = 0;  // same start as token_embd
        add("same_offset_tensors", f.build(), "overlap");
    }
    { auto f = valid_base(); f.tensors[2].name = "token_embd.weight"; add("duplicate_tensor_name", f.build(), "duplicate tensor name 'token_embd.weight'"); }
    {
        auto f = valid_base();
        f.n_tensors_override = 4;  // 3 present, file ends after them
        f.data_bytes = 0;
        f.pad_data_section = false;
        std::string b = f.build();
        add("tensor_count_too_large", b, "truncated: tensor 3 name length at byte " + std::to_string(b.size()));
    }
    {
        // Header says tensors follow, file ends right after the tensor table.
        auto f = valid_base();
        f.pad_data_section = false;
        f.data_bytes = 0;
        add("no_data_section", f.build(), "truncated: data section starts at byte");
    }

    // Truncations of the valid file inside each structure.
    auto cut = [&](const std::string& name, size_t at, const std::string& expected) { add(name, base.substr(0, at), expected); };
    cut("truncated_in_version", 6, "truncated: version at byte 4 needs 4 bytes, file has 6");
    cut("truncated_in_tensor_count", 12, "truncated: tensor count at byte 8");
    cut("truncated_in_kv_count", 20, "truncated: key/value count at byte 16");
    // 4 key/values need at least 52 bytes: the count is refused before any key.
    cut("truncated_in_first_key", 40, "key/value count 4 is impossible");
    {
        size_t k = base.find("llama.rope.freq_base");
        cut("truncated_in_key", k + 5, "key 3: string length 20 at byte " + std::to_string(k - 8) + " exceeds the 5 bytes left");
        cut("truncated_in_value_type", k + 20 + 2, "truncated: value type at byte " + std::to_string(k + 20));
        cut("truncated_in_f32_value", k + 24 + 2, "truncated: metadata value at byte " + std::to_string(k + 24) + " needs 4 bytes");
    }
    {
        size_t arr = base.find("tokenizer.ggml.tokens") + 21 + 4;  // after the key and value type
        cut("truncated_in_array_type", arr + 1, "truncated: array element type at byte " + std::to_string(arr));
        cut("truncated_in_array_count", arr + 4 + 3, "truncated: array count at byte " + std::to_string(arr + 4));
        // Items "a", "b" (9 bytes each), then "<0x0A>" whose length is read but 4 of its bytes are missing.
        cut("truncated_in_array_item", arr + 12 + 9 + 9 + 8 + 2,
            "key 'tokenizer.ggml.tokens': string length 6 at byte " + std::to_string(arr + 30) + " exceeds the 2 bytes left");
    }
    {
        size_t t = base.find("output.weight");
        cut("truncated_in_tensor_name", t + 5, "tensor 2 name: string length 13");
        cut("truncated_in_tensor_dims", t + 13 + 4 + 8 + 3, "truncated: tensor dimension at byte");
        cut("truncated_in_tensor_offset", t + 13 + 4 + 16 + 4 + 2, "truncated: tensor offset at byte");
    }
    cut("truncated_in_tensor_data", base.size() - 1,
        "tensor 'output.weight': data ends at byte " + std::to_string(base.size()) + ", file has " +
            std::to_string(base.size() - 1));
    return out;
}

// Valid files the fuzzer starts from (mutations of real structure reach deeper).
inline std::vector<corpus_case> fuzz_seeds() {
    std::vector<corpus_case> out;
    out.push_back({"valid_base.gguf", valid_base().build(), ""});
    {
        raw_gguf f;
        f.version = 2;
        gguf_bytes nested;
        nested.u32(t_array).u64(2);
        nested.u32(t_i32).u64(2).put<int32_t>(-1).put<int32_t>(7);
        nested.u32(t_string).u64(1).str("x");
        f.kvs.push_back(raw_gguf::kv("x.nested", t_array, nested.b));
        f.kvs.push_back(raw_gguf::kv("x.b", t_bool, "\x01"));
        f.kvs.push_back(raw_gguf::kv("x.f64", t_f64, gguf_bytes().put(2.5).b));
        f.kvs.push_back(raw_gguf::kv_u32("general.alignment", 64));
        f.alignment = 64;
        f.tensors.push_back({"a", {2, 2, 2, 2}, ty_f16, 0});
        f.tensors.push_back({"b", {32}, ty_q4_0, 64});
        f.data_bytes = 64 + 18;
        out.push_back({"valid_v2_nested.gguf", f.build(), ""});
    }
    return out;
}

}  // namespace holo::test
