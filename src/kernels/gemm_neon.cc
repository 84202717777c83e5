// NEON int8 GEMM micro-kernels on the int16 panel layout of PackedWeightsInt8
// (16 channels x 2 consecutive k per step). VLD2 splits a step into the k0
// and k1 weights of 8 channels, and VMLAL (by scalar lane) adds
// w * a for 4 channels at a time into int32 accumulators. Exact: every
// product |a * (w + filter_offset)| <= 128 * 255 fits int32, and the int32
// accumulators wrap modulo 2^32 exactly like the reference's sum.
//
// Register budget: 4 rows x 8 channels (8 accumulators) on 32-bit NEON,
// which has 16 quad registers (the Cortex-A9 of the PYNQ-Z2); 4 rows x 16
// channels (16 accumulators) on AArch64's 32.
#include "kernels/gemm_neon.h"

#include <algorithm>
#include <cstring>

#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_NEON)

namespace potacc::kernels::detail {
namespace {

#if defined(__aarch64__)
constexpr int kGroups = 2;  // 8-channel groups per pass: the whole panel
#else
constexpr int kGroups = 1;  // half a panel per pass
#endif
constexpr int kRows = 4;

// The int16 pairs a0[0..1] and a1[0..1] as one vector (lanes a0k0 a0k1 a1k0 a1k1).
inline int16x4_t TwoPairs(const int16_t* a0, const int16_t* a1) {
  int32_t p0, p1;
  std::memcpy(&p0, a0, sizeof p0);
  std::memcpy(&p1, a1, sizeof p1);
  return vreinterpret_s16_s32(vset_lane_s32(p1, vdup_n_s32(p0), 1));
}

// lo/hi (channels 0-3 / 4-7 of a group) += w.k0 * x[kLane] + w.k1 * x[kLane + 1].
template <int kLane>
inline void MulAddPair(int32x4_t& lo, int32x4_t& hi, const int16x8x2_t& w, int16x4_t x) {
  lo = vmlal_lane_s16(lo, vget_low_s16(w.val[0]), x, kLane);
  hi = vmlal_lane_s16(hi, vget_high_s16(w.val[0]), x, kLane);
  lo = vmlal_lane_s16(lo, vget_low_s16(w.val[1]), x, kLane + 1);
  hi = vmlal_lane_s16(hi, vget_high_s16(w.val[1]), x, kLane + 1);
}

// Rows r..r+3 (rows past the end repeat row r; only live rows are stored)
// against channels [c0, c0 + 8 * kGroups) of panel p.
void RowsPass(const GemmBlock& g, int p, int c0, int r, const OutputLanesNeon& o) {
  constexpr int P = PackedWeightsInt8::kPanel;
  const PackedWeightsInt8& w = *g.w;
  const int kp = w.k_pairs();
  const auto* a16 = static_cast<const int16_t*>(g.a);
  const int16_t* a[kRows];
  for (int i = 0; i < kRows; ++i) a[i] = a16 + (r + i < g.rows ? r + i : r) * g.lda;
  int32x4_t acc[kRows][2 * kGroups];
  for (int j = 0; j < 2 * kGroups; ++j) {
    const int32x4_t bias = vld1q_s32(w.fused_bias() + c0 + 4 * j);
    for (int i = 0; i < kRows; ++i) acc[i][j] = bias;
  }
  const int16_t* b = w.panel(p) + 2 * (c0 - p * P);
  for (int k = 0; k < kp; ++k, b += 2 * P) {
    const int16x4_t x01 = TwoPairs(a[0] + 2 * k, a[1] + 2 * k);
    const int16x4_t x23 = TwoPairs(a[2] + 2 * k, a[3] + 2 * k);
    for (int grp = 0; grp < kGroups; ++grp) {
      const int16x8x2_t wk = vld2q_s16(b + 16 * grp);
      MulAddPair<0>(acc[0][2 * grp], acc[0][2 * grp + 1], wk, x01);
      MulAddPair<2>(acc[1][2 * grp], acc[1][2 * grp + 1], wk, x01);
      MulAddPair<0>(acc[2][2 * grp], acc[2][2 * grp + 1], wk, x23);
      MulAddPair<2>(acc[3][2 * grp], acc[3][2 * grp + 1], wk, x23);
    }
  }
  const int live = std::min(kRows, g.rows - r);
  const RequantTables& t = *g.rq;
  for (int grp = 0; grp < kGroups; ++grp) {
    const int c = c0 + 8 * grp;
    const RequantLanesNeon r0 = LoadRequantLanesNeon(t, c);
    const RequantLanesNeon r1 = LoadRequantLanesNeon(t, c + 4);
    const int valid = std::min(8, w.n() - c);
    for (int i = 0; i < live; ++i) {
      const int8x8_t v = PackInt8x8Neon(RequantizeClampNeon(acc[i][2 * grp], r0, o),
                                        RequantizeClampNeon(acc[i][2 * grp + 1], r1, o));
      StoreChannels(g.out + (r + i) * g.ldo + c, v, valid);
    }
  }
}

}  // namespace

void GemmBlockNeon(const GemmBlock& g) {
  if (!g.rq->vector_ok) {
    GemmBlockPortable(g);
    return;
  }
  constexpr int P = PackedWeightsInt8::kPanel;
  const OutputLanesNeon o = MakeOutputLanesNeon(g.q->output_zero_point, g.q->act_min, g.q->act_max);
  const int n = g.w->n();
  for (int p = g.panel_begin; p < g.panel_end; ++p) {
    for (int c0 = p * P; c0 < std::min(n, (p + 1) * P); c0 += 8 * kGroups) {
      for (int r = 0; r < g.rows; r += kRows) RowsPass(g, p, c0, r, o);
    }
  }
}

void WidenNeon(const int8_t* src, int n, int16_t* dst) {
  int i = 0;
  for (; i + 8 <= n; i += 8) vst1q_s16(dst + i, vmovl_s8(vld1_s8(src + i)));
  for (; i < n; ++i) dst[i] = src[i];
}

void RequantizeRowNeon(const Int8Params& q, const int32_t* acc, int count, int8_t* out) {
  const OutputLanesNeon o = MakeOutputLanesNeon(q.output_zero_point, q.act_min, q.act_max);
  const int32x4_t zero = vdupq_n_s32(0);
  int c = 0;
  for (; c + 8 <= count; c += 8) {
    int32x4_t v[2];
    for (int h = 0; h < 2; ++h) {
      const int32x4_t shift = vld1q_s32(q.shift + c + 4 * h);
      // Right shift as a negative count: min(shift, 0).
      const RequantLanesNeon r{vld1q_s32(q.multiplier + c + 4 * h), vmaxq_s32(shift, zero), vminq_s32(shift, zero)};
      v[h] = RequantizeClampNeon(vld1q_s32(acc + c + 4 * h), r, o);
    }
    vst1_s8(out + c, PackInt8x8Neon(v[0], v[1]));
  }
  for (; c < count; ++c) out[c] = RequantizeOne(q, acc[c], c);
}

}  // namespace potacc::kernels::detail

#else  // not NEON: never selected (BestIsa() never returns a NEON variant)

namespace potacc::kernels::detail {
void GemmBlockNeon(const GemmBlock& g) { GemmBlockPortable(g); }
void WidenNeon(const int8_t* src, int n, int16_t* dst) { Widen(src, n, dst, Isa::kPortable); }
void RequantizeRowNeon(const Int8Params& q, const int32_t* acc, int count, int8_t* out) {
  RequantizeRow(q, acc, count, out, Isa::kPortable);
}
}  // namespace potacc::kernels::detail

#endif
