// The tensors a preset's GGUF holds: names (from the weight table), shapes exactly
// as llama.cpp's loader expects them for the architecture, in file order. Routed
// experts are merged 3-D tensors ([n_embd, n_ff_exp, n_expert] etc.).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/presets.h"
#include "model/weight_table.h"

namespace holo {

struct planned_tensor {
    std::string name;         // "blk.3.ffn_up_exps.weight"
    weight_kind kind;
    int il;                   // layer, -1 for global tensors
    bool is_bias;
    std::vector<int64_t> ne;  // innermost first, as GGUF stores it

    int64_t row_length() const { return ne[0]; }
    int64_t n_rows() const;   // product of ne[1..]
    int64_t n_elements() const { return row_length() * n_rows(); }
    weight_role role() const { return info_of(kind).role; }
};

std::vector<planned_tensor> plan_tensors(const model_preset& p);

}  // namespace holo
