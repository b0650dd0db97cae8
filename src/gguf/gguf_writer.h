// Streaming GGUF writer (version 3). Metadata and the tensor table are declared
// first; tensor data is then written one tensor at a time in declaration order, so
// a 17 GB file never needs 17 GB of RAM. Used by synth, quantize and train.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_value.h"
#include "quant/tensor_type.h"

namespace holo {

class gguf_writer {
public:
    gguf_writer() = default;
    ~gguf_writer();
    gguf_writer(const gguf_writer&) = delete;
    gguf_writer& operator=(const gguf_writer&) = delete;

    // Metadata, in insertion order; setting a key twice replaces the value.
    void set(std::string key, gguf_value value);
    void set_alignment(uint64_t alignment);  // writes general.alignment too

    // Declares a tensor; data comes later through write_tensor_data, in this order.
    // ne is innermost first. Error when the shape does not fit the type's blocks.
    result<void> add_tensor(std::string name, tensor_type type, std::vector<int64_t> ne);

    // Opens `path` and writes header, metadata and tensor table.
    result<void> begin(const std::string& path);
    // Writes the next declared tensor's data (exactly its byte size); may be called
    // in several pieces per tensor (piece sizes add up to the tensor's size).
    result<void> write_tensor_data(std::span<const uint8_t> bytes);
    // Checks every tensor got all its bytes, flushes and closes. A file that
    // failed here, or was begun and never finished (the writer destroyed early),
    // is removed so a partial model never looks like a model.
    result<void> finish();

    // After begin(): where the data section starts and each tensor's offset in it.
    uint64_t data_offset() const { return data_offset_; }
    size_t n_tensors() const { return tensors_.size(); }
    uint64_t tensor_offset(size_t i) const { return tensors_.at(i).offset; }
    uint64_t tensor_bytes(size_t i) const { return tensors_.at(i).n_bytes; }

private:
    struct pending_tensor {
        std::string name;
        tensor_type type;
        std::vector<int64_t> ne;
        uint64_t n_bytes;
        uint64_t offset;
    };
    std::vector<std::pair<std::string, gguf_value>> kv_;
    std::vector<pending_tensor> tensors_;
    std::unordered_set<std::string> names_;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::string path_;
    std::FILE* f_ = nullptr;
    size_t current_ = 0;           // index of the tensor being written
    uint64_t written_in_current_ = 0;
    bool begun_ = false;
    bool remove_on_failure_ = false;  // we created a regular file at path_
    void abandon();
    result<void> write_bytes(const void* p, size_t n);
    result<void> pad_to(uint64_t alignment);
    uint64_t pos_ = 0;  // bytes written so far
};

}  // namespace holo
