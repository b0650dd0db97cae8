// AVX2 dot products of K-quant weight rows with q8_K activations.
#include <immintrin.h>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

namespace holo {

void fill_kquant_dots_avx2(kernel_table& t) {}

}  // namespace holo
