// How the tests talk to the llama.cpp oracle (tests/oracle/build/oracle): find it,
// skip with the reason when it is missing, and run its raw-array and GGUF verbs
// through scratch files. Header-only: each test executable is one .cpp.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "quant/tensor_type.h"
#include "test_util.h"

namespace holo::test {

inline std::string oracle_path() { return source_dir() + "/tests/oracle/build/oracle"; }

// Empty when the oracle runs; otherwise why it cannot be used.
inline std::string oracle_missing_reason() {
    static const std::string reason = [] {
        const std::string path = oracle_path();
        if (!std::filesystem::exists(path)) {
            return "the llama.cpp oracle is not built (" + path + "); run tests/oracle/build.sh (needs scripts/setup's npm packages)";
        }
        if (run_command("'" + path + "' version >/dev/null 2>&1") != 0) {
            return path + " does not run (prebuilt llama.cpp libraries missing or incompatible)";
        }
        return std::string();
    }();
    return reason;
}

#define HOLO_REQUIRE_ORACLE()                                                  \
    do {                                                                       \
        const std::string holo_oracle_why_ = ::holo::test::oracle_missing_reason(); \
        if (!holo_oracle_why_.empty()) GTEST_SKIP() << holo_oracle_why_;      \
    } while (0)

inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

inline bool write_bytes(const std::string& path, const void* data, size_t n) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(static_cast<const char*>(data), std::streamsize(n));
    return bool(f);
}

inline std::optional<std::vector<uint8_t>> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) return std::nullopt;
    std::vector<uint8_t> data(static_cast<size_t>(f.tellg()));
    f.seekg(0);
    if (!data.empty() && !f.read(reinterpret_cast<char*>(data.data()), std::streamsize(data.size()))) return std::nullopt;
    return data;
}

inline std::vector<float> bytes_to_floats(const std::vector<uint8_t>& b) {
    std::vector<float> v(b.size() / sizeof(float));
    if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
    return v;
}

// Runs `oracle ARGS`; on failure `err` says what was run and what it printed.
inline bool run_oracle(const std::string& args, std::string* err) {
    std::string out;
    const std::string cmd = shell_quote(oracle_path()) + " " + args + " 2>&1";
    const int rc = run_command(cmd, &out);
    if (rc != 0) {
        *err = "oracle failed (exit " + std::to_string(rc) + "): " + cmd + "\n" + out;
        return false;
    }
    return true;
}

// llama.cpp's quantizer (ggml_quantize_chunk, no imatrix) on rows of n_per_row.
inline std::optional<std::vector<uint8_t>> oracle_quantize_raw(tensor_type t, const std::vector<float>& x,
                                                                int64_t n_per_row, std::string* err) {
    static int counter = 0;
    const std::string tag = std::string(type_name(t)) + "_" + std::to_string(counter++);
    const std::string in = temp_path("q_in_" + tag + ".f32"), out = temp_path("q_out_" + tag + ".bin");
    if (!write_bytes(in, x.data(), x.size() * sizeof(float))) {
        *err = "cannot write " + in;
        return std::nullopt;
    }
    if (!run_oracle("quantize-raw " + std::string(type_name(t)) + " " + shell_quote(in) + " " + shell_quote(out) + " " +
                        std::to_string(n_per_row),
                    err)) {
        return std::nullopt;
    }
    auto bytes = read_bytes(out);
    if (!bytes) *err = "cannot read " + out;
    return bytes;
}

// llama.cpp's to_float on n elements of type t.
inline std::optional<std::vector<float>> oracle_dequant_raw(tensor_type t, const std::vector<uint8_t>& bytes, int64_t n,
                                                            std::string* err) {
    static int counter = 0;
    const std::string tag = std::string(type_name(t)) + "_" + std::to_string(counter++);
    const std::string in = temp_path("d_in_" + tag + ".bin"), out = temp_path("d_out_" + tag + ".f32");
    if (!write_bytes(in, bytes.data(), bytes.size())) {
        *err = "cannot write " + in;
        return std::nullopt;
    }
    if (!run_oracle("dequant-raw " + std::string(type_name(t)) + " " + shell_quote(in) + " " + shell_quote(out) + " " +
                        std::to_string(n),
                    err)) {
        return std::nullopt;
    }
    auto b = read_bytes(out);
    if (!b) {
        *err = "cannot read " + out;
        return std::nullopt;
    }
    return bytes_to_floats(*b);
}

// One tensor of a GGUF file, read through llama.cpp's gguf API and to_float.
inline std::optional<std::vector<float>> oracle_dequant_tensor(const std::string& gguf, const std::string& tensor,
                                                               std::string* err) {
    static int counter = 0;
    const std::string out = temp_path("t_out_" + std::to_string(counter++) + ".f32");
    if (!run_oracle("dequant " + shell_quote(gguf) + " " + shell_quote(tensor) + " " + shell_quote(out), err)) {
        return std::nullopt;
    }
    auto b = read_bytes(out);
    if (!b) {
        *err = "cannot read " + out;
        return std::nullopt;
    }
    return bytes_to_floats(*b);
}

// The per-process scratch folder (temp_path) fills with arrays and models; a test
// file registers this to remove it when its tests end:
//   const auto* cleanup = ::testing::AddGlobalTestEnvironment(new holo::test::remove_scratch_at_end);
struct remove_scratch_at_end : ::testing::Environment {
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(std::filesystem::path(temp_path("x")).parent_path(), ec);
    }
};

}  // namespace holo::test
