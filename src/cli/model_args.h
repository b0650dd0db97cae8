// What the model-running commands (run, logits, bench, perplexity) share: loading a
// model with its tokenizer, the default thread count, and token-list parsing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace holo::cli {

struct loaded_model {
    std::shared_ptr<const model> m;
    std::unique_ptr<tokenizer> tok;
};

// Loads the weights (mapped, not read) and the vocabulary from the same file.
result<loaded_model> load_model_and_tokenizer(const std::string& path, bool mlock = false);

// All hardware threads (at least 1).
int default_threads();

// "12,7,3" → ids, each checked against [0, n_vocab).
result<std::vector<int32_t>> parse_token_list(const std::string& text, int64_t n_vocab);

// Prints "holo <cmd>: <message>" to stderr and returns exit code 1.
int fail(const char* cmd, const std::string& message);

}  // namespace holo::cli
