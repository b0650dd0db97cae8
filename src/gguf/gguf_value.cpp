#include "gguf/gguf_value.h"

#include <limits>

namespace holo {

const char* gguf_value_type_name(gguf_value_type t) {
    switch (t) {
        case gguf_value_type::uint8: return "u8";
        case gguf_value_type::int8: return "i8";
        case gguf_value_type::uint16: return "u16";
        case gguf_value_type::int16: return "i16";
        case gguf_value_type::uint32: return "u32";
        case gguf_value_type::int32: return "i32";
        case gguf_value_type::float32: return "f32";
        case gguf_value_type::boolean: return "bool";
        case gguf_value_type::string: return "string";
        case gguf_value_type::array: return "array";
        case gguf_value_type::uint64: return "u64";
        case gguf_value_type::int64: return "i64";
        case gguf_value_type::float64: return "f64";
    }
    return "invalid";
}

bool is_valid_value_type(uint32_t raw) { return raw <= static_cast<uint32_t>(gguf_value_type::float64); }

std::optional<uint64_t> gguf_value::as_uint() const {
    if (auto* u = std::get_if<uint64_t>(&v)) return *u;
    if (auto* i = std::get_if<int64_t>(&v)) {
        if (*i >= 0) return static_cast<uint64_t>(*i);
    }
    return std::nullopt;
}

std::optional<int64_t> gguf_value::as_int() const {
    if (auto* i = std::get_if<int64_t>(&v)) return *i;
    if (auto* u = std::get_if<uint64_t>(&v)) {
        if (*u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(*u);
    }
    return std::nullopt;
}

std::optional<double> gguf_value::as_float() const {
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* u = std::get_if<uint64_t>(&v)) return static_cast<double>(*u);
    if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    return std::nullopt;
}

std::optional<bool> gguf_value::as_bool() const {
    if (auto* b = std::get_if<bool>(&v)) return *b;
    return std::nullopt;
}

const std::string* gguf_value::as_string() const { return std::get_if<std::string>(&v); }

const gguf_array* gguf_value::as_array() const {
    auto* a = std::get_if<std::shared_ptr<gguf_array>>(&v);
    return a ? a->get() : nullptr;
}

namespace {
gguf_value make(gguf_value_type t, uint64_t x) { return gguf_value{t, x}; }
gguf_value make_signed(gguf_value_type t, int64_t x) { return gguf_value{t, x}; }
}  // namespace

gguf_value gguf_value::make_u8(uint8_t x) { return make(gguf_value_type::uint8, x); }
gguf_value gguf_value::make_i8(int8_t x) { return make_signed(gguf_value_type::int8, x); }
gguf_value gguf_value::make_u16(uint16_t x) { return make(gguf_value_type::uint16, x); }
gguf_value gguf_value::make_i16(int16_t x) { return make_signed(gguf_value_type::int16, x); }
gguf_value gguf_value::make_u32(uint32_t x) { return make(gguf_value_type::uint32, x); }
gguf_value gguf_value::make_i32(int32_t x) { return make_signed(gguf_value_type::int32, x); }
gguf_value gguf_value::make_u64(uint64_t x) { return make(gguf_value_type::uint64, x); }
gguf_value gguf_value::make_i64(int64_t x) { return make_signed(gguf_value_type::int64, x); }
gguf_value gguf_value::make_f32(float x) { return gguf_value{gguf_value_type::float32, static_cast<double>(x)}; }
gguf_value gguf_value::make_f64(double x) { return gguf_value{gguf_value_type::float64, x}; }
gguf_value gguf_value::make_bool(bool x) { return gguf_value{gguf_value_type::boolean, x}; }
gguf_value gguf_value::make_string(std::string s) { return gguf_value{gguf_value_type::string, std::move(s)}; }

gguf_value gguf_value::make_array(gguf_value_type element_type, std::vector<gguf_value> items) {
    auto a = std::make_shared<gguf_array>();
    a->element_type = element_type;
    a->items = std::move(items);
    return gguf_value{gguf_value_type::array, std::move(a)};
}

gguf_value gguf_value::make_string_array(const std::vector<std::string>& items) {
    std::vector<gguf_value> v;
    v.reserve(items.size());
    for (const auto& s : items) v.push_back(make_string(s));
    return make_array(gguf_value_type::string, std::move(v));
}

gguf_value gguf_value::make_f32_array(const std::vector<float>& items) {
    std::vector<gguf_value> v;
    v.reserve(items.size());
    for (float x : items) v.push_back(make_f32(x));
    return make_array(gguf_value_type::float32, std::move(v));
}

gguf_value gguf_value::make_i32_array(const std::vector<int32_t>& items) {
    std::vector<gguf_value> v;
    v.reserve(items.size());
    for (int32_t x : items) v.push_back(make_i32(x));
    return make_array(gguf_value_type::int32, std::move(v));
}

}  // namespace holo
