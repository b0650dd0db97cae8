// libFuzzer target for the whole load path of a downloaded model: the bytes are
// written to a private file (load_model maps a path, as the CLI and server do),
// then hyper-parameters, weight binding and the vocabulary are loaded. A rejected
// file must give an error naming it; an accepted one must have a tokenizer whose
// ids are in range. Abort, sanitizer report or allocation over the cap = finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a finding
}

const std::string& scratch_path() {
    static const std::string path = "/dev/shm/holo_fuzz_load_model_" + std::to_string(getpid()) + ".gguf";
    return path;
}

void check_tokenizer(const holo::gguf_file& file) {
    auto tok = holo::tokenizer::from_gguf(file);
    if (!tok) {
        require(!tok.message().empty());
        return;
    }
    const int32_t n = tok.value()->n_vocab();
    for (const char* text : {"Hello, world! 12345", "<|im_start|>user\n\xE4\xBD\xA0\xFF", ""}) {
        for (int32_t id : tok.value()->encode(text, true, true)) {
            require(id >= 0 && id < n);
            (void)tok.value()->token_to_piece(id);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = scratch_path();
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    const bool written = std::fwrite(data, 1, size, f) == size;
    std::fclose(f);
    if (!written) return 0;

    auto m = holo::load_model(path);
    if (!m) {
        require(m.message().find(path) != std::string::npos);
        // The vocabulary loads on its own too (a file with a bad architecture
        // still gets its tokenizer read by `holo tokenize`).
        auto file = holo::gguf_file::parse({data, size}, "fuzz.gguf");
        if (file) check_tokenizer(file.value());
    } else {
        const auto& hp = m.value()->hp();
        require(hp.n_layer > 0 && m.value()->layers().size() == size_t(hp.n_layer));
        check_tokenizer(m.value()->file());
    }
    std::remove(path.c_str());
    return 0;
}
