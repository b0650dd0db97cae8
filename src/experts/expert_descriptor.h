// Plain descriptors of routed experts, handed to this module by the model loader:
// for each expert of a layer, where its gate / up / down slices live (pointer into
// the map, file offset, block type, row stride). experts/ never sees model/ types.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu/cpu_ops.h"

namespace holo {

// One 2-D slice of a 3-D *_exps tensor: the rows of a single expert.
struct expert_slice {
    weight_matrix w;       // [n_cols, n_rows] in its file format, inside the map
    uint64_t file_offset;  // absolute byte offset of w.data in the file (for tiers / async reads)
    uint64_t n_bytes;      // n_rows * row_bytes
};

struct expert_desc {
    int il;               // layer
    int ie;               // expert index within the layer
    expert_slice gate;    // [n_embd, n_ff_exp]
    expert_slice up;      // [n_embd, n_ff_exp]
    expert_slice down;    // [n_ff_exp, n_embd]
};

// All routed experts of one layer.
struct expert_layer {
    int il = -1;
    int64_t n_embd = 0;
    int64_t n_ff_exp = 0;
    std::vector<expert_desc> experts;  // indexed by ie
    bool empty() const { return experts.empty(); }
};

}  // namespace holo
