// Builds the three tables once, each level starting from a copy of the one below.
#include "kernels/cpu/kernel_table.h"

#include <algorithm>

namespace holo {

namespace {

struct tables {
    kernel_table by_isa[3];
    tables() {
        kernel_table& s = by_isa[0];
        s.isa = cpu_isa::scalar;
        fill_vec_ops_scalar(s);
        kernel_table& a2 = by_isa[1];
        a2 = s;
        a2.isa = cpu_isa::avx2;
        fill_vec_ops_avx2(a2);
        fill_quant_dots_avx2(a2);
        fill_kquant_dots_avx2(a2);
        kernel_table& a5 = by_isa[2];
        a5 = a2;
        a5.isa = cpu_isa::avx512;
        fill_vec_ops_avx512(a5);
        fill_quant_dots_avx512(a5);
        fill_kquant_dots_avx512(a5);
        fill_tile_kernels_avx512(a5);
    }
};

const tables& all_tables() {
    static const tables t;
    return t;
}

}  // namespace

const kernel_table& kernels_for(cpu_isa isa) {
    const int i = std::min(static_cast<int>(isa), static_cast<int>(best_cpu_isa()));
    return all_tables().by_isa[i];
}

const kernel_table& active_kernels() { return kernels_for(active_cpu_isa()); }

}  // namespace holo
