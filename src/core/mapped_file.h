// A read-only, private memory map of a whole file. Model weights are used in place
// from the map (zero copy); the kernel pages them in and may drop clean pages under
// memory pressure unless they are locked.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/error.h"

namespace holo {

class mapped_file {
public:
    // Maps `path` (a regular file) with PROT_READ / MAP_PRIVATE. An empty file maps
    // to an empty span.
    static result<std::unique_ptr<mapped_file>> open(const std::string& path);

    ~mapped_file();
    mapped_file(const mapped_file&) = delete;
    mapped_file& operator=(const mapped_file&) = delete;

    const std::string& path() const { return path_; }
    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    uint64_t size() const { return size_; }

    // mlock()s the whole map; the error explains RLIMIT_MEMLOCK when that is the cause.
    result<void> lock_in_memory() const;
    // Hints that [offset, offset + length) will be read soon (madvise WILLNEED).
    // Out-of-range parts are ignored.
    void prefetch(uint64_t offset, uint64_t length) const;

private:
    mapped_file() = default;
    std::string path_;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace holo
