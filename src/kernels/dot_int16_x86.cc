// Vector tiles of DotsInt16: each loaded slice of a row of a and of a row of
// w feeds four pairwise multiply-adds (vpmaddwd on AVX2, vpdpwssd on
// AVX-512 VNNI) of a 4 x 4 block of dot products; the last partial slice is
// read with masks (AVX-512) or finished in scalar (AVX2). Rows and columns
// beyond the tile reuse its last one and are not stored.
#include "kernels/dot_int16_internal.h"
#include "kernels/gemm_avx512.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace {

// Blocks (a0 + a1, a2 + a3, b0 + b1, b2 + b3) of two vectors of 4 blocks.
POTACC_AVX512_VNNI inline __m512i FoldBlocks(__m512i a, __m512i b) {
  return _mm512_add_epi32(_mm512_shuffle_i32x4(a, b, 0x88), _mm512_shuffle_i32x4(a, b, 0xDD));
}

// Lane i = the sum of the 16 lanes of v[i]: a transpose-and-add tree (45
// instructions instead of 16 full reductions).
POTACC_AVX512_VNNI inline __m512i SumEach16(const __m512i (&v)[16]) {
  __m512i t[8], u[4];
  for (int i = 0; i < 8; ++i) {  // per 128-bit block: [A0+A2, B0+B2, A1+A3, B1+B3]
    t[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]),
                            _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]));
  }
  for (int i = 0; i < 4; ++i) {  // per block: the block's sums of v[4i .. 4i+3]
    u[i] = _mm512_add_epi32(_mm512_unpacklo_epi64(t[2 * i], t[2 * i + 1]),
                            _mm512_unpackhi_epi64(t[2 * i], t[2 * i + 1]));
  }
  return FoldBlocks(FoldBlocks(u[0], u[1]), FoldBlocks(u[2], u[3]));
}

}  // namespace

POTACC_AVX512_VNNI void DotTileAvx512(const DotTile& t) {
  const int16_t* a[4];
  const int16_t* w[4];
  for (int i = 0; i < 4; ++i) {
    a[i] = t.a + std::min(i, t.rows - 1) * t.lda;
    w[i] = t.w + std::min(i, t.cols - 1) * t.ldw;
  }
  __m512i acc[16];  // dot (r, c) in acc[4r + c]
  for (auto& v : acc) v = _mm512_setzero_si512();
  for (int i = 0; i < t.k; i += 32) {
    const auto keep = static_cast<__mmask32>(t.k - i >= 32 ? ~0u : (1u << (t.k - i)) - 1);
    __m512i x[4], y[4];
    for (int r = 0; r < 4; ++r) x[r] = _mm512_maskz_loadu_epi16(keep, a[r] + i);
    for (int c = 0; c < 4; ++c) y[c] = _mm512_maskz_loadu_epi16(keep, w[c] + i);
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) acc[4 * r + c] = _mm512_dpwssd_epi32(acc[4 * r + c], x[r], y[c]);
    }
  }
  alignas(64) int32_t sums[16];
  _mm512_store_si512(sums, SumEach16(acc));
  for (int r = 0; r < t.rows; ++r) {
    for (int c = 0; c < t.cols; ++c) t.out[r * t.ldo + c] = sums[4 * r + c];
  }
}

POTACC_AVX2 void DotTileAvx2(const DotTile& t) {
  const int16_t* a[4];
  const int16_t* w[4];
  for (int i = 0; i < 4; ++i) {
    a[i] = t.a + std::min(i, t.rows - 1) * t.lda;
    w[i] = t.w + std::min(i, t.cols - 1) * t.ldw;
  }
  __m256i acc[4][4];
  for (auto& row : acc) {
    for (auto& v : row) v = _mm256_setzero_si256();
  }
  int i = 0;
  for (; i + 16 <= t.k; i += 16) {
    __m256i x[4], y[4];
    for (int r = 0; r < 4; ++r) x[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[r] + i));
    for (int c = 0; c < 4; ++c) y[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[c] + i));
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(x[r], y[c]));
    }
  }
  for (int r = 0; r < t.rows; ++r) {
    for (int c = 0; c < t.cols; ++c) {
      alignas(32) int32_t lanes[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[r][c]);
      uint32_t sum = 0;
      for (int l = 0; l < 8; ++l) sum += static_cast<uint32_t>(lanes[l]);
      for (int j = i; j < t.k; ++j) sum += static_cast<uint32_t>(a[r][j] * w[c][j]);
      t.out[r * t.ldo + c] = static_cast<int32_t>(sum);
    }
  }
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DotTileAvx2(const DotTile&) {}
void DotTileAvx512(const DotTile&) {}
}  // namespace potacc::kernels::detail

#endif
