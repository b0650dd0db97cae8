// A GGUF metadata value: scalars, strings and (nested) arrays, as the file stores
// them. Shared by the reader and the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace holo {

enum class gguf_value_type : uint32_t {
    uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5,
    float32 = 6, boolean = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12,
};

const char* gguf_value_type_name(gguf_value_type t);
// True for the 13 type ids the format defines (ids read from files are untrusted).
bool is_valid_value_type(uint32_t raw);

struct gguf_value;

struct gguf_array {
    gguf_value_type element_type;
    std::vector<gguf_value> items;
};

struct gguf_value {
    gguf_value_type type = gguf_value_type::uint32;
    // Integers of every width live in u (unsigned types) or i (signed types);
    // float32/float64 in f; bool in b.
    std::variant<uint64_t, int64_t, double, bool, std::string, std::shared_ptr<gguf_array>> v;

    // Lossless conversions; nullopt when the stored type does not fit the request.
    std::optional<uint64_t> as_uint() const;
    std::optional<int64_t> as_int() const;
    std::optional<double> as_float() const;  // any numeric type
    std::optional<bool> as_bool() const;
    const std::string* as_string() const;
    const gguf_array* as_array() const;

    static gguf_value make_u8(uint8_t x);
    static gguf_value make_i8(int8_t x);
    static gguf_value make_u16(uint16_t x);
    static gguf_value make_i16(int16_t x);
    static gguf_value make_u32(uint32_t x);
    static gguf_value make_i32(int32_t x);
    static gguf_value make_u64(uint64_t x);
    static gguf_value make_i64(int64_t x);
    static gguf_value make_f32(float x);
    static gguf_value make_f64(double x);
    static gguf_value make_bool(bool x);
    static gguf_value make_string(std::string s);
    static gguf_value make_array(gguf_value_type element_type, std::vector<gguf_value> items);
    static gguf_value make_string_array(const std::vector<std::string>& items);
    static gguf_value make_f32_array(const std::vector<float>& items);
    static gguf_value make_i32_array(const std::vector<int32_t>& items);
};

}  // namespace holo
