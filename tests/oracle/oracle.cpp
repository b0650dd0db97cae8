// Entry point of the llama.cpp oracle (see docs/oracle.md): dispatches the verbs
// and holds the helpers they share (arguments, files, backends, logging).
#include "oracle.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "ggml-backend.h"
#include "llama.h"

namespace oracle {

std::optional<std::string> args::option(const std::string& key) const {
    for (const auto& [k, v] : options) {
        if (k == key) return v;
    }
    return std::nullopt;
}

int64_t args::int_option(const std::string& key, int64_t fallback) const {
    auto v = option(key);
    if (!v) return fallback;
    char* end = nullptr;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0') throw failure("--" + key + " wants an integer, got '" + *v + "'");
    return x;
}

bool args::flag(const std::string& key) const { return option(key).has_value(); }

args parse_args(int argc, char** argv, int first, const std::vector<std::string>& flags) {
    args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.size() > 1 && s[0] == '-' && !(s[1] >= '0' && s[1] <= '9')) {
            std::string key = s.substr(s.find_first_not_of('-'));
            bool is_flag = false;
            for (const auto& f : flags) is_flag = is_flag || f == key;
            if (is_flag) {
                a.options.emplace_back(key, "1");
            } else {
                if (i + 1 >= argc) throw failure("option " + s + " needs a value");
                a.options.emplace_back(key, argv[++i]);
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

ggml_type type_by_name(const std::string& name) {
    for (int t = 0; t < GGML_TYPE_COUNT; ++t) {
        const ggml_type_traits* tr = ggml_get_type_traits(ggml_type(t));
        if (!tr || !tr->type_name || tr->blck_size == 0) continue;  // removed types
        if (strcasecmp(tr->type_name, name.c_str()) == 0) return ggml_type(t);
    }
    throw failure("unknown ggml type '" + name + "'");
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw failure(path + ": cannot open");
    std::streamsize n = f.tellg();
    std::vector<uint8_t> data(static_cast<size_t>(n));
    f.seekg(0);
    if (n > 0 && !f.read(reinterpret_cast<char*>(data.data()), n)) throw failure(path + ": read failed");
    return data;
}

void write_file(const std::string& path, const void* data, size_t n_bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw failure(path + ": cannot create");
    f.write(static_cast<const char*>(data), std::streamsize(n_bytes));
    if (!f) throw failure(path + ": write failed");
}

void load_backends(const std::string& cpu_variant) {
    // The CPU backend comes as one library per instruction set next to libggml;
    // ggml picks the best one this machine runs. Find that folder through the
    // loaded libggml itself, so the oracle works wherever the tree lives.
    static bool loaded = false;
    if (loaded) return;
    loaded = true;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&ggml_backend_load_all_from_path), &info) == 0 || !info.dli_fname) {
        throw failure("cannot locate the loaded libggml");
    }
    std::string dir = info.dli_fname;
    dir = dir.substr(0, dir.find_last_of('/'));
    if (cpu_variant.empty()) {
        ggml_backend_load_all_from_path(dir.c_str());
    } else {
        // One named variant (haswell, skylakex, icelake, sapphirerapids, ...), to see
        // how much llama.cpp's own logits move between its instruction-set builds.
        const std::string lib = dir + "/libggml-cpu-" + cpu_variant + ".so";
        if (!ggml_backend_load(lib.c_str())) throw failure("cannot load " + lib + " (unknown variant, or this CPU lacks its instructions)");
    }
    if (ggml_backend_dev_count() == 0) throw failure("no ggml backend could be loaded from " + dir);
}

static void log_callback(ggml_log_level level, const char* text, void*) {
    static const bool verbose = [] {
        const char* v = std::getenv("ORACLE_VERBOSE");
        return v && std::strcmp(v, "1") == 0;
    }();
    if (verbose || level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

void quiet_logs() {
    ggml_log_set(log_callback, nullptr);
    llama_log_set(log_callback, nullptr);
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace oracle

static const char* usage =
    "usage: oracle VERB ...   (llama.cpp's answers for Holobiont's tests; docs/oracle.md)\n"
    "  version                                   llama.cpp build and system info\n"
    "  quantize-raw TYPE IN.f32 OUT.bin N_PER_ROW ggml_quantize_chunk, no imatrix\n"
    "  quantize-act TYPE IN.f32 OUT.bin N_PER_ROW [--cpu VARIANT]   the CPU backend's from_float\n"
    "  dequant-raw TYPE IN.bin OUT.f32 N         ggml's to_float on N elements\n"
    "  info FILE.gguf                            header, metadata keys, tensors (JSON)\n"
    "  dequant FILE.gguf TENSOR OUT.f32          one tensor through gguf + to_float\n"
    "  quantize IN.gguf OUT.gguf FTYPE [--threads N] [--pure]   llama_model_quantize\n"
    "  logits FILE.gguf TOKENS [--out OUT.f32] [--threads N] [--kv f16|f32] [--flash-attn auto|off]\n"
    "         [--cpu VARIANT] [--no-repack] [--dump DIR [--dump-filter TEXT]]   logits of every position\n"
    "  bench FILE.gguf [--threads N] [-p 512] [-n 128] [-r 3]   prefill/decode tok/s\n";

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(usage, stderr);
        return 2;
    }
    const std::string verb = argv[1];
    oracle::quiet_logs();
    try {
        using namespace oracle;
        if (verb == "version") {
            load_backends();
            std::printf("{\"llama_system_info\":\"%s\"}\n", json_escape(llama_print_system_info()).c_str());
            return 0;
        }
        if (verb == "quantize-raw") return verb_quantize_raw(parse_args(argc, argv, 2, {}));
        if (verb == "quantize-act") return verb_quantize_act(parse_args(argc, argv, 2, {}));
        if (verb == "dequant-raw") return verb_dequant_raw(parse_args(argc, argv, 2, {}));
        if (verb == "info") return verb_info(parse_args(argc, argv, 2, {}));
        if (verb == "dequant") return verb_dequant(parse_args(argc, argv, 2, {}));
        if (verb == "quantize") return verb_quantize(parse_args(argc, argv, 2, {"pure"}));
        if (verb == "logits") return verb_logits(parse_args(argc, argv, 2, {"no-repack"}));
        if (verb == "bench") return verb_bench(parse_args(argc, argv, 2, {}));
        std::fprintf(stderr, "oracle: unknown verb '%s'\n%s", verb.c_str(), usage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "oracle %s: %s\n", verb.c_str(), e.what());
        return 1;
    }
}
