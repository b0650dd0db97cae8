// TEMPORARY placeholder so the library links while the reference block formats are
// being written; the quant engineer deletes this file as the real ones land.
#include "core/error.h"
#include "quant/reference.h"

namespace holo {
#define HOLO_STUB_REF(t)                                                                          \
    void dequantize_row_##t(const void*, float*, int64_t) { HOLO_ASSERT(false, "not yet written"); } \
    void quantize_row_##t(const float*, void*, int64_t) { HOLO_ASSERT(false, "not yet written"); }
HOLO_STUB_REF(f32) HOLO_STUB_REF(f16) HOLO_STUB_REF(bf16) HOLO_STUB_REF(q4_0) HOLO_STUB_REF(q4_1)
HOLO_STUB_REF(q5_0) HOLO_STUB_REF(q5_1) HOLO_STUB_REF(q8_0) HOLO_STUB_REF(q8_1) HOLO_STUB_REF(q2_k)
HOLO_STUB_REF(q3_k) HOLO_STUB_REF(q4_k) HOLO_STUB_REF(q5_k) HOLO_STUB_REF(q6_k) HOLO_STUB_REF(q8_k)
#define HOLO_STUB_DOT(f) float f(int64_t, const void*, const void*) { HOLO_ASSERT(false, "not yet written"); }
HOLO_STUB_DOT(vec_dot_f32_f32) HOLO_STUB_DOT(vec_dot_f16_f16) HOLO_STUB_DOT(vec_dot_bf16_bf16)
HOLO_STUB_DOT(vec_dot_q4_0_q8_0) HOLO_STUB_DOT(vec_dot_q4_1_q8_1) HOLO_STUB_DOT(vec_dot_q5_0_q8_0)
HOLO_STUB_DOT(vec_dot_q5_1_q8_1) HOLO_STUB_DOT(vec_dot_q8_0_q8_0) HOLO_STUB_DOT(vec_dot_q2_k_q8_k)
HOLO_STUB_DOT(vec_dot_q3_k_q8_k) HOLO_STUB_DOT(vec_dot_q4_k_q8_k) HOLO_STUB_DOT(vec_dot_q5_k_q8_k)
HOLO_STUB_DOT(vec_dot_q6_k_q8_k)
}  // namespace holo
