// `pull`: brings a GGUF into the model store from an http(s) URL (libcurl) or a
// local path. Downloads go to a partial file that a later attempt resumes, are
// capped in size, never follow redirects (no bouncing to private or link-local
// addresses), ask for no content encoding (no decompression bombs), are hashed
// (SHA-256) and checked against an expected digest when one is given, then move
// into place by rename.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"
#include "server/model_store.h"

namespace holo::server {

struct pull_progress {
    std::string status;     // "pulling", "verifying sha256 digest", "writing manifest", "success"
    uint64_t total = 0;     // bytes, 0 when unknown
    uint64_t completed = 0;
};

struct pull_options {
    std::string name;              // store name; default: from the file name
    std::string expected_digest;   // "sha256:<hex>" to check, or empty
    uint64_t max_bytes = uint64_t(512) << 30;
    bool allow_local_path = true;  // the HTTP API turns this off (no reading server files for clients)
    // Progress reports; return false to cancel.
    std::function<bool(const pull_progress&)> on_progress;
};

bool is_url(const std::string& source);

result<store_entry> pull_model(model_store& store, const std::string& source, const pull_options& opts);

}  // namespace holo::server
