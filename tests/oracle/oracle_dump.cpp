// The logits verb's --dump: llama.cpp's graph evaluation callback (cb_eval) writes
// every computed tensor whose name matches to a folder, as f32 rows, so a test or a
// person can diff llama.cpp's intermediates with Holobiont's (forward's
// tensor_callback) and find the first op where the two passes part.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "oracle.h"

namespace oracle {

namespace {

// Element (i0, i1, i2, i3) of t as f32; f32 and f16 tensors, any strides.
float element(const ggml_tensor* t, const std::vector<uint8_t>& bytes, int64_t i0, int64_t i1, int64_t i2, int64_t i3) {
    const size_t off = size_t(i0 * t->nb[0] + i1 * t->nb[1] + i2 * t->nb[2] + i3 * t->nb[3]);
    if (t->type == GGML_TYPE_F32) {
        float v;
        std::memcpy(&v, bytes.data() + off, sizeof v);
        return v;
    }
    if (t->type == GGML_TYPE_I32) {
        int32_t v;
        std::memcpy(&v, bytes.data() + off, sizeof v);
        return float(v);
    }
    ggml_fp16_t h;
    std::memcpy(&h, bytes.data() + off, sizeof h);
    return ggml_fp16_to_fp32(h);
}

}  // namespace

bool dump_eval_callback(ggml_tensor* t, bool ask, void* user) {
    auto* d = static_cast<tensor_dump*>(user);
    const bool wanted = (t->type == GGML_TYPE_F32 || t->type == GGML_TYPE_F16 || t->type == GGML_TYPE_I32) &&
                        t->name[0] != '\0' && (d->filter.empty() || std::strstr(t->name, d->filter.c_str()));
    if (ask) return wanted;
    if (!wanted) return true;
    // The whole byte range the view spans, then a strided walk.
    const size_t n_bytes = ggml_nbytes(t);
    std::vector<uint8_t> bytes(n_bytes);
    ggml_backend_tensor_get(t, bytes.data(), 0, n_bytes);
    std::vector<float> out;
    out.reserve(size_t(ggml_nelements(t)));
    for (int64_t i3 = 0; i3 < t->ne[3]; ++i3)
        for (int64_t i2 = 0; i2 < t->ne[2]; ++i2)
            for (int64_t i1 = 0; i1 < t->ne[1]; ++i1)
                for (int64_t i0 = 0; i0 < t->ne[0]; ++i0) out.push_back(element(t, bytes, i0, i1, i2, i3));
    // A name can repeat within a graph (views); number the repeats.
    std::string name = t->name;
    for (char& c : name)
        if (c == '/' || c == ' ') c = '_';
    int& seen = d->seen[name];
    const std::string file = name + (seen ? "#" + std::to_string(seen) : "") + ".f32";
    ++seen;
    write_file(d->dir + "/" + file, out.data(), out.size() * sizeof(float));
    char line[512];
    std::snprintf(line, sizeof line, "%s %s %s %lld %lld %lld %lld\n", file.c_str(), ggml_op_desc(t),
                  ggml_type_name(t->type), (long long)t->ne[0], (long long)t->ne[1], (long long)t->ne[2],
                  (long long)t->ne[3]);
    d->index += line;
    return true;
}

}  // namespace oracle
