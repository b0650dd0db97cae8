// The llama.cpp oracle: a small program of ours, linked with llama.cpp's prebuilt
// libraries, that answers what llama.cpp would do (quantize, dequantize, logits,
// speed) so the tests can compare Holobiont with it. Shared helpers of the verbs.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ggml.h"

namespace oracle {

// Any failure: main() prints "oracle <verb>: <message>" and exits 1.
struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Command line after the verb: positional arguments and --key value options.
struct args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;

    std::optional<std::string> option(const std::string& key) const;
    int64_t int_option(const std::string& key, int64_t fallback) const;
    bool flag(const std::string& key) const;  // --key given (value ignored)
};
args parse_args(int argc, char** argv, int first, const std::vector<std::string>& flags);

// ggml type by its name, case-insensitive ("q4_K", "Q4_K", "bf16").
ggml_type type_by_name(const std::string& name);

std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const void* data, size_t n_bytes);

// Loads every backend library (CPU variants included) found next to libggml.
void load_backends();
// Only warnings and errors of llama.cpp reach stderr, unless ORACLE_VERBOSE=1.
void quiet_logs();

std::string json_escape(const std::string& s);

// Verbs. Each returns the process exit code or throws `failure`.
int verb_quantize_raw(const args& a);
int verb_dequant_raw(const args& a);
int verb_dequant(const args& a);
int verb_info(const args& a);
int verb_quantize(const args& a);
int verb_logits(const args& a);
int verb_bench(const args& a);

}  // namespace oracle
