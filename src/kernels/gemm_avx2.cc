// AVX2 int8 GEMM micro-kernels (int16 x int16 -> int32 with _mm256_madd_epi16,
// exact: |a| <= 128, |w + filter_offset| <= 255, so pair sums fit in int32).
#include "kernels/gemm_avx2.h"

#include <algorithm>
#include <cstring>

#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace {

// Broadcast of the int16 pair a[0], a[1] to every 32-bit lane.
POTACC_AVX2 inline __m256i BroadcastPair(const int16_t* a) {
  int32_t pair;
  std::memcpy(&pair, a, sizeof pair);
  return _mm256_set1_epi32(pair);
}

}  // namespace

// 4 rows x 16 channels per step: 8 accumulators, 2 weight vectors, 1 broadcast.
POTACC_AVX2 void GemmBlockAvx2(const GemmBlock& g) {
  if (!g.rq->vector_ok) {
    GemmBlockPortable(g);
    return;
  }
  const PackedWeightsInt8& w = *g.w;
  const int kp = w.k_pairs();
  const auto* a16 = static_cast<const int16_t*>(g.a);
  const OutputLanes o{_mm256_set1_epi32(g.q->output_zero_point), _mm256_set1_epi32(g.q->act_min),
                      _mm256_set1_epi32(g.q->act_max)};
  const RequantTables& t = *g.rq;
  for (int p = g.panel_begin; p < g.panel_end; ++p) {
    const int c0 = p * PackedWeightsInt8::kPanel;
    const int valid = std::min(PackedWeightsInt8::kPanel, w.n() - c0);
    const int16_t* b = w.panel(p);
    const RequantLanes r0 = LoadRequantLanes(t.multiplier.data() + c0, t.left_shift.data() + c0,
                                             t.right_shift.data() + c0);
    const RequantLanes r1 = LoadRequantLanes(t.multiplier.data() + c0 + 8, t.left_shift.data() + c0 + 8,
                                             t.right_shift.data() + c0 + 8);
    const __m256i bias0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.fused_bias() + c0));
    const __m256i bias1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.fused_bias() + c0 + 8));
    for (int r = 0; r < g.rows; r += 4) {
      // Rows past the end recompute the last row; only valid rows are stored.
      const int16_t* a0 = a16 + r * g.lda;
      const int16_t* a1 = r + 1 < g.rows ? a0 + g.lda : a0;
      const int16_t* a2 = r + 2 < g.rows ? a0 + 2 * g.lda : a0;
      const int16_t* a3 = r + 3 < g.rows ? a0 + 3 * g.lda : a0;
      __m256i c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1;
      __m256i c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
      const int16_t* bk = b;
      for (int k = 0; k < kp; ++k, bk += 32) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bk));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bk + 16));
        __m256i x = BroadcastPair(a0 + 2 * k);
        c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, b0));
        c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, b1));
        x = BroadcastPair(a1 + 2 * k);
        c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, b0));
        c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, b1));
        x = BroadcastPair(a2 + 2 * k);
        c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, b0));
        c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, b1));
        x = BroadcastPair(a3 + 2 * k);
        c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, b0));
        c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, b1));
      }
      const __m256i acc[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
      const int live = std::min(4, g.rows - r);
      for (int i = 0; i < live; ++i) {
        const __m128i v =
            PackInt8x16(RequantizeClamp8(acc[i][0], r0, o), RequantizeClamp8(acc[i][1], r1, o));
        StoreChannels(g.out + (r + i) * g.ldo + c0, v, valid);
      }
    }
  }
}

POTACC_AVX2 void WidenAvx2(const int8_t* src, int n, int16_t* dst) {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_cvtepi8_epi16(v));
  }
  for (; i < n; ++i) dst[i] = src[i];
}

POTACC_AVX2 void RequantizeRowAvx2(const Int8Params& q, const int32_t* acc, int count,
                                   int8_t* out) {
  const OutputLanes o{_mm256_set1_epi32(q.output_zero_point), _mm256_set1_epi32(q.act_min),
                      _mm256_set1_epi32(q.act_max)};
  const __m256i zero = _mm256_setzero_si256();
  int c = 0;
  for (; c + 8 <= count; c += 8) {
    const __m256i shift = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.shift + c));
    const RequantLanes r =
        MakeRequantLanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.multiplier + c)),
                         _mm256_max_epi32(shift, zero),
                         _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero));
    const __m256i v =
        RequantizeClamp8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c)), r, o);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), PackInt8x8(v));
  }
  for (; c < count; ++c) out[c] = RequantizeOne(q, acc[c], c);
}

}  // namespace potacc::kernels::detail

#else  // not x86: never selected (BestIsa() returns kPortable)

namespace potacc::kernels::detail {
void GemmBlockAvx2(const GemmBlock& g) { GemmBlockPortable(g); }
void WidenAvx2(const int8_t* src, int n, int16_t* dst) {
  for (int i = 0; i < n; ++i) dst[i] = src[i];
}
void RequantizeRowAvx2(const Int8Params& q, const int32_t* acc, int count, int8_t* out) {
  for (int c = 0; c < count; ++c) out[c] = RequantizeOne(q, acc[c], c);
}
}  // namespace potacc::kernels::detail

#endif
