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
    return from_metadata(file.metadata(), file.path());
}

}  // namespace holo
