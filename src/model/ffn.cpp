// Dense SwiGLU FFN block of the optimized pass (see blocks.h); also the shared expert.
#include "kernels/cpu/cpu_ops.h"
#include "model/blocks.h"

namespace holo {

void matmul_same_input(std::initializer_list<product> products, const float* x, int64_t n_tokens, forward_scratch& s,
                       thread_pool& pool) {
    // Usually every product pairs with one activation format; a mixed file (e.g.
    // attn_v one k-quant step up pairs Q8_K with Q8_K, but F16 with F16) gets a second.
    s.tasks.clear();
    bool have2 = false;
    for (const product& p : products) {
        const tensor_type vt = traits_of(p.w.type).vec_dot_type;
        quantized_activations* q = &s.xq;
        if (s.tasks.empty()) {
            quantize_activations(vt, x, p.w.n_cols, n_tokens, s.xq, &pool);
        } else if (vt != s.xq.type) {
            q = &s.xq2;
            if (have2 && s.xq2.type != vt) {  // a third format: run what uses xq2 first
                matmul_batch(s.tasks.data(), int64_t(s.tasks.size()), pool);
                s.tasks.clear();
            }
            if (!have2 || s.xq2.type != vt) quantize_activations(vt, x, p.w.n_cols, n_tokens, s.xq2, &pool);
            have2 = true;
        }
        s.tasks.push_back(matmul_task{p.w, q, nullptr, n_tokens, p.y});
    }
    matmul_batch(s.tasks.data(), int64_t(s.tasks.size()), pool);
}

void swiglu_ffn_block(const weight_view& gate, const weight_view& up, const weight_view& down, const float* x,
                      int64_t n_tokens, float* out, forward_scratch& s, thread_pool& pool) {
    const int64_t n_ff = gate.ne[1];
    s.gate.resize(size_t(n_ff * n_tokens));
    s.up.resize(size_t(n_ff * n_tokens));
    s.act.resize(size_t(n_ff * n_tokens));
    matmul_same_input({{gate.matrix(), s.gate.data()}, {up.matrix(), s.up.data()}}, x, n_tokens, s, pool);  // [n_ff, n_tokens]
    swiglu(s.gate.data(), s.up.data(), s.act.data(), n_ff * n_tokens);
    matmul(down.matrix(), s.act.data(), n_tokens, out, pool);  // [n_embd, n_tokens]
}

}  // namespace holo
