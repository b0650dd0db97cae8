// Hyper-parameters of a model, read from GGUF metadata with llama.cpp's keys and
// defaults ("<arch>.embedding_length", "<arch>.rope.freq_base", ...). The common
// keys are read here; an architecture file reads the few keys only it has.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace holo {

class gguf_file;

enum class rope_scaling_type { none, linear, yarn };

struct hparams {
    std::string arch;        // general.architecture
    int64_t n_vocab = 0;     // rows of token_embd
    int64_t n_ctx_train = 0;
    int64_t n_embd = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t head_dim = 0;    // n_embd_head_k (== n_embd_head_v for every arch we run)
    int64_t n_rot = 0;       // rotated dimensions per head
    int64_t n_ff = 0;        // dense FFN width
    int64_t n_expert = 0;    // 0: dense
    int64_t n_expert_used = 0;
    int64_t n_ff_exp = 0;    // routed expert FFN width
    int64_t n_ff_shexp = 0;  // shared expert FFN width (0: none)
    float rms_eps = 1e-6f;

    // RoPE, resolved the way llama.cpp's context resolves them (llama-context.cpp):
    // freq_scale = 1 / scaling factor; YaRN gets ext_factor 1 and an attn_factor
    // that cancels the magnitude correction the rope kernel applies itself.
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f;
    rope_scaling_type rope_scaling = rope_scaling_type::linear;
    int64_t n_ctx_orig_yarn = 0;
    float yarn_ext_factor = 0.0f;
    float yarn_attn_factor = 1.0f;
    float yarn_beta_fast = 32.0f;
    float yarn_beta_slow = 1.0f;

    int64_t n_embd_q() const { return n_head * head_dim; }
    int64_t n_embd_kv() const { return n_head_kv * head_dim; }
};

// Reads the keys every architecture shares (llama-model.cpp load_hparams). n_vocab
// is left to the binder (it is token_embd's row count).
result<hparams> read_common_hparams(const gguf_file& f, const std::string& arch);

// Typed look-ups of "<arch>.<suffix>" for the architecture files: absent keys keep
// `out` unchanged; a key of the wrong type is an error naming the file and key.
result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, int64_t& out);
result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, float& out);
result<void> read_key(const gguf_file& f, const hparams& hp, const char* suffix, bool& out);

}  // namespace holo
