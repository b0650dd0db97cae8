// Oracle verbs on raw arrays and GGUF tensors: ggml's own quantizer
// (ggml_quantize_chunk, no importance matrix), the CPU backend's activation
// quantizers, ggml's to_float, and reading a GGUF file through ggml's gguf API. The per-type tests compare Holobiont with these.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "ggml.h"
#include "gguf.h"
#include "oracle.h"

namespace oracle {

static int64_t parse_count(const std::string& s, const char* what) {
    char* end = nullptr;
    long long x = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || x <= 0) throw failure(std::string(what) + " must be a positive integer, got '" + s + "'");
    return x;
}

static void to_float(ggml_type type, const void* src, float* dst, int64_t n) {
    if (type == GGML_TYPE_F32) {
        std::memcpy(dst, src, size_t(n) * sizeof(float));
        return;
    }
    const ggml_type_traits* tr = ggml_get_type_traits(type);
    if (!tr->to_float) throw failure(std::string("ggml has no to_float for ") + tr->type_name);
    tr->to_float(src, dst, n);
}

// quantize-raw TYPE IN.f32 OUT.bin N_PER_ROW
int verb_quantize_raw(const args& a) {
    if (a.positional.size() != 4) throw failure("usage: quantize-raw TYPE IN.f32 OUT.bin N_PER_ROW");
    const ggml_type type = type_by_name(a.positional[0]);
    const int64_t n_per_row = parse_count(a.positional[3], "N_PER_ROW");
    std::vector<uint8_t> in = read_file(a.positional[1]);
    if (in.size() % sizeof(float) != 0) throw failure(a.positional[1] + ": size is not a multiple of 4 bytes");
    const int64_t n = int64_t(in.size() / sizeof(float));
    if (n == 0 || n % n_per_row != 0) {
        throw failure(a.positional[1] + ": " + std::to_string(n) + " floats is not a whole number of rows of " +
                      std::to_string(n_per_row));
    }
    if (n_per_row % ggml_blck_size(type) != 0) {
        throw failure("N_PER_ROW " + std::to_string(n_per_row) + " is not a multiple of the block size " +
                      std::to_string(ggml_blck_size(type)) + " of " + ggml_type_name(type));
    }
    if (ggml_quantize_requires_imatrix(type)) throw failure(std::string(ggml_type_name(type)) + " needs an importance matrix");
    const int64_t n_rows = n / n_per_row;
    std::vector<float> src(static_cast<size_t>(n));
    std::memcpy(src.data(), in.data(), in.size());
    std::vector<uint8_t> dst(size_t(n_rows) * ggml_row_size(type, n_per_row));
    size_t written = 0;
    if (type == GGML_TYPE_Q8_1 || type == GGML_TYPE_Q8_K) {
        // Activation formats: ggml_quantize_chunk has no case for them, so use
        // the type's own reference row quantizer, row by row.
        const ggml_type_traits* tr = ggml_get_type_traits(type);
        if (!tr->from_float_ref) throw failure(std::string("ggml's public API has no reference quantizer for ") + tr->type_name);
        const size_t row = ggml_row_size(type, n_per_row);
        for (int64_t r = 0; r < n_rows; ++r) {
            tr->from_float_ref(src.data() + r * n_per_row, dst.data() + size_t(r) * row, n_per_row);
        }
        written = size_t(n_rows) * row;
    } else {
        written = ggml_quantize_chunk(type, src.data(), dst.data(), 0, n_rows, n_per_row, nullptr);
    }
    if (written != dst.size()) {
        throw failure("ggml_quantize_chunk wrote " + std::to_string(written) + " bytes, expected " + std::to_string(dst.size()));
    }
    write_file(a.positional[2], dst.data(), dst.size());
    std::printf("{\"type\":\"%s\",\"n_rows\":%lld,\"n_per_row\":%lld,\"bytes\":%zu}\n", ggml_type_name(type),
                (long long)n_rows, (long long)n_per_row, dst.size());
    return 0;
}

// dequant-raw TYPE IN.bin OUT.f32 N
int verb_dequant_raw(const args& a) {
    if (a.positional.size() != 4) throw failure("usage: dequant-raw TYPE IN.bin OUT.f32 N");
    const ggml_type type = type_by_name(a.positional[0]);
    const int64_t n = parse_count(a.positional[3], "N");
    if (n % ggml_blck_size(type) != 0) {
        throw failure("N " + std::to_string(n) + " is not a multiple of the block size of " + ggml_type_name(type));
    }
    std::vector<uint8_t> in = read_file(a.positional[1]);
    const size_t want = ggml_row_size(type, n);
    if (in.size() != want) {
        throw failure(a.positional[1] + ": " + std::to_string(in.size()) + " bytes, but " + std::to_string(n) + " " +
                      ggml_type_name(type) + " elements take " + std::to_string(want));
    }
    std::vector<float> out(static_cast<size_t>(n));
    to_float(type, in.data(), out.data(), n);
    write_file(a.positional[2], out.data(), out.size() * sizeof(float));
    std::printf("{\"type\":\"%s\",\"n\":%lld}\n", ggml_type_name(type), (long long)n);
    return 0;
}

namespace {

// Owns a gguf_context opened header-only (tensor data is read on demand).
struct gguf_file {
    gguf_context* ctx = nullptr;
    explicit gguf_file(const std::string& path) {
        gguf_init_params params{};
        params.no_alloc = true;
        params.ctx = nullptr;
        ctx = gguf_init_from_file(path.c_str(), params);
        if (!ctx) throw failure(path + ": llama.cpp's gguf reader rejects the file (ORACLE_VERBOSE=1 says why)");
    }
    ~gguf_file() { gguf_free(ctx); }
    gguf_file(const gguf_file&) = delete;
    gguf_file& operator=(const gguf_file&) = delete;
};

// ne with the trailing 1s gguf pads to GGML_MAX_DIMS removed (at least one dim).
std::string ne_json(const int64_t* ne) {
    int n_dims = GGML_MAX_DIMS;
    while (n_dims > 1 && ne[n_dims - 1] == 1) --n_dims;
    std::string s = "[";
    for (int d = 0; d < n_dims; ++d) s += (d ? "," : "") + std::to_string(ne[d]);
    return s + "]";
}

std::string scalar_json(const gguf_context* ctx, int64_t id, gguf_type t) {
    char buf[64];
    switch (t) {
        case GGUF_TYPE_UINT8: return std::to_string(gguf_get_val_u8(ctx, id));
        case GGUF_TYPE_INT8: return std::to_string(gguf_get_val_i8(ctx, id));
        case GGUF_TYPE_UINT16: return std::to_string(gguf_get_val_u16(ctx, id));
        case GGUF_TYPE_INT16: return std::to_string(gguf_get_val_i16(ctx, id));
        case GGUF_TYPE_UINT32: return std::to_string(gguf_get_val_u32(ctx, id));
        case GGUF_TYPE_INT32: return std::to_string(gguf_get_val_i32(ctx, id));
        case GGUF_TYPE_UINT64: return std::to_string(gguf_get_val_u64(ctx, id));
        case GGUF_TYPE_INT64: return std::to_string(gguf_get_val_i64(ctx, id));
        case GGUF_TYPE_FLOAT32: std::snprintf(buf, sizeof buf, "%.9g", gguf_get_val_f32(ctx, id)); return buf;
        case GGUF_TYPE_FLOAT64: std::snprintf(buf, sizeof buf, "%.17g", gguf_get_val_f64(ctx, id)); return buf;
        case GGUF_TYPE_BOOL: return gguf_get_val_bool(ctx, id) ? "true" : "false";
        case GGUF_TYPE_STRING: return "\"" + json_escape(gguf_get_val_str(ctx, id)) + "\"";
        default: return "null";
    }
}

}  // namespace

// info FILE.gguf: what llama.cpp's gguf reader sees (arrays by element type and
// length only; tensor offsets relative to the data section).
int verb_info(const args& a) {
    if (a.positional.size() != 1) throw failure("usage: info FILE.gguf");
    gguf_file f(a.positional[0]);
    const gguf_context* ctx = f.ctx;
    std::string out = "{\"version\":" + std::to_string(gguf_get_version(ctx)) +
                      ",\"alignment\":" + std::to_string(gguf_get_alignment(ctx)) +
                      ",\"data_offset\":" + std::to_string(gguf_get_data_offset(ctx)) + ",\"kv\":[";
    for (int64_t i = 0; i < gguf_get_n_kv(ctx); ++i) {
        const gguf_type t = gguf_get_kv_type(ctx, i);
        out += i ? "," : "";
        out += "{\"key\":\"" + json_escape(gguf_get_key(ctx, i)) + "\",\"type\":\"" + gguf_type_name(t) + "\"";
        if (t == GGUF_TYPE_ARRAY) {
            out += ",\"element_type\":\"" + std::string(gguf_type_name(gguf_get_arr_type(ctx, i))) +
                   "\",\"n\":" + std::to_string(gguf_get_arr_n(ctx, i));
        } else {
            out += ",\"value\":" + scalar_json(ctx, i, t);
        }
        out += "}";
    }
    out += "],\"tensors\":[";
    for (int64_t i = 0; i < gguf_get_n_tensors(ctx); ++i) {
        out += i ? "," : "";
        out += "{\"name\":\"" + json_escape(gguf_get_tensor_name(ctx, i)) + "\",\"type\":\"" +
               ggml_type_name(gguf_get_tensor_type(ctx, i)) + "\",\"ne\":" + ne_json(gguf_get_tensor_ne(ctx, i)) +
               ",\"offset\":" + std::to_string(gguf_get_tensor_offset(ctx, i)) +
               ",\"size\":" + std::to_string(gguf_get_tensor_size(ctx, i)) + "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
}

// dequant FILE.gguf TENSOR OUT.f32: the tensor's values as llama.cpp reads them.
int verb_dequant(const args& a) {
    if (a.positional.size() != 3) throw failure("usage: dequant FILE.gguf TENSOR OUT.f32");
    const std::string& path = a.positional[0];
    const std::string& name = a.positional[1];
    gguf_file f(path);
    const int64_t id = gguf_find_tensor(f.ctx, name.c_str());
    if (id < 0) throw failure(path + ": no tensor '" + name + "'");
    const ggml_type type = gguf_get_tensor_type(f.ctx, id);
    const int64_t* ne = gguf_get_tensor_ne(f.ctx, id);
    int64_t n = 1;
    for (int d = 0; d < GGML_MAX_DIMS; ++d) n *= ne[d];
    const size_t size = gguf_get_tensor_size(f.ctx, id);
    const size_t begin = gguf_get_data_offset(f.ctx) + gguf_get_tensor_offset(f.ctx, id);

    std::FILE* fp = std::fopen(path.c_str(), "rb");
    if (!fp) throw failure(path + ": cannot open");
    std::vector<uint8_t> bytes(size);
    const bool ok = std::fseek(fp, long(begin), SEEK_SET) == 0 && std::fread(bytes.data(), 1, size, fp) == size;
    std::fclose(fp);
    if (!ok) throw failure(path + ": tensor '" + name + "' data (" + std::to_string(size) + " bytes at " +
                           std::to_string(begin) + ") runs past the end of the file");
    std::vector<float> out(static_cast<size_t>(n));
    to_float(type, bytes.data(), out.data(), n);
    write_file(a.positional[2], out.data(), out.size() * sizeof(float));
    std::printf("{\"tensor\":\"%s\",\"type\":\"%s\",\"ne\":%s,\"n\":%lld}\n", json_escape(name).c_str(),
                ggml_type_name(type), ne_json(ne).c_str(), (long long)n);
    return 0;
}

}  // namespace oracle

namespace oracle {

// The CPU backend's own type traits (from_float is the SIMD activation quantizer a
// matmul uses, not the reference one). The backend is a library ggml loaded at run
// time, so find it through one of its functions and look the symbol up there.
static const ggml_type_traits_cpu* cpu_traits(ggml_type type, const std::string& cpu_variant) {
    load_backends(cpu_variant);
    ggml_backend_reg_t reg = ggml_backend_reg_by_name("CPU");
    if (!reg) throw failure("no CPU backend was loaded");
    void* fn = ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features");
    Dl_info info{};
    if (!fn || dladdr(fn, &info) == 0 || !info.dli_fname) throw failure("cannot locate the CPU backend library");
    void* lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (!lib) throw failure(std::string("cannot reopen ") + info.dli_fname);
    using init_fn = void (*)();
    using traits_fn = const ggml_type_traits_cpu* (*)(ggml_type);
    auto init = reinterpret_cast<init_fn>(dlsym(lib, "ggml_cpu_init"));
    auto traits = reinterpret_cast<traits_fn>(dlsym(lib, "ggml_get_type_traits_cpu"));
    if (!init || !traits) throw failure(std::string(info.dli_fname) + " exports no ggml_get_type_traits_cpu");
    init();
    const ggml_type_traits_cpu* t = traits(type);
    if (!t || !t->from_float) throw failure(std::string("the CPU backend has no from_float for ") + ggml_type_name(type));
    return t;
}

// quantize-act TYPE IN.f32 OUT.bin N_PER_ROW [--cpu VARIANT]: the CPU backend's
// from_float, row by row (what a matmul does to its f32 activations).
int verb_quantize_act(const args& a) {
    if (a.positional.size() != 4) throw failure("usage: quantize-act TYPE IN.f32 OUT.bin N_PER_ROW [--cpu VARIANT]");
    const ggml_type type = type_by_name(a.positional[0]);
    const int64_t n_per_row = parse_count(a.positional[3], "N_PER_ROW");
    std::vector<uint8_t> in = read_file(a.positional[1]);
    const int64_t n = int64_t(in.size() / sizeof(float));
    if (in.size() % sizeof(float) != 0 || n == 0 || n % n_per_row != 0 || n_per_row % ggml_blck_size(type) != 0) {
        throw failure(a.positional[1] + ": not whole rows of " + std::to_string(n_per_row) + " floats in blocks of " +
                      std::to_string(ggml_blck_size(type)));
    }
    const ggml_type_traits_cpu* tr = cpu_traits(type, a.option("cpu").value_or(""));
    std::vector<float> src(static_cast<size_t>(n));
    std::memcpy(src.data(), in.data(), in.size());
    const size_t row = ggml_row_size(type, n_per_row);
    const int64_t n_rows = n / n_per_row;
    std::vector<uint8_t> dst(row * size_t(n_rows));
    for (int64_t r = 0; r < n_rows; ++r) tr->from_float(src.data() + r * n_per_row, dst.data() + size_t(r) * row, n_per_row);
    write_file(a.positional[2], dst.data(), dst.size());
    std::printf("{\"type\":\"%s\",\"n_rows\":%lld,\"n_per_row\":%lld,\"bytes\":%zu}\n", ggml_type_name(type),
                (long long)n_rows, (long long)n_per_row, dst.size());
    return 0;
}

}  // namespace oracle
