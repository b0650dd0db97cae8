#include "tokenizer/tokenizer.h"

#include "gguf/gguf_file.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/vocab.h"

namespace holo {

result<std::unique_ptr<tokenizer>> tokenizer::from_metadata(const std::vector<gguf_kv>& metadata,
                                                            std::string_view source) {
    auto v = load_vocab(metadata, source);
    if (!v.ok()) return v.err();
    if (v->model == vocab_model::spm) {
        auto t = spm_tokenizer::create(std::move(v).value());
        if (!t.ok()) return t.err();
        return std::unique_ptr<tokenizer>(std::move(t).value());
    }
    auto t = bpe_tokenizer::create(std::move(v).value());
    if (!t.ok()) return t.err();
    return std::unique_ptr<tokenizer>(std::move(t).value());
}

result<std::unique_ptr<tokenizer>> tokenizer::from_gguf(const gguf_file& file) {
    auto t = from_metadata(file.metadata(), file.path());
    if (!t.ok()) return t;
    // A model file's embedding rows must match the vocabulary, or token ids from
    // the tokenizer index past token_embd (and sampled ids past the tokens).
    const gguf_tensor_info* te = file.find_tensor("token_embd.weight");
    if (te && te->ne.size() >= 2 && te->ne[1] != int64_t(t.value()->n_vocab())) {
        return error{file.path() + ": tokenizer.ggml.tokens: has " + std::to_string(t.value()->n_vocab()) +
                     " entries but token_embd.weight has " + std::to_string(te->ne[1]) + " rows"};
    }
    return t;
}

}  // namespace holo
