#include "gguf/gguf_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "core/checked_math.h"
#include "core/mapped_file.h"

namespace holo {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

namespace {

constexpr uint32_t k_magic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint64_t k_default_alignment = 32;
// Smallest encodings, used to reject counts before anything is allocated:
// a tensor info is name length (8) + n_dims (4) + one ne (8) + type (4) + offset (8);
// a key/value is key length (8) + type (4) + a 1-byte value.
constexpr uint64_t k_min_tensor_info_bytes = 32;
constexpr uint64_t k_min_kv_bytes = 13;

uint64_t min_encoded_size(gguf_value_type t) {
    switch (t) {
        case gguf_value_type::uint8:
        case gguf_value_type::int8:
        case gguf_value_type::boolean: return 1;
        case gguf_value_type::uint16:
        case gguf_value_type::int16: return 2;
        case gguf_value_type::uint32:
        case gguf_value_type::int32:
        case gguf_value_type::float32: return 4;
        case gguf_value_type::uint64:
        case gguf_value_type::int64:
        case gguf_value_type::float64:
        case gguf_value_type::string: return 8;   // the length prefix
        case gguf_value_type::array: return 12;   // element type + count
    }
    return 1;
}

std::string dims_text(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

// Sequential, bounds-checked reads over the file's bytes. Every read states what it
// is for so a truncation error says where the file ended.
class parser {
public:
    parser(std::span<const uint8_t> bytes, const std::string& name) : b_(bytes), name_(name) {}

    error fail(const std::string& what) const { return error{name_ + ": " + what}; }

    uint64_t pos() const { return pos_; }
    uint64_t left() const { return b_.size() - pos_; }

    template <class T>
    result<T> read(const char* what) {
        if (sizeof(T) > left()) {
            return fail("truncated: " + std::string(what) + " at byte " + std::to_string(pos_) + " needs " +
                        std::to_string(sizeof(T)) + " bytes, file has " + std::to_string(b_.size()));
        }
        T x;
        std::memcpy(&x, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return x;
    }

    result<std::string> read_string(const std::string& what) {
        auto n = read<uint64_t>((what + " length").c_str());
        if (!n) return n.err();
        if (*n > left()) {
            return fail(what + ": string length " + std::to_string(*n) + " at byte " + std::to_string(pos_ - 8) +
                        " exceeds the " + std::to_string(left()) + " bytes left in the file");
        }
        std::string s(reinterpret_cast<const char*>(b_.data() + pos_), static_cast<size_t>(*n));
        pos_ += *n;
        return s;
    }

    // `depth` counts the arrays around this value (0 for a top-level scalar).
    result<gguf_value> read_value(gguf_value_type t, int depth, const std::string& key) {
        if (++n_values_ > gguf_file::max_metadata_values) {
            return fail("metadata holds more than " + std::to_string(gguf_file::max_metadata_values) +
                        " values (at key '" + key + "')");
        }
        const char* what = "metadata value";
        switch (t) {
            case gguf_value_type::uint8: return scalar<uint8_t, uint64_t>(t, what);
            case gguf_value_type::int8: return scalar<int8_t, int64_t>(t, what);
            case gguf_value_type::uint16: return scalar<uint16_t, uint64_t>(t, what);
            case gguf_value_type::int16: return scalar<int16_t, int64_t>(t, what);
            case gguf_value_type::uint32: return scalar<uint32_t, uint64_t>(t, what);
            case gguf_value_type::int32: return scalar<int32_t, int64_t>(t, what);
            case gguf_value_type::uint64: return scalar<uint64_t, uint64_t>(t, what);
            case gguf_value_type::int64: return scalar<int64_t, int64_t>(t, what);
            case gguf_value_type::float32: return scalar<float, double>(t, what);
            case gguf_value_type::float64: return scalar<double, double>(t, what);
            case gguf_value_type::boolean: {
                auto x = read<uint8_t>(what);
                if (!x) return x.err();
                return gguf_value::make_bool(*x != 0);
            }
            case gguf_value_type::string: {
                auto s = read_string("key '" + key + "'");
                if (!s) return s.err();
                return gguf_value::make_string(std::move(*s));
            }
            case gguf_value_type::array: return read_array(depth + 1, key);
        }
        return fail("key '" + key + "': invalid value type " + std::to_string(static_cast<uint32_t>(t)));
    }

private:
    template <class Stored, class Held>
    result<gguf_value> scalar(gguf_value_type t, const char* what) {
        auto x = read<Stored>(what);
        if (!x) return x.err();
        return gguf_value{t, static_cast<Held>(*x)};
    }

    result<gguf_value> read_array(int depth, const std::string& key) {
        if (depth > gguf_file::max_array_depth) {
            return fail("key '" + key + "': arrays nested deeper than " + std::to_string(gguf_file::max_array_depth));
        }
        auto raw_type = read<uint32_t>("array element type");
        if (!raw_type) return raw_type.err();
        if (!is_valid_value_type(*raw_type)) {
            return fail("key '" + key + "': array has invalid element type " + std::to_string(*raw_type));
        }
        auto et = static_cast<gguf_value_type>(*raw_type);
        auto count = read<uint64_t>("array count");
        if (!count) return count.err();
        uint64_t min = min_encoded_size(et);
        if (*count > left() / min) {
            return fail("key '" + key + "': array of " + std::to_string(*count) + " " + gguf_value_type_name(et) +
                        " elements at byte " + std::to_string(pos_ - 8) + " cannot fit in the " +
                        std::to_string(left()) + " bytes left in the file");
        }
        if (*count > gguf_file::max_metadata_values - std::min(n_values_, gguf_file::max_metadata_values)) {
            return fail("key '" + key + "': array of " + std::to_string(*count) +
                        " elements: metadata holds more than " + std::to_string(gguf_file::max_metadata_values) +
                        " values");
        }
        std::vector<gguf_value> items;
        items.reserve(static_cast<size_t>(*count));
        for (uint64_t i = 0; i < *count; ++i) {
            auto v = read_value(et, depth, key);
            if (!v) return v.err();
            items.push_back(std::move(*v));
        }
        return gguf_value::make_array(et, std::move(items));
    }

    std::span<const uint8_t> b_;
    const std::string& name_;
    uint64_t pos_ = 0;
    uint64_t n_values_ = 0;
};

// Indices of `v` sorted by `key_of`, so look-ups are binary searches.
template <class V, class F>
std::vector<uint32_t> sorted_index(const std::vector<V>& v, F key_of) {
    std::vector<uint32_t> idx(v.size());
    for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return key_of(v[a]) < key_of(v[b]); });
    return idx;
}

template <class V, class F>
const V* binary_find(const std::vector<V>& v, const std::vector<uint32_t>& idx, std::string_view key, F key_of) {
    auto it = std::lower_bound(idx.begin(), idx.end(), key,
                               [&](uint32_t i, std::string_view k) { return std::string_view(key_of(v[i])) < k; });
    if (it == idx.end() || key_of(v[*it]) != key) return nullptr;
    return &v[*it];
}

const std::string& kv_key(const gguf_kv& kv) { return kv.key; }
const std::string& tensor_name(const gguf_tensor_info& t) { return t.name; }

std::string version_error(uint32_t v) {
    if (v == 1) return "GGUF version 1 is not supported (it used 32-bit counts); convert the file again with a current tool";
    if (v != 0 && (v & 0xFFFF) == 0) {
        return "GGUF version field is " + std::to_string(v) +
               ", which looks like a big-endian file; only little-endian GGUF is supported";
    }
    return "unsupported GGUF version " + std::to_string(v) + " (supported: 2 and 3)";
}

}  // namespace

uint64_t gguf_tensor_info::n_elements() const {
    uint64_t n = 1;
    for (int64_t d : ne) n *= static_cast<uint64_t>(d);  // validated at open: no overflow
    return n;
}

gguf_file::gguf_file(gguf_file&&) noexcept = default;
gguf_file& gguf_file::operator=(gguf_file&&) noexcept = default;
gguf_file::~gguf_file() = default;

result<gguf_file> gguf_file::open(const std::string& path) {
    auto m = mapped_file::open(path);
    if (!m) return m.err();
    std::unique_ptr<mapped_file> map = std::move(*m);
    auto bytes = map->bytes();
    auto f = parse(bytes, path);
    if (!f) return f.err();
    f->map_ = std::move(map);
    return f;
}

result<gguf_file> gguf_file::parse(std::span<const uint8_t> bytes, std::string name) {
    gguf_file f;
    f.name_ = std::move(name);
    f.bytes_ = bytes;
    parser p(bytes, f.name_);
    const uint64_t file_size = bytes.size();

    // Header.
    if (file_size < 4) {
        return p.fail("not a GGUF file (" + std::to_string(file_size) + " bytes, too short for the magic)");
    }
    auto magic = p.read<uint32_t>("magic");
    if (*magic != k_magic) {
        std::string shown;
        for (int i = 0; i < 4; ++i) {
            char c = static_cast<char>(bytes[i]);
            static constexpr char hex[] = "0123456789abcdef";
            if (c >= 32 && c < 127) {
                shown.push_back(c);
            } else {
                shown.push_back('\\');
                shown.push_back('x');
                shown.push_back(hex[bytes[i] >> 4]);
                shown.push_back(hex[bytes[i] & 15]);
            }
        }
        return p.fail("not a GGUF file (magic '" + shown + "', expected 'GGUF')");
    }
    auto version = p.read<uint32_t>("version");
    if (!version) return version.err();
    if (*version != 2 && *version != 3) return p.fail(version_error(*version));
    f.version_ = *version;
    auto n_tensors = p.read<uint64_t>("tensor count");
    if (!n_tensors) return n_tensors.err();
    auto n_kv = p.read<uint64_t>("key/value count");
    if (!n_kv) return n_kv.err();
    if (*n_kv > p.left() / k_min_kv_bytes) {
        return p.fail("key/value count " + std::to_string(*n_kv) + " is impossible: each key/value takes at least " +
                      std::to_string(k_min_kv_bytes) + " bytes and only " + std::to_string(p.left()) +
                      " bytes are left");
    }

    if (*n_kv > max_metadata_values) {
        return p.fail("key/value count " + std::to_string(*n_kv) + " exceeds the " +
                      std::to_string(max_metadata_values) + " this reader accepts");
    }

    // Metadata.
    f.kv_.reserve(static_cast<size_t>(*n_kv));
    for (uint64_t i = 0; i < *n_kv; ++i) {
        auto key = p.read_string("key " + std::to_string(i));
        if (!key) return key.err();
        auto raw_type = p.read<uint32_t>("value type");
        if (!raw_type) return raw_type.err();
        if (!is_valid_value_type(*raw_type)) {
            return p.fail("key '" + *key + "': invalid value type " + std::to_string(*raw_type));
        }
        auto value = p.read_value(static_cast<gguf_value_type>(*raw_type), 0, *key);
        if (!value) return value.err();
        f.kv_.push_back({std::move(*key), std::move(*value)});
    }
    f.kv_sorted_ = sorted_index(f.kv_, kv_key);
    for (size_t i = 1; i < f.kv_sorted_.size(); ++i) {
        const std::string& k = f.kv_[f.kv_sorted_[i]].key;
        if (k == f.kv_[f.kv_sorted_[i - 1]].key) return p.fail("duplicate key '" + k + "'");
    }

    f.alignment_ = k_default_alignment;
    if (const gguf_value* a = f.find("general.alignment")) {
        if (a->type != gguf_value_type::uint32) {
            return p.fail(std::string("general.alignment has type ") + gguf_value_type_name(a->type) +
                          ", must be u32");
        }
        uint64_t al = *a->as_uint();
        if (al == 0 || (al & (al - 1)) != 0) {
            return p.fail("general.alignment is " + std::to_string(al) + ", must be a nonzero power of two");
        }
        if (al > max_alignment) {
            return p.fail("general.alignment is " + std::to_string(al) + ", larger than the " +
                          std::to_string(max_alignment) + " this reader accepts");
        }
        f.alignment_ = al;
    }

    // Tensor infos: shapes, types and sizes; ranges are checked once the data
    // section's start is known.
    if (*n_tensors > p.left() / k_min_tensor_info_bytes) {
        return p.fail("tensor count " + std::to_string(*n_tensors) + " is impossible: each tensor info takes at least " +
                      std::to_string(k_min_tensor_info_bytes) + " bytes and only " + std::to_string(p.left()) +
                      " bytes are left");
    }
    if (*n_tensors > max_tensors) {
        return p.fail("tensor count " + std::to_string(*n_tensors) + " exceeds the " + std::to_string(max_tensors) +
                      " this reader accepts");
    }
    f.tensors_.reserve(static_cast<size_t>(*n_tensors));
    for (uint64_t i = 0; i < *n_tensors; ++i) {
        auto name = p.read_string("tensor " + std::to_string(i) + " name");
        if (!name) return name.err();
        const std::string ctx = "tensor '" + *name + "'";
        auto n_dims = p.read<uint32_t>("tensor dimension count");
        if (!n_dims) return n_dims.err();
        if (*n_dims < 1 || *n_dims > max_dims) {
            return p.fail(ctx + ": n_dims is " + std::to_string(*n_dims) + ", must be 1.." + std::to_string(max_dims));
        }
        gguf_tensor_info t;
        t.name = std::move(*name);
        t.ne.resize(*n_dims);
        for (uint32_t d = 0; d < *n_dims; ++d) {
            auto ne = p.read<int64_t>("tensor dimension");
            if (!ne) return ne.err();
            t.ne[d] = *ne;
        }
        auto raw_type = p.read<uint32_t>("tensor type");
        if (!raw_type) return raw_type.err();
        auto offset = p.read<uint64_t>("tensor offset");
        if (!offset) return offset.err();
        t.offset = *offset;

        uint64_t n_el = 1;
        for (uint32_t d = 0; d < *n_dims; ++d) {
            if (t.ne[d] <= 0) {
                return p.fail(ctx + ": ne[" + std::to_string(d) + "] is " + std::to_string(t.ne[d]) +
                              ", dimensions must be >= 1");
            }
            auto m = checked_mul(n_el, static_cast<uint64_t>(t.ne[d]));
            if (!m || *m > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                return p.fail(ctx + ": element count of shape " + dims_text(t.ne) + " overflows");
            }
            n_el = *m;
        }
        if (!is_supported_type(*raw_type)) {
            return p.fail(ctx + ": unsupported tensor type id " + std::to_string(*raw_type));
        }
        t.type = static_cast<tensor_type>(*raw_type);
        const type_traits& tr = traits_of(t.type);
        if (static_cast<uint64_t>(t.ne[0]) % static_cast<uint64_t>(tr.block_size) != 0) {
            return p.fail(ctx + ": ne[0] = " + std::to_string(t.ne[0]) + " is not a multiple of " +
                          std::string(tr.name) + "'s block size " + std::to_string(tr.block_size));
        }
        auto rb = row_bytes(t.type, static_cast<uint64_t>(t.ne[0]));
        auto total = rb ? checked_mul(*rb, n_el / static_cast<uint64_t>(t.ne[0])) : std::nullopt;
        if (!total) return p.fail(ctx + ": byte size of shape " + dims_text(t.ne) + " overflows");
        t.n_bytes = *total;
        if (t.offset % f.alignment_ != 0) {
            return p.fail(ctx + ": offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                          std::to_string(f.alignment_));
        }
        f.tensors_.push_back(std::move(t));
    }
    f.tensors_sorted_ = sorted_index(f.tensors_, tensor_name);
    for (size_t i = 1; i < f.tensors_sorted_.size(); ++i) {
        const std::string& n = f.tensors_[f.tensors_sorted_[i]].name;
        if (n == f.tensors_[f.tensors_sorted_[i - 1]].name) return p.fail("duplicate tensor name '" + n + "'");
    }

    // Data section: starts at the next multiple of the alignment.
    auto data_offset = checked_align_up(p.pos(), f.alignment_);
    HOLO_ASSERT(data_offset.has_value(), "alignment validated and position within the file");
    f.data_offset_ = *data_offset;
    if (f.tensors_.empty()) return f;
    if (f.data_offset_ > file_size) {
        return p.fail("truncated: data section starts at byte " + std::to_string(f.data_offset_) + ", file has " +
                      std::to_string(file_size));
    }
    for (const auto& t : f.tensors_) {
        auto start = checked_add(f.data_offset_, t.offset);
        if (!start || *start > file_size) {
            return p.fail("tensor '" + t.name + "': data starts at offset " + std::to_string(t.offset) +
                          " of the data section, past the end of the file (" + std::to_string(file_size) + " bytes)");
        }
        auto end = checked_add(*start, t.n_bytes);
        if (!end || *end > file_size) {
            return p.fail("tensor '" + t.name + "': data ends at byte " +
                          (end ? std::to_string(*end) : std::string("beyond 2^64")) + ", file has " +
                          std::to_string(file_size));
        }
    }
    std::vector<uint32_t> by_offset(f.tensors_.size());
    for (uint32_t i = 0; i < by_offset.size(); ++i) by_offset[i] = i;
    std::sort(by_offset.begin(), by_offset.end(),
              [&](uint32_t a, uint32_t b) { return f.tensors_[a].offset < f.tensors_[b].offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const auto& prev = f.tensors_[by_offset[i - 1]];
        const auto& cur = f.tensors_[by_offset[i]];
        if (cur.offset < prev.offset + prev.n_bytes) {  // both in range, so no overflow
            return p.fail("tensors '" + prev.name + "' and '" + cur.name + "' overlap (data bytes " +
                          std::to_string(prev.offset) + ".." + std::to_string(prev.offset + prev.n_bytes) + " and " +
                          std::to_string(cur.offset) + ".." + std::to_string(cur.offset + cur.n_bytes) + ")");
        }
    }
    return f;
}

const gguf_value* gguf_file::find(std::string_view key) const {
    const gguf_kv* kv = binary_find(kv_, kv_sorted_, key, kv_key);
    return kv ? &kv->value : nullptr;
}

const gguf_tensor_info* gguf_file::find_tensor(std::string_view name) const {
    return binary_find(tensors_, tensors_sorted_, name, tensor_name);
}

namespace {

error wrong_type(const std::string& file, std::string_view key, gguf_value_type got, const char* want) {
    return error{file + ": key '" + std::string(key) + "' has type " + gguf_value_type_name(got) + ", expected " +
                 want};
}

bool is_integer(gguf_value_type t) {
    switch (t) {
        case gguf_value_type::uint8:
        case gguf_value_type::int8:
        case gguf_value_type::uint16:
        case gguf_value_type::int16:
        case gguf_value_type::uint32:
        case gguf_value_type::int32:
        case gguf_value_type::uint64:
        case gguf_value_type::int64: return true;
        default: return false;
    }
}

}  // namespace

result<std::optional<uint64_t>> gguf_file::get_uint(std::string_view key) const {
    const gguf_value* v = find(key);
    if (!v) return std::optional<uint64_t>();
    auto u = v->as_uint();
    if (!is_integer(v->type) || !u) {
        if (is_integer(v->type)) {
            return error{name_ + ": key '" + std::string(key) + "' is " + std::to_string(*v->as_int()) +
                         ", expected a non-negative integer"};
        }
        return wrong_type(name_, key, v->type, "an unsigned integer");
    }
    return std::optional<uint64_t>(*u);
}

result<std::optional<double>> gguf_file::get_float(std::string_view key) const {
    const gguf_value* v = find(key);
    if (!v) return std::optional<double>();
    auto d = v->as_float();
    if (!d) return wrong_type(name_, key, v->type, "a number");
    return std::optional<double>(*d);
}

result<std::optional<bool>> gguf_file::get_bool(std::string_view key) const {
    const gguf_value* v = find(key);
    if (!v) return std::optional<bool>();
    auto b = v->as_bool();
    if (!b) return wrong_type(name_, key, v->type, "bool");
    return std::optional<bool>(*b);
}

result<std::optional<std::string>> gguf_file::get_string(std::string_view key) const {
    const gguf_value* v = find(key);
    if (!v) return std::optional<std::string>();
    const std::string* s = v->as_string();
    if (!s) return wrong_type(name_, key, v->type, "string");
    return std::optional<std::string>(*s);
}

std::span<const uint8_t> gguf_file::tensor_data(const gguf_tensor_info& t) const {
    HOLO_ASSERT(data_offset_ + t.offset + t.n_bytes <= bytes_.size(), "tensor_data: tensor not from this file");
    return bytes_.subspan(data_offset_ + t.offset, t.n_bytes);
}

result<void> gguf_file::lock_in_memory() const {
    if (!map_) return error{name_ + ": cannot lock in memory: the file was parsed from a buffer, not mapped"};
    return map_->lock_in_memory();
}

void gguf_file::prefetch(const gguf_tensor_info& t) const {
    if (map_) map_->prefetch(data_offset_ + t.offset, t.n_bytes);
}

}  // namespace holo
