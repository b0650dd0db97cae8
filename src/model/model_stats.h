// What a model file costs: bytes by role (embedding, attention, norm, router, dense
// FFN, shared experts, routed experts, output), the routed experts' count and size,
// and the bytes a decoder reads per generated token ("active bytes"): every weight
// except the token-embedding table (one row of it is read), plus k/n of the routed
// experts. Computed from GGUF metadata and the tensor table only, no model loading.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/weight_table.h"
#include "quant/tensor_type.h"

namespace holo {

class gguf_file;

struct stats_tensor {
    std::string name;
    tensor_type type;
    std::vector<int64_t> ne;
    uint64_t n_bytes;
    std::optional<weight_role> role;  // nullopt for names outside the weight table
};

inline constexpr size_t k_n_roles = 8;

struct model_stats {
    std::string architecture;
    std::string name;
    // Hyper-parameters as found (0 when absent).
    uint64_t n_vocab = 0, n_ctx_train = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0;
    uint64_t n_ff = 0, n_expert = 0, n_expert_used = 0, n_ff_exp = 0, n_ff_shexp = 0;
    std::optional<uint64_t> file_type;

    std::vector<stats_tensor> tensors;
    std::array<uint64_t, k_n_roles> bytes_by_role{};  // indexed by weight_role
    uint64_t bytes_unknown_role = 0;
    uint64_t total_tensor_bytes = 0;
    uint64_t file_bytes = 0;
    uint64_t n_params = 0;

    bool tied_embeddings = false;      // no output.weight: the lm head reads token_embd
    uint64_t expert_bytes = 0;         // one routed expert of one layer (gate+up+down), 0 if none
    uint64_t embedding_row_bytes = 0;  // one row of token_embd
    uint64_t active_bytes = 0;         // per decoded token, see docs/inspect.md
    uint64_t active_params = 0;

    uint64_t role_bytes(weight_role r) const { return bytes_by_role[static_cast<size_t>(r)]; }
};

// Statistics of an open file.
result<model_stats> compute_model_stats(const gguf_file& f);

}  // namespace holo
