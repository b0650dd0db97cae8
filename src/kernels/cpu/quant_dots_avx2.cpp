// AVX2 dot products of quantized weight rows with quantized activations.
#include <immintrin.h>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"

namespace holo {

void fill_quant_dots_avx2(kernel_table& t) {}

}  // namespace holo
