// `holo convert-vocab tokenizer.json [--config tokenizer_config.json] -o vocab.gguf`:
// a vocabulary-only GGUF (tokenizer.ggml.* metadata, no tensors) from a Hugging
// Face tokenizer, for tests and for `holo synth` models with a real vocabulary.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/hf_vocab_import.h"
#include "tokenizer/tokenizer.h"

namespace {

struct flags {
    std::string tokenizer_json, config, output, arch;
};

int run(const flags& f) {
    auto kv = holo::import_hf_vocab_files(f.tokenizer_json, f.config);
    if (!kv.ok()) {
        std::fprintf(stderr, "holo convert-vocab: %s\n", kv.message().c_str());
        return 1;
    }
    // Load it once as the engine would, so a file that cannot tokenize is never written.
    auto tok = holo::tokenizer::from_metadata(*kv, f.tokenizer_json);
    if (!tok.ok()) {
        std::fprintf(stderr, "holo convert-vocab: %s\n", tok.message().c_str());
        return 1;
    }
    holo::gguf_writer w;
    if (!f.arch.empty()) w.set("general.architecture", holo::gguf_value::make_string(f.arch));
    for (auto& e : *kv) w.set(e.key, e.value);
    if (auto r = w.begin(f.output); !r.ok()) {
        std::fprintf(stderr, "holo convert-vocab: %s\n", r.message().c_str());
        return 1;
    }
    if (auto r = w.finish(); !r.ok()) {
        std::fprintf(stderr, "holo convert-vocab: %s\n", r.message().c_str());
        return 1;
    }
    std::printf("%s: %d tokens\n", f.output.c_str(), (*tok)->n_vocab());
    return 0;
}

std::function<int()> setup(CLI::App& app) {
    auto f = std::make_shared<flags>();
    app.add_option("tokenizer_json", f->tokenizer_json, "Hugging Face tokenizer.json")->required();
    app.add_option("--config", f->config, "tokenizer_config.json (default: next to tokenizer.json)");
    app.add_option("-o,--output", f->output, "GGUF file to write")->required();
    app.add_option("--arch", f->arch, "general.architecture to record (optional)");
    return [f] { return run(*f); };
}

}  // namespace

HOLO_COMMAND("convert-vocab", "GGUF vocabulary metadata from a Hugging Face tokenizer.json", setup);
