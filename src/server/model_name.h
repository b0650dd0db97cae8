// Model names and blob digests, checked against a strict grammar before any of
// them is joined into a path (the Ollama path-traversal class, CVE-2024-37032):
//   name   := [namespace "/"] model [":" tag]
//   namespace, model := [a-z0-9] [a-z0-9_.-]{0,63}   (no "..")
//   tag    := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}     (no "..")
//   digest := "sha256:" 64 lowercase hex digits
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace holo::server {

struct model_name {
    std::string ns = "library";
    std::string model;
    std::string tag = "latest";
    // "model:tag" for the default namespace, else "ns/model:tag".
    std::string str() const;
};

// Upper-case letters in namespace and model fold to lower case (names are
// case-insensitive, as in Ollama); anything else outside the grammar is an error.
result<model_name> parse_model_name(std::string_view text);
bool is_valid_digest(std::string_view digest);
// A name for a file being imported: its base name without ".gguf", folded into
// the model grammar ("Qwen3 30B.Q4_K_M.gguf" → "qwen3-30b.q4_k_m").
std::string name_from_filename(std::string_view path_or_url);

}  // namespace holo::server
