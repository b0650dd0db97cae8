// Validated, memory-mapped GGUF reader (versions 2 and 3). Opening checks every
// count, length, dimension, type, offset and alignment against the file's size
// before anything is allocated or read; a bad file yields one error naming the
// file and what is wrong. Tensor data stays in the map (zero copy).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_value.h"
#include "quant/tensor_type.h"

namespace holo {

struct gguf_kv {
    std::string key;
    gguf_value value;
};

struct gguf_tensor_info {
    std::string name;
    tensor_type type;
    std::vector<int64_t> ne;  // dimensions, innermost first (ne[0] is the row length)
    uint64_t offset;          // from the start of the data section
    uint64_t n_bytes;         // exact size of the data
    uint64_t n_elements() const;
};

class mapped_file;

class gguf_file {
public:
    // Limits on what a file may ask of the reader (see docs/gguf.md for why).
    static constexpr uint64_t max_alignment = uint64_t(1) << 20;
    static constexpr int max_array_depth = 8;                       // an array of arrays is depth 2
    static constexpr uint64_t max_metadata_values = uint64_t(1) << 22;  // scalars + array items, all keys
    static constexpr uint64_t max_tensors = uint64_t(1) << 20;
    static constexpr uint32_t max_dims = 4;

    // Maps `path` read-only and validates it.
    static result<gguf_file> open(const std::string& path);
    // Validates bytes already in memory (fuzzing, tests). `name` is used in errors.
    // The bytes must outlive the gguf_file.
    static result<gguf_file> parse(std::span<const uint8_t> bytes, std::string name);

    gguf_file(gguf_file&&) noexcept;
    gguf_file& operator=(gguf_file&&) noexcept;
    ~gguf_file();

    const std::string& path() const { return name_; }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }  // start of the data section in the file
    uint64_t file_size() const { return bytes_.size(); }

    const std::vector<gguf_kv>& metadata() const { return kv_; }
    const gguf_value* find(std::string_view key) const;  // nullptr when absent

    // Typed look-ups: error when present with the wrong type; nullopt when absent.
    result<std::optional<uint64_t>> get_uint(std::string_view key) const;
    result<std::optional<double>> get_float(std::string_view key) const;
    result<std::optional<bool>> get_bool(std::string_view key) const;
    result<std::optional<std::string>> get_string(std::string_view key) const;

    const std::vector<gguf_tensor_info>& tensors() const { return tensors_; }
    const gguf_tensor_info* find_tensor(std::string_view name) const;  // nullptr when absent
    // The tensor's bytes inside the map (validated at open).
    std::span<const uint8_t> tensor_data(const gguf_tensor_info& t) const;

    // Advice to the kernel: lock pages in RAM (`--mlock`), or prefetch a range.
    // lock_in_memory is an error for a file made by parse() (nothing mapped).
    result<void> lock_in_memory() const;
    void prefetch(const gguf_tensor_info& t) const;

private:
    gguf_file() = default;
    std::string name_;
    std::unique_ptr<mapped_file> map_;
    std::span<const uint8_t> bytes_;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<gguf_kv> kv_;
    std::vector<gguf_tensor_info> tensors_;
    // index for find/find_tensor is up to the implementation (sorted vectors or maps)
    std::vector<uint32_t> kv_sorted_, tensors_sorted_;
};

}  // namespace holo
