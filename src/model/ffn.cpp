// Dense SwiGLU FFN block of the optimized pass (see blocks.h); also the shared expert.
#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"

namespace holo {

void swiglu_ffn_block(const weight_view& gate, const weight_view& up, const weight_view& down, const float* x,
                      int64_t n_tokens, float* out, forward_scratch& s, thread_pool& pool) {
    const int64_t n_ff = gate.ne[1];
    s.gate.resize(size_t(n_ff * n_tokens));
    s.up.resize(size_t(n_ff * n_tokens));
    s.act.resize(size_t(n_ff * n_tokens));
    matmul(gate.matrix(), x, n_tokens, s.gate.data(), pool);  // [n_ff, n_tokens]
    matmul(up.matrix(), x, n_tokens, s.up.data(), pool);      // [n_ff, n_tokens]
    swiglu(s.gate.data(), s.up.data(), s.act.data(), n_ff * n_tokens);
    matmul(down.matrix(), s.act.data(), n_tokens, out, pool);  // [n_embd, n_tokens]
}

}  // namespace holo
