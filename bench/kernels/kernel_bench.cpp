// Kernel lab: GB/s of the q4_K / q6_K matrix-vector products at the Qwen3-30B-A3B
// expert shapes, next to the machine's streaming-read bandwidth and, when llama.cpp's
// CPU backend library is given (--ggml PATH), ggml's own vec_dot on the same data.
//
// "cold": the weights cycle through copies totalling > the last-level cache, as in a
// decode step where every matrix is read once from DRAM. "hot": one matrix again and
// again (it fits in L2/L3), the kernels' compute ceiling.
#include <dlfcn.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/cpu_ops.h"
#include "quant/tensor_type.h"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Runs fn repeatedly for about `budget` seconds (at least twice), returns the best
// per-call time of 3 rounds.
double time_best(const std::function<void()>& fn, double budget) {
    double best = 1e30;
    for (int round = 0; round < 3; ++round) {
        int calls = 0;
        const auto t0 = clock_type::now();
        do {
            fn();
            ++calls;
        } while (seconds_since(t0) < budget / 3 || calls < 2);
        best = std::min(best, seconds_since(t0) / calls);
    }
    return best;
}

double stream_read_gbs(int n_threads, size_t bytes) {
    std::vector<uint8_t> buf(bytes, 1);
    holo::thread_pool pool(n_threads);
    volatile int64_t sink = 0;
    const double t = time_best([&] {
        pool.run([&](int ith, int nth) {
            const size_t per = bytes / nth / 64 * 64;
            const __m256i* p = reinterpret_cast<const __m256i*>(buf.data() + ith * per);
            __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t i = 0; i < per / 32; i += 4) {
                a0 = _mm256_add_epi64(a0, _mm256_load_si256(p + i));
                a1 = _mm256_add_epi64(a1, _mm256_load_si256(p + i + 1));
                a2 = _mm256_add_epi64(a2, _mm256_load_si256(p + i + 2));
                a3 = _mm256_add_epi64(a3, _mm256_load_si256(p + i + 3));
            }
            const __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
            sink = sink + _mm256_extract_epi64(s, 0);
        });
    }, 1.5);
    return double(bytes) / t / 1e9;
}

// ggml's CPU type traits, laid out as in ggml-cpu.h (read as a fact; nothing linked).
using ggml_vec_dot_t = void (*)(int n, float* s, size_t bs, const void* x, size_t bx, const void* y, size_t by, int nrc);
using ggml_from_float_t = void (*)(const float* x, void* y, int64_t k);
struct ggml_type_traits_cpu {
    ggml_from_float_t from_float;
    ggml_vec_dot_t vec_dot;
    int vec_dot_type;
    int64_t nrows;
};
using get_traits_fn = const ggml_type_traits_cpu* (*)(int type);

struct ggml_lib {
    get_traits_fn get_traits = nullptr;
    bool load(const char* path) {
        void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            std::fprintf(stderr, "kernel_bench: cannot load %s: %s\n", path, dlerror());
            return false;
        }
        auto init = reinterpret_cast<void (*)()>(dlsym(h, "ggml_cpu_init"));
        get_traits = reinterpret_cast<get_traits_fn>(dlsym(h, "ggml_get_type_traits_cpu"));
        if (!init || !get_traits) return false;
        init();
        return true;
    }
};

struct matrix_set {
    holo::tensor_type type;
    int64_t n_cols, n_rows;
    size_t row_bytes, bytes;
    std::vector<uint8_t> data;  // n_copies matrices back to back
    int n_copies;
};

matrix_set make_set(holo::tensor_type type, int64_t n_cols, int64_t n_rows, size_t min_total) {
    matrix_set m{type, n_cols, n_rows, *holo::row_bytes(type, n_cols), 0, {}, 0};
    m.bytes = m.row_bytes * n_rows;
    m.n_copies = int(std::max<size_t>(1, (min_total + m.bytes - 1) / m.bytes));
    m.data.resize(m.bytes * m.n_copies);
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> row(n_cols);
    for (int64_t r = 0; r < n_rows; ++r) {
        for (float& f : row) f = dist(rng);
        holo::traits_of(type).quantize_row(row.data(), m.data.data() + r * m.row_bytes, n_cols);
    }
    for (int c = 1; c < m.n_copies; ++c) std::memcpy(m.data.data() + c * m.bytes, m.data.data(), m.bytes);
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    const char* ggml_path = nullptr;
    size_t cold_bytes = size_t(2) << 30;
    bool quick = false;
    std::string only_type;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--ggml" && i + 1 < argc) ggml_path = argv[++i];
        else if (a == "--cold-mib" && i + 1 < argc) cold_bytes = size_t(std::atol(argv[++i])) << 20;
        else if (a == "--quick") quick = true;  // one shape, one token: for tuning runs
        else if (a == "--type" && i + 1 < argc) only_type = argv[++i];
        else {
            std::fprintf(stderr, "usage: kernel_bench [--ggml libggml-cpu-*.so] [--cold-mib N] [--quick] [--type q4_K|q6_K]\n");
            return 2;
        }
    }
    ggml_lib ggml;
    const bool have_ggml = ggml_path && ggml.load(ggml_path);
    std::printf("isa: %s\n", std::string(holo::cpu_isa_name(holo::active_cpu_isa())).c_str());
    for (int nt : {1, 2}) std::printf("stream read, %d thread(s): %.1f GB/s\n", nt, stream_read_gbs(nt, cold_bytes));
    {
        // A decode step opens hundreds of parallel regions: their fixed cost matters.
        holo::thread_pool pool(2);
        volatile int sink = 0;
        const double t = time_best([&] { pool.run([&](int ith, int) { sink = ith; }); }, 0.5);
        std::printf("thread_pool(2) empty region: %.2f us\n", t * 1e6);
    }

    struct shape {
        int64_t n_cols, n_rows;
    };
    const shape shapes[] = {{2048, 768}, {768, 2048}, {2048, 4096}};
    std::printf("\n%-5s %-10s %-3s %-6s %10s %10s %10s %10s\n", "type", "cols x rows", "thr", "tokens", "holo cold",
                "holo hot", "ggml cold", "ggml hot");
    for (holo::tensor_type type : {holo::tensor_type::q4_k, holo::tensor_type::q6_k}) {
        if (!only_type.empty() && holo::type_name(type) != only_type) continue;
        for (const shape& s : shapes) {
            if (quick && s.n_cols != 2048) continue;
            matrix_set m = make_set(type, s.n_cols, s.n_rows, cold_bytes);
            for (int nt : {1, 2}) {
                holo::thread_pool pool(nt);
                for (int64_t n_tok : {int64_t(1), int64_t(8), int64_t(64)}) {
                    if (quick && n_tok != 1) continue;
                    std::vector<float> x(s.n_cols * n_tok), y(s.n_rows * n_tok);
                    std::mt19937 rng(7);
                    std::normal_distribution<float> dist(0.0f, 1.0f);
                    for (float& f : x) f = dist(rng);
                    int copy = 0;
                    const auto run_holo = [&](bool cold) {
                        const uint8_t* w = m.data.data() + (cold ? copy++ % m.n_copies : 0) * m.bytes;
                        holo::matmul({type, w, s.n_cols, s.n_rows, m.row_bytes}, x.data(), n_tok, y.data(), pool);
                    };
                    const double gb = double(m.bytes) / 1e9;
                    const double holo_cold = gb / time_best([&] { run_holo(true); }, 1.0);
                    const double holo_hot = gb / time_best([&] { run_holo(false); }, 0.6);
                    double g_cold = 0, g_hot = 0;
                    if (have_ggml && n_tok == 1) {
                        const ggml_type_traits_cpu* tr = ggml.get_traits(int(type));
                        const ggml_type_traits_cpu* yt = ggml.get_traits(tr->vec_dot_type);
                        std::vector<uint8_t> yq(*holo::row_bytes(holo::tensor_type::q8_k, s.n_cols));
                        const auto run_ggml = [&](bool cold) {
                            const uint8_t* w = m.data.data() + (cold ? copy++ % m.n_copies : 0) * m.bytes;
                            yt->from_float(x.data(), yq.data(), s.n_cols);  // as ggml does per call
                            pool.run([&](int ith, int nth) {
                                const int64_t r0 = s.n_rows * ith / nth, r1 = s.n_rows * (ith + 1) / nth;
                                for (int64_t r = r0; r < r1; ++r) {
                                    tr->vec_dot(int(s.n_cols), &y[r], 0, w + r * m.row_bytes, 0, yq.data(), 0, 1);
                                }
                            });
                        };
                        g_cold = gb / time_best([&] { run_ggml(true); }, 1.0);
                        g_hot = gb / time_best([&] { run_ggml(false); }, 0.6);
                    }
                    char dims[32];
                    std::snprintf(dims, sizeof dims, "%ldx%ld", long(s.n_cols), long(s.n_rows));
                    std::printf("%-5s %-11s %-3d %-6ld %10.1f %10.1f %10.1f %10.1f\n",
                                std::string(holo::type_name(type)).c_str(), dims, nt, long(n_tok), holo_cold,
                                holo_hot, g_cold, g_hot);
                    std::fflush(stdout);
                }
            }
        }
    }
    std::printf("\nGB/s = weight bytes / time per call (activation quantization included); ggml columns: "
                "ggml's vec_dot per row (no repacking), 0 when not measured\n");
    return 0;
}
