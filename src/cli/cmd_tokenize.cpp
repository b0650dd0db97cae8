// `holo tokenize MODEL [TEXT | -f FILE] [--json] [--special] [--no-bos]`: the token
// ids (and pieces) of a text under a model's vocabulary, like llama.cpp's tokenize
// tool. MODEL is a GGUF file, or a Hugging Face tokenizer.json (imported on the fly).
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "gguf/gguf_file.h"
#include "tokenizer/hf_vocab_import.h"
#include "tokenizer/tokenizer.h"

namespace {

struct flags {
    std::string model, text, file;
    bool json = false, special = false, no_bos = false, ids_only = false;
};

holo::result<std::unique_ptr<holo::tokenizer>> load(const std::string& path) {
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
        auto kv = holo::import_hf_vocab_files(path);
        if (!kv.ok()) return kv.err();
        return holo::tokenizer::from_metadata(*kv, path);
    }
    auto file = holo::gguf_file::open(path);
    if (!file.ok()) return file.err();
    return holo::tokenizer::from_gguf(*file);
}

// Pieces may end inside a UTF-8 character; show such bytes escaped.
std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    return out;
}

int run(const flags& f) {
    std::string text = f.text;
    if (!f.file.empty()) {
        std::ifstream in(f.file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "holo tokenize: %s: cannot read\n", f.file.c_str());
            return 1;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    auto tok = load(f.model);
    if (!tok.ok()) {
        std::fprintf(stderr, "holo tokenize: %s\n", tok.message().c_str());
        return 1;
    }
    const std::vector<int32_t> ids = (*tok)->encode(text, !f.no_bos, f.special);
    if (f.json) {
        nlohmann::json j;
        j["ids"] = ids;
        nlohmann::json pieces = nlohmann::json::array();
        for (int32_t id : ids) pieces.push_back((*tok)->token_to_piece(id));
        j["pieces"] = pieces;
        std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return 0;
    }
    for (int32_t id : ids) {
        if (f.ids_only) {
            std::printf("%d\n", id);
        } else {
            std::printf("%6d -> '%s'\n", id, printable((*tok)->token_to_piece(id)).c_str());
        }
    }
    return 0;
}

std::function<int()> setup(CLI::App& app) {
    auto f = std::make_shared<flags>();
    app.add_option("model", f->model, "GGUF file (or a tokenizer.json)")->required();
    app.add_option("text", f->text, "text to tokenize");
    app.add_option("-f,--file", f->file, "read the text from a file (bytes as they are)");
    app.add_flag("--json", f->json, "print {\"ids\": [...], \"pieces\": [...]}");
    app.add_flag("--special", f->special, "match special tokens written in the text (<|im_start|>, ...)");
    app.add_flag("--no-bos", f->no_bos, "do not add the BOS/EOS tokens the vocabulary asks for");
    app.add_flag("--ids", f->ids_only, "print only the ids, one per line");
    return [f] { return run(*f); };
}

}  // namespace

HOLO_COMMAND("tokenize", "token ids and pieces of a text under a model's vocabulary", setup);
