#include "gguf/gguf_writer.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/checked_math.h"
#include "gguf/gguf_file.h"

namespace holo {

namespace {

constexpr uint32_t k_magic = 0x46554747;  // "GGUF" as a little-endian u32
constexpr uint32_t k_version = 3;
// llama.cpp keeps tensor names in a fixed 64-byte buffer (with the NUL).
constexpr size_t k_max_tensor_name = 63;

template <class T>
void put(std::string& out, T x) {
    char b[sizeof(T)];
    std::memcpy(b, &x, sizeof(T));
    out.append(b, sizeof(T));
}

void put_string(std::string& out, const std::string& s) {
    put<uint64_t>(out, s.size());
    out += s;
}

// Checks that the variant alternative and range match the declared type, so the
// file we write is the file the caller meant (a u8 holding 300 is a caller bug).
result<void> check_value(const std::string& key, const gguf_value& v, int depth) {
    auto bad = [&](const std::string& why) { return error{"gguf_writer: key '" + key + "': " + why}; };
    auto fits_u = [&](uint64_t max) { auto* u = std::get_if<uint64_t>(&v.v); return u && *u <= max; };
    auto fits_i = [&](int64_t lo, int64_t hi) { auto* i = std::get_if<int64_t>(&v.v); return i && *i >= lo && *i <= hi; };
    bool fits = true;
    switch (v.type) {
        case gguf_value_type::uint8: fits = fits_u(0xFF); break;
        case gguf_value_type::uint16: fits = fits_u(0xFFFF); break;
        case gguf_value_type::uint32: fits = fits_u(0xFFFFFFFFu); break;
        case gguf_value_type::uint64: fits = fits_u(std::numeric_limits<uint64_t>::max()); break;
        case gguf_value_type::int8: fits = fits_i(-128, 127); break;
        case gguf_value_type::int16: fits = fits_i(-32768, 32767); break;
        case gguf_value_type::int32: fits = fits_i(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()); break;
        case gguf_value_type::int64: fits = std::holds_alternative<int64_t>(v.v); break;
        case gguf_value_type::float32:
        case gguf_value_type::float64: fits = std::holds_alternative<double>(v.v); break;
        case gguf_value_type::boolean: fits = std::holds_alternative<bool>(v.v); break;
        case gguf_value_type::string: fits = std::holds_alternative<std::string>(v.v); break;
        case gguf_value_type::array: {
            const gguf_array* a = v.as_array();
            if (!a) return bad("array value holds no array");
            if (depth + 1 > gguf_file::max_array_depth) return bad("arrays nested deeper than readers accept");
            if (!is_valid_value_type(static_cast<uint32_t>(a->element_type))) return bad("invalid array element type");
            for (size_t i = 0; i < a->items.size(); ++i) {
                if (a->items[i].type != a->element_type) {
                    return bad("array item " + std::to_string(i) + " has type " +
                               gguf_value_type_name(a->items[i].type) + ", the array declares " +
                               gguf_value_type_name(a->element_type));
                }
                HOLO_TRY(check_value(key, a->items[i], depth + 1));
            }
            return holo::ok();
        }
        default: return bad("invalid value type " + std::to_string(static_cast<uint32_t>(v.type)));
    }
    if (!fits) return bad(std::string("value does not fit its declared type ") + gguf_value_type_name(v.type));
    return holo::ok();
}

void put_value(std::string& out, const gguf_value& v) {
    switch (v.type) {
        case gguf_value_type::uint8: put<uint8_t>(out, static_cast<uint8_t>(std::get<uint64_t>(v.v))); break;
        case gguf_value_type::uint16: put<uint16_t>(out, static_cast<uint16_t>(std::get<uint64_t>(v.v))); break;
        case gguf_value_type::uint32: put<uint32_t>(out, static_cast<uint32_t>(std::get<uint64_t>(v.v))); break;
        case gguf_value_type::uint64: put<uint64_t>(out, std::get<uint64_t>(v.v)); break;
        case gguf_value_type::int8: put<int8_t>(out, static_cast<int8_t>(std::get<int64_t>(v.v))); break;
        case gguf_value_type::int16: put<int16_t>(out, static_cast<int16_t>(std::get<int64_t>(v.v))); break;
        case gguf_value_type::int32: put<int32_t>(out, static_cast<int32_t>(std::get<int64_t>(v.v))); break;
        case gguf_value_type::int64: put<int64_t>(out, std::get<int64_t>(v.v)); break;
        case gguf_value_type::float32: put<float>(out, static_cast<float>(std::get<double>(v.v))); break;
        case gguf_value_type::float64: put<double>(out, std::get<double>(v.v)); break;
        case gguf_value_type::boolean: put<uint8_t>(out, std::get<bool>(v.v) ? 1 : 0); break;
        case gguf_value_type::string: put_string(out, std::get<std::string>(v.v)); break;
        case gguf_value_type::array: {
            const gguf_array* a = v.as_array();
            put<uint32_t>(out, static_cast<uint32_t>(a->element_type));
            put<uint64_t>(out, a->items.size());
            for (const auto& item : a->items) put_value(out, item);
            break;
        }
    }
}

}  // namespace

gguf_writer::~gguf_writer() {
    if (f_) abandon();
}

void gguf_writer::abandon() {
    if (f_) std::fclose(f_);
    f_ = nullptr;
    if (remove_on_failure_) std::remove(path_.c_str());
}

void gguf_writer::set(std::string key, gguf_value value) {
    for (auto& kv : kv_) {
        if (kv.first == key) {
            kv.second = std::move(value);
            return;
        }
    }
    kv_.emplace_back(std::move(key), std::move(value));
}

void gguf_writer::set_alignment(uint64_t alignment) {
    alignment_ = alignment;
    // An unrepresentable value is kept as u64 so begin() reports it.
    set("general.alignment", alignment <= 0xFFFFFFFFu ? gguf_value::make_u32(static_cast<uint32_t>(alignment))
                                                      : gguf_value::make_u64(alignment));
}

result<void> gguf_writer::add_tensor(std::string name, tensor_type type, std::vector<int64_t> ne) {
    const std::string ctx = "gguf_writer: tensor '" + name + "': ";
    if (begun_) return error{ctx + "declared after begin()"};
    if (name.size() > k_max_tensor_name) {
        return error{ctx + "name is " + std::to_string(name.size()) + " bytes, llama.cpp accepts at most " +
                     std::to_string(k_max_tensor_name)};
    }
    if (!is_supported_type(static_cast<uint32_t>(type))) return error{ctx + "unsupported tensor type"};
    if (ne.empty() || ne.size() > gguf_file::max_dims) {
        return error{ctx + std::to_string(ne.size()) + " dimensions, must be 1.." + std::to_string(gguf_file::max_dims)};
    }
    uint64_t n_el = 1;
    for (size_t d = 0; d < ne.size(); ++d) {
        if (ne[d] <= 0) return error{ctx + "ne[" + std::to_string(d) + "] is " + std::to_string(ne[d]) + ", must be >= 1"};
        auto m = checked_mul(n_el, static_cast<uint64_t>(ne[d]));
        if (!m || *m > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return error{ctx + "element count overflows"};
        n_el = *m;
    }
    const type_traits& tr = traits_of(type);
    if (ne[0] % tr.block_size != 0) {
        return error{ctx + "ne[0] = " + std::to_string(ne[0]) + " is not a multiple of " + std::string(tr.name) +
                     "'s block size " + std::to_string(tr.block_size)};
    }
    auto rb = row_bytes(type, static_cast<uint64_t>(ne[0]));
    auto total = rb ? checked_mul(*rb, n_el / static_cast<uint64_t>(ne[0])) : std::nullopt;
    if (!total) return error{ctx + "byte size overflows"};
    if (!names_.insert(name).second) return error{ctx + "declared twice"};
    tensors_.push_back({std::move(name), type, std::move(ne), *total, 0});
    return ok();
}

result<void> gguf_writer::write_bytes(const void* p, size_t n) {
    if (n == 0) return ok();
    if (std::fwrite(p, 1, n, f_) != n) {
        return error{path_ + ": write failed at byte " + std::to_string(pos_) + ": " + std::strerror(errno)};
    }
    pos_ += n;
    return ok();
}

result<void> gguf_writer::pad_to(uint64_t alignment) {
    static constexpr uint8_t zeros[4096] = {};
    uint64_t target = *checked_align_up(pos_, alignment);
    while (pos_ < target) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(target - pos_, sizeof(zeros)));
        HOLO_TRY(write_bytes(zeros, n));
    }
    return ok();
}

result<void> gguf_writer::begin(const std::string& path) {
    if (begun_) return error{path + ": gguf_writer::begin called twice"};
    path_ = path;
    for (const auto& [key, value] : kv_) {
        auto r = check_value(key, value, 0);
        if (!r) return error{path + ": " + r.message()};
    }
    alignment_ = 32;
    for (const auto& [key, value] : kv_) {
        if (key != "general.alignment") continue;
        uint64_t a = value.as_uint().value_or(0);
        if (value.type != gguf_value_type::uint32 || a == 0 || (a & (a - 1)) != 0 || a > gguf_file::max_alignment) {
            return error{path + ": general.alignment must be a u32 power of two <= " +
                         std::to_string(gguf_file::max_alignment)};
        }
        alignment_ = a;
    }

    uint64_t offset = 0;
    for (auto& t : tensors_) {
        t.offset = offset;
        auto next = checked_add(offset, t.n_bytes);
        auto padded = next ? checked_align_up(*next, alignment_) : std::nullopt;
        if (!padded) return error{path + ": total tensor data size overflows"};
        offset = *padded;
    }

    std::string header;
    put<uint32_t>(header, k_magic);
    put<uint32_t>(header, k_version);
    put<uint64_t>(header, tensors_.size());
    put<uint64_t>(header, kv_.size());
    for (const auto& [key, value] : kv_) {
        put_string(header, key);
        put<uint32_t>(header, static_cast<uint32_t>(value.type));
        put_value(header, value);
    }
    for (const auto& t : tensors_) {
        put_string(header, t.name);
        put<uint32_t>(header, static_cast<uint32_t>(t.ne.size()));
        for (int64_t d : t.ne) put<int64_t>(header, d);
        put<uint32_t>(header, static_cast<uint32_t>(t.type));
        put<uint64_t>(header, t.offset);
    }

    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) return error{path + ": cannot open for writing: " + std::strerror(errno)};
    struct stat st {};
    remove_on_failure_ = ::fstat(::fileno(f_), &st) == 0 && S_ISREG(st.st_mode);
    begun_ = true;
    pos_ = 0;
    HOLO_TRY(write_bytes(header.data(), header.size()));
    HOLO_TRY(pad_to(alignment_));
    data_offset_ = pos_;
    current_ = 0;
    written_in_current_ = 0;
    return ok();
}

result<void> gguf_writer::write_tensor_data(std::span<const uint8_t> bytes) {
    if (!f_) return error{(path_.empty() ? std::string("gguf_writer") : path_) + ": write_tensor_data before begin() or after finish()"};
    if (bytes.empty()) return ok();
    if (current_ >= tensors_.size()) {
        return error{path_ + ": " + std::to_string(bytes.size()) + " bytes of tensor data beyond the last declared tensor"};
    }
    const pending_tensor& t = tensors_[current_];
    uint64_t remaining = t.n_bytes - written_in_current_;
    if (bytes.size() > remaining) {
        return error{path_ + ": tensor '" + t.name + "': piece of " + std::to_string(bytes.size()) +
                     " bytes exceeds the " + std::to_string(remaining) + " bytes it still needs"};
    }
    HOLO_TRY(write_bytes(bytes.data(), bytes.size()));
    written_in_current_ += bytes.size();
    if (written_in_current_ == t.n_bytes) {
        // Every tensor, the last included, is padded, as llama.cpp's writer does.
        HOLO_TRY(pad_to(alignment_));
        ++current_;
        written_in_current_ = 0;
    }
    return ok();
}

result<void> gguf_writer::finish() {
    if (!f_) return error{(path_.empty() ? std::string("gguf_writer") : path_) + ": finish() without begin()"};
    if (current_ < tensors_.size()) {
        const pending_tensor& t = tensors_[current_];
        std::string msg = path_ + ": tensor '" + t.name + "' got " + std::to_string(written_in_current_) + " of its " +
                          std::to_string(t.n_bytes) + " bytes";
        if (current_ + 1 < tensors_.size()) msg += ", and " + std::to_string(tensors_.size() - current_ - 1) + " tensors after it got none";
        abandon();
        return error{msg + " (file removed)"};
    }
    bool flushed = std::fflush(f_) == 0 && !std::ferror(f_);
    int e = errno;
    bool closed = std::fclose(f_) == 0;
    if (!closed) e = errno;
    f_ = nullptr;
    if (!flushed || !closed) {
        if (remove_on_failure_) std::remove(path_.c_str());
        return error{path_ + ": write failed when closing: " + std::strerror(e)};
    }
    return ok();
}

}  // namespace holo
