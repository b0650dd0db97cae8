#include "cli/model_args.h"

#include <cstdio>
#include <thread>

namespace holo::cli {

result<loaded_model> load_model_and_tokenizer(const std::string& path, bool mlock) {
    model_load_options opts;
    opts.mlock = mlock;
    auto m = load_model(path, opts);
    if (!m.ok()) return m.err();
    auto tok = tokenizer::from_gguf(m.value()->file());
    if (!tok.ok()) return error{path + ": tokenizer: " + tok.message()};
    return loaded_model{std::move(m.value()), std::move(tok.value())};
}

int default_threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

result<std::vector<int32_t>> parse_token_list(const std::string& text, int64_t n_vocab) {
    std::vector<int32_t> ids;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        std::string item = text.substr(pos, comma - pos);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (item.empty()) return error{"--tokens: empty entry in \"" + text + "\" (expected ID,ID,...)"};
        char* end = nullptr;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (*end != '\0') return error{"--tokens: \"" + item + "\" is not an integer token id"};
        if (v < 0 || v >= n_vocab) {
            return error{"--tokens: id " + item + " is outside the vocabulary [0, " + std::to_string(n_vocab) + ")"};
        }
        ids.push_back(int32_t(v));
        pos = comma + 1;
    }
    if (ids.empty()) return error{"--tokens: no token ids given"};
    return ids;
}

int fail(const char* cmd, const std::string& message) {
    std::fprintf(stderr, "holo %s: %s\n", cmd, message.c_str());
    return 1;
}

}  // namespace holo::cli
