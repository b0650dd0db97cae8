// A byte-level BPE vocabulary learned from the training corpus (GPT-2 byte
// alphabet, words cut by the qwen2 pre-tokenizer, most frequent pair merged first),
// in the same form as synth's vocabulary so the engine and llama.cpp load it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "model/synth_vocab.h"
#include "tokenizer/tokenizer.h"

namespace holo {

// n_vocab = 256 bytes + merges + 3 special tokens (<|endoftext|>, <|im_start|>,
// <|im_end|>); n_vocab >= 259. Deterministic: ties go to the smaller pair of ids.
result<synth_vocab> train_bpe_vocab(std::string_view corpus, int64_t n_vocab);

// The tokenizer.ggml.* metadata of a vocabulary (what export writes).
std::vector<gguf_kv> vocab_metadata(const synth_vocab& v);

// The engine's tokenizer for the vocabulary (what training data is encoded with).
result<std::unique_ptr<tokenizer>> make_tokenizer(const synth_vocab& v);

}  // namespace holo
