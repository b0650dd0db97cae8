// libFuzzer target for the GGUF reader: any byte string must either parse into a
// file whose every tensor range lies inside the input, or give an error naming the
// input; never crash, read out of bounds, or allocate far beyond the input's size.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "gguf/gguf_file.h"

namespace {

// Walks a value so nested arrays and strings are touched, returns a checksum.
uint64_t walk(const holo::gguf_value& v) {
    uint64_t h = static_cast<uint64_t>(v.type);
    if (const auto* a = v.as_array()) {
        for (const auto& item : a->items) h = h * 31 + walk(item);
    } else if (const auto* s = v.as_string()) {
        h += s->size() + (s->empty() ? 0 : static_cast<uint8_t>(s->back()));
    } else if (auto u = v.as_uint()) {
        h += *u;
    }
    return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto f = holo::gguf_file::parse(std::span<const uint8_t>(data, size), "fuzz");
    if (!f.ok()) {
        HOLO_ASSERT(f.message().rfind("fuzz: ", 0) == 0, "errors must start with the input's name");
        return 0;
    }
    volatile uint64_t sink = 0;
    for (const auto& kv : f->metadata()) {
        HOLO_ASSERT(f->find(kv.key) == &kv.value, "find() must return the key's own value");
        sink = sink + walk(kv.value);
        // Typed getters must answer (value or error), never crash.
        (void)f->get_uint(kv.key);
        (void)f->get_float(kv.key);
        (void)f->get_bool(kv.key);
        (void)f->get_string(kv.key);
    }
    HOLO_ASSERT(f->alignment() != 0 && (f->alignment() & (f->alignment() - 1)) == 0, "alignment power of two");
    for (const auto& t : f->tensors()) {
        HOLO_ASSERT(f->find_tensor(t.name) == &t, "find_tensor() must return the tensor itself");
        HOLO_ASSERT(f->data_offset() + t.offset + t.n_bytes <= size, "tensor range inside the input");
        auto d = f->tensor_data(t);
        HOLO_ASSERT(d.size() == t.n_bytes && t.n_bytes > 0, "tensor_data size");
        sink = sink + d[0] + d[d.size() - 1];  // ASan checks both ends are readable
        sink = sink + t.n_elements();
    }
    return 0;
}
