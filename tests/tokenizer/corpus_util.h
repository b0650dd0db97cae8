// Shared by the tokenizer oracle tests: the generated corpus (one per process),
// hex helpers, and writing an imported vocabulary to a GGUF file.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "test_util.h"

namespace holo::test {

namespace fs = std::filesystem;
using json = nlohmann::json;

inline std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline std::string from_hex(const std::string& h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out += char(std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
}

inline std::string hex_of(std::string_view s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

inline std::string ids_str(const std::vector<int32_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "]";
}

struct corpus_cache {
    std::vector<std::string> texts;
    std::string path;
};

// Generated once per process (the generator is deterministic).
inline const corpus_cache* corpus(std::string* why) {
    static corpus_cache c;
    static bool tried = false;
    static std::string failure;
    if (!tried) {
        tried = true;
        const std::string dir = test::source_dir() + "/tests/e2e/tokenizer";
        c.path = test::temp_path("tokenizer_corpus.json");
        if (test::run_command("node --version > /dev/null 2>&1") != 0) {
            failure = "node is not installed";
        } else if (test::run_command("node " + dir + "/gen_corpus.js > " + c.path) != 0) {
            failure = "gen_corpus.js failed";
        } else {
            for (const auto& h : json::parse(read_all(c.path))) c.texts.push_back(from_hex(h.get<std::string>()));
        }
    }
    if (!failure.empty()) {
        *why = failure;
        return nullptr;
    }
    return &c;
}

// Writes metadata alone (no tensors) as a GGUF, with the architecture llama.cpp
// insists on even for a vocabulary.
inline result<void> write_vocab_gguf(const std::vector<gguf_kv>& kv, const std::string& path) {
    gguf_writer w;
    w.set("general.architecture", gguf_value::make_string("llama"));
    for (const auto& e : kv) w.set(e.key, e.value);
    HOLO_TRY(w.begin(path));
    return w.finish();
}

}  // namespace holo::test
