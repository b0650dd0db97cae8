// The local model store, laid out like Ollama's: content-addressed blobs
// (DIR/blobs/sha256-<hex>) and one small JSON manifest per name
// (DIR/manifests/<namespace>/<model>/<tag>) naming the blob. Every name and
// digest passes the grammar in model_name.h before it becomes a path, digests read
// back from manifests included; a name that is malformed and one that does not
// exist get the same answer shape, never a hint about the file system.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/model_name.h"

namespace holo::server {

struct store_entry {
    model_name name;
    std::string digest;      // "sha256:<hex>"
    uint64_t size = 0;       // blob bytes
    std::string blob_path;
    int64_t modified_unix = 0;
};

// SHA-256 of a file as "sha256:<hex>"; `on_bytes` sees progress.
result<std::string> sha256_file(const std::string& path, const std::function<void(uint64_t)>& on_bytes = {});

class model_store {
public:
    explicit model_store(std::string dir);
    // $HOLO_MODELS, else ~/.holobiont/models.
    static std::string default_dir();

    const std::string& dir() const { return dir_; }

    // The entry for a name; "model 'X' not found" for any name that has none.
    result<store_entry> resolve(std::string_view name) const;
    std::vector<store_entry> list() const;
    // Removes the name; the blob goes too when no other name uses it.
    result<void> remove(std::string_view name);

    // Copies a local GGUF file into the store under `name` (hashing as it copies).
    result<store_entry> import_file(std::string_view name, const std::string& src,
                                    const std::function<void(uint64_t done, uint64_t total)>& progress = {});
    // Moves a finished download (already hashed to `digest`) into blobs/ and names it.
    result<store_entry> adopt_file(std::string_view name, const std::string& tmp_path, const std::string& digest);

    // Where a download of `key` (e.g. a URL) keeps its partial bytes between attempts.
    std::string partial_path(std::string_view key) const;
    std::string blob_path(const std::string& digest) const;  // digest must be valid

private:
    result<store_entry> write_manifest(const model_name& n, const std::string& digest, uint64_t size);
    std::string manifest_path(const model_name& n) const;
    result<void> ensure_dirs() const;

    std::string dir_;
};

}  // namespace holo::server
