// The llama.cpp oracle: a small program of ours, linked with llama.cpp's prebuilt
// libraries, that answers what llama.cpp would do (quantize, dequantize, logits,
// speed) so the tests can compare Holobiont with it. Shared helpers of the verbs.
#pragma once

#include <cstdint>
#include <map>
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

// Loads the backend libraries found next to libggml: every CPU variant (ggml picks
// the best this machine runs), or only libggml-cpu-<cpu_variant>.so. Once per process.
void load_backends(const std::string& cpu_variant = "");
// Only warnings and errors of llama.cpp reach stderr, unless ORACLE_VERBOSE=1.
void quiet_logs();

std::string json_escape(const std::string& s);

// logits --dump DIR [--dump-filter TEXT]: every f32/f16/i32 tensor llama.cpp computes
// whose name contains filter goes to DIR/<name>.f32 (elements in ne order, repeats
// of a name as <name>#1.f32 ...); index lists "file op type ne0 ne1 ne2 ne3" lines.
struct tensor_dump {
    std::string dir, filter, index;
    std::map<std::string, int> seen;
};
bool dump_eval_callback(ggml_tensor* t, bool ask, void* user);  // user: tensor_dump*

// Verbs. Each returns the process exit code or throws `failure`.
int verb_quantize_raw(const args& a);
int verb_dequant_raw(const args& a);
int verb_quantize_act(const args& a);
int verb_dequant(const args& a);
int verb_info(const args& a);
int verb_quantize(const args& a);
int verb_logits(const args& a);
int verb_bench(const args& a);

}  // namespace oracle
