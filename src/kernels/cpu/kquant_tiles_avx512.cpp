// K-quants (q2_K .. q6_K) x q8_K for large batches (prefill): 16 weight rows at once,
// laid out so a zmm holds 4 consecutive quants of each of the 16 rows. vpdpbusd
// against one token's 4 activations (broadcast) then accumulates 16 row sums side by
// side, and a sub-block's scale is applied once per sub-block (8 vpdpbusd for 32
// elements, 4 for 16) instead of once per instruction as in the row-at-a-time
// kernels. Offsets (mins, q6_K's -32, q3_K's -4) are a per-row coefficient times the
// token's sum over the sub-block, which q8_K's bsums give. The interleaved copy of a
// slice of 16 rows is built per call in an L1/L2-sized buffer and reused by every
// token, so nothing is repacked ahead of time.
// GCC 12's AVX-512 headers trip -Wuninitialized inside their own _mm512_undefined_* uses.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "kernels/cpu/kernel_table.h"
#include "quant/block_formats.h"
#include "quant/tensor_type.h"

namespace holo {

namespace {

constexpr int k_rows = 16;
constexpr int64_t k_slice_blocks = 8;  // 8 blocks x 16 rows x 256 quants = 32 KiB interleaved

// One block of 16 rows: quants[k] = bytes 4k..4k+3 of each row's unsigned quants
// (k < 64); per sub-block the rows' scale (d * sc) and offset coefficient.
struct alignas(64) tile_block {
    __m512i quants[64];
    __m512 dsc[16];
    __m512 coef[16];
};

// Element-order unsigned quants (256 bytes) and per-sub-block scale / offset
// coefficient of one row's block; Sub = elements per sub-block.
struct row_unpacked {
    alignas(64) uint8_t q[256];
    float dsc[16];
    float coef[16];
};

void unpack_row_q4_k(const uint8_t* row, int64_t ib, row_unpacked& u) {
    const block_q4_k& b = reinterpret_cast<const block_q4_k*>(row)[ib];
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i nib_shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    for (int j = 0; j < 4; ++j) {
        const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j)));
        _mm512_store_si512(u.q + 64 * j, _mm512_and_si512(_mm512_srlv_epi64(raw, nib_shift), m4));
    }
    const float d = _cvtsh_ss(b.d), dmin = _cvtsh_ss(b.dmin);
    for (int s = 0; s < 8; ++s) {
        int sc, mn;
        if (s < 4) {
            sc = b.scales[s] & 63;
            mn = b.scales[s + 4] & 63;
        } else {
            sc = (b.scales[s + 4] & 0xf) | ((b.scales[s - 4] >> 6) << 4);
            mn = (b.scales[s + 4] >> 4) | ((b.scales[s] >> 6) << 4);
        }
        u.dsc[s] = d * float(sc);
        u.coef[s] = dmin * float(mn);
    }
}

void unpack_row_q6_k(const uint8_t* row, int64_t ib, row_unpacked& u) {
    const block_q6_k& b = reinterpret_cast<const block_q6_k*>(row)[ib];
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i m30 = _mm512_set1_epi8(0x30);
    const __m512i shl_even = _mm512_set_epi64(2, 2, 2, 2, 4, 4, 4, 4);
    const __m512i shr_odd = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
    for (int h = 0; h < 2; ++h) {
        const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
        const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h)));
        _mm512_store_si512(u.q + 128 * h,
                           _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_and_si512(_mm512_sllv_epi64(qh, shl_even), m30)));
        _mm512_store_si512(u.q + 128 * h + 64, _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                                               _mm512_and_si512(_mm512_srlv_epi64(qh, shr_odd), m30)));
    }
    const float d = _cvtsh_ss(b.d);
    for (int s = 0; s < 16; ++s) {
        u.dsc[s] = d * float(b.scales[s]);
        u.coef[s] = 32.0f * u.dsc[s];
    }
}


void unpack_row_q5_k(const uint8_t* row, int64_t ib, row_unpacked& u) {
    const block_q5_k& b = reinterpret_cast<const block_q5_k*>(row)[ib];
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i bit4 = _mm512_set1_epi8(0x10);
    const __m512i nib_shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    const __m512i hb = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh)));
    for (int j = 0; j < 4; ++j) {
        const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j)));
        const __m512i lo = _mm512_and_si512(_mm512_srlv_epi64(raw, nib_shift), m4);
        const __m512i hshift = _mm512_set_epi64(2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j, 2 * j, 2 * j, 2 * j);
        const __m512i hi = _mm512_and_si512(_mm512_slli_epi64(_mm512_srlv_epi64(hb, hshift), 4), bit4);
        _mm512_store_si512(u.q + 64 * j, _mm512_or_si512(lo, hi));
    }
    const float d = _cvtsh_ss(b.d), dmin = _cvtsh_ss(b.dmin);
    for (int s = 0; s < 8; ++s) {
        int sc, mn;
        if (s < 4) {
            sc = b.scales[s] & 63;
            mn = b.scales[s + 4] & 63;
        } else {
            sc = (b.scales[s + 4] & 0xf) | ((b.scales[s - 4] >> 6) << 4);
            mn = (b.scales[s + 4] >> 4) | ((b.scales[s] >> 6) << 4);
        }
        u.dsc[s] = d * float(sc);
        u.coef[s] = dmin * float(mn);
    }
}

// q2_K / q3_K: element 128h + 32m + l has its 2 low bits at 2m of qs[32h + l].
inline __m512i two_bit_group(const uint8_t* qs, int k) {
    const int h = k / 2, m0 = 2 * (k % 2);
    const __m512i raw = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * h)));
    const __m512i shift = _mm512_set_epi64(2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0 + 2, 2 * m0, 2 * m0, 2 * m0, 2 * m0);
    return _mm512_and_si512(_mm512_srlv_epi64(raw, shift), _mm512_set1_epi8(0x03));
}

void unpack_row_q2_k(const uint8_t* row, int64_t ib, row_unpacked& u) {
    const block_q2_k& b = reinterpret_cast<const block_q2_k*>(row)[ib];
    for (int k = 0; k < 4; ++k) _mm512_store_si512(u.q + 64 * k, two_bit_group(b.qs, k));
    const float d = _cvtsh_ss(b.d), dmin = _cvtsh_ss(b.dmin);
    for (int s = 0; s < 16; ++s) {
        u.dsc[s] = d * float(b.scales[s] & 0xf);
        u.coef[s] = dmin * float(b.scales[s] >> 4);
    }
}

void unpack_row_q3_k(const uint8_t* row, int64_t ib, row_unpacked& u) {
    const block_q3_k& b = reinterpret_cast<const block_q3_k*>(row)[ib];
    const __m512i hm = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask)));
    for (int k = 0; k < 4; ++k) {
        const int hb0 = 4 * (k / 2) + 2 * (k % 2);  // hmask bit of the group's first 32 elements
        const __m512i h_shift = _mm512_set_epi64(hb0 + 1, hb0 + 1, hb0 + 1, hb0 + 1, hb0, hb0, hb0, hb0);
        const __m512i hi = _mm512_and_si512(_mm512_slli_epi64(_mm512_srlv_epi64(hm, h_shift), 2), _mm512_set1_epi8(0x04));
        _mm512_store_si512(u.q + 64 * k, _mm512_or_si512(two_bit_group(b.qs, k), hi));  // q + 4h in 0..7
    }
    const float d = _cvtsh_ss(b.d);
    for (int s = 0; s < 16; ++s) {
        const int lo = s < 8 ? (b.scales[s] & 0xf) : (b.scales[s - 8] >> 4);
        const int hi = (b.scales[8 + s % 4] >> (2 * (s / 4))) & 3;
        u.dsc[s] = d * float((lo | (hi << 4)) - 32);
        u.coef[s] = 4.0f * u.dsc[s];
    }
}

using unpack_row_fn = void (*)(const uint8_t* row, int64_t ib, row_unpacked& u);

void unpack_tile_block(unpack_row_fn unpack, const uint8_t* w, size_t row_bytes, int64_t ib, int n_rows, tile_block& t) {
    alignas(64) uint32_t q[k_rows][64];
    alignas(64) float dsc[16][k_rows], coef[16][k_rows];
    row_unpacked u;
    for (int r = 0; r < k_rows; ++r) {
        if (r >= n_rows) {
            std::memset(q[r], 0, sizeof(q[r]));
            for (int s = 0; s < 16; ++s) dsc[s][r] = coef[s][r] = 0.0f;
            continue;
        }
        unpack(w + r * row_bytes, ib, u);
        std::memcpy(q[r], u.q, 256);
        for (int s = 0; s < 16; ++s) {
            dsc[s][r] = u.dsc[s];
            coef[s][r] = u.coef[s];
        }
    }
    // Transpose 16 rows x 64 dwords: gather dword k of every row.
    const __m512i row_stride = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                  _mm512_set1_epi32(64));
    for (int k = 0; k < 64; ++k) {
        t.quants[k] = _mm512_i32gather_epi32(_mm512_add_epi32(row_stride, _mm512_set1_epi32(k)), &q[0][0], 4);
    }
    for (int s = 0; s < 16; ++s) {
        t.dsc[s] = _mm512_load_ps(dsc[s]);
        t.coef[s] = _mm512_load_ps(coef[s]);
    }
}

// acc[16 t .. 16 t + 15] (the 16 rows) += the slice's dot with token t, for NT tokens.
// bsum_sub: the token's activation sums per sub-block, [256 / Sub] floats per block.
template <int NT, int Sub>
void tile_tokens(const tile_block* tb, int64_t nb, const block_q8_k* const* y, const float* bsum_sub,
                 int64_t bsum_stride, int64_t ib0, float* acc_out) {
    constexpr int n_sub = qk_k / Sub, dw = Sub / 4;
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_loadu_ps(acc_out + 16 * t);
    for (int64_t i = 0; i < nb; ++i) {
        const tile_block& b = tb[i];
        __m512 blk[NT];
        for (int t = 0; t < NT; ++t) blk[t] = _mm512_setzero_ps();
        for (int s = 0; s < n_sub; ++s) {
            __m512i p[NT];
            for (int t = 0; t < NT; ++t) p[t] = _mm512_setzero_si512();
            for (int k = 0; k < dw; ++k) {
                const __m512i wq = b.quants[dw * s + k];
                for (int t = 0; t < NT; ++t) {
                    int32_t y4;
                    std::memcpy(&y4, y[t][ib0 + i].qs + 4 * (dw * s + k), 4);
                    p[t] = _mm512_dpbusd_epi32(p[t], wq, _mm512_set1_epi32(y4));
                }
            }
            for (int t = 0; t < NT; ++t) {
                const float bs = bsum_sub[t * bsum_stride + (ib0 + i) * n_sub + s];
                blk[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p[t]), b.dsc[s], blk[t]);
                blk[t] = _mm512_fnmadd_ps(b.coef[s], _mm512_set1_ps(bs), blk[t]);
            }
        }
        for (int t = 0; t < NT; ++t) acc[t] = _mm512_fmadd_ps(blk[t], _mm512_set1_ps(y[t][ib0 + i].d), acc[t]);
    }
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(acc_out + 16 * t, acc[t]);
}

// y[t * y_stride + r] for rows [0, n_rows <= 16) of w and all tokens.
template <int Sub, unpack_row_fn Unpack>
void tile(int64_t n_cols, const uint8_t* w, size_t row_bytes, int n_rows, const void* const* x_rows, int64_t n_tok,
          float* y, int64_t y_stride) {
    constexpr int n_sub = qk_k / Sub;
    const int64_t nb = n_cols / qk_k;
    const block_q8_k* const* ys = reinterpret_cast<const block_q8_k* const*>(x_rows);
    // The tokens' sums over each sub-block, as floats.
    std::vector<float> sums(size_t(n_tok * nb * n_sub));
    for (int64_t t = 0; t < n_tok; ++t) {
        for (int64_t ib = 0; ib < nb; ++ib) {
            const int16_t* bs = ys[t][ib].bsums;
            for (int s = 0; s < n_sub; ++s) {
                sums[(t * nb + ib) * n_sub + s] = Sub == 32 ? float(bs[2 * s] + bs[2 * s + 1]) : float(bs[s]);
            }
        }
    }
    std::vector<float> acc(size_t(n_tok * k_rows), 0.0f);
    tile_block* tb = static_cast<tile_block*>(::operator new(sizeof(tile_block) * k_slice_blocks, std::align_val_t(64)));
    const int64_t stride = nb * n_sub;
    for (int64_t ib0 = 0; ib0 < nb; ib0 += k_slice_blocks) {
        const int64_t len = std::min(k_slice_blocks, nb - ib0);
        for (int64_t i = 0; i < len; ++i) unpack_tile_block(Unpack, w, row_bytes, ib0 + i, n_rows, tb[i]);
        int64_t t = 0;
        for (; t + 4 <= n_tok; t += 4) {
            tile_tokens<4, Sub>(tb, len, ys + t, sums.data() + t * stride, stride, ib0, acc.data() + t * k_rows);
        }
        for (; t < n_tok; ++t) tile_tokens<1, Sub>(tb, len, ys + t, sums.data() + t * stride, stride, ib0, acc.data() + t * k_rows);
    }
    ::operator delete(tb, std::align_val_t(64));
    for (int64_t t = 0; t < n_tok; ++t) {
        for (int r = 0; r < n_rows; ++r) y[t * y_stride + r] = acc[t * k_rows + r];
    }
}

}  // namespace

void fill_tile_kernels_avx512(kernel_table& t) {
    t.row_tile[static_cast<uint32_t>(tensor_type::q4_k)] = tile<32, unpack_row_q4_k>;
    t.row_tile[static_cast<uint32_t>(tensor_type::q6_k)] = tile<16, unpack_row_q6_k>;
    t.row_tile[static_cast<uint32_t>(tensor_type::q5_k)] = tile<32, unpack_row_q5_k>;
    t.row_tile[static_cast<uint32_t>(tensor_type::q3_k)] = tile<16, unpack_row_q3_k>;
    t.row_tile[static_cast<uint32_t>(tensor_type::q2_k)] = tile<16, unpack_row_q2_k>;
}

}  // namespace holo
