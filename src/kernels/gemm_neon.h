// NEON building blocks shared by the GEMM and depthwise kernels (32-bit ARMv7
// NEON and AArch64 Advanced SIMD: only intrinsics common to both). Only
// included by *_neon.cc files.
#pragma once

#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#define POTACC_HAVE_NEON 1
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm_internal.h"

namespace potacc::kernels::detail {

// Per-channel constants of 4 lanes of requantization: the Q31 multiplier,
// the left shift and the right shift as a negative count (for VRSHL).
struct RequantLanesNeon {
  int32x4_t multiplier, left_shift, neg_right_shift;
};

// Channels [c, c + 4) of padded requantization tables.
inline RequantLanesNeon LoadRequantLanesNeon(const RequantTables& t, int c) {
  return {vld1q_s32(t.multiplier.data() + c), vld1q_s32(t.left_shift.data() + c),
          vnegq_s32(vld1q_s32(t.right_shift.data() + c))};
}

// fixed_point::MultiplyByQuantizedMultiplier (double rounding) on 4 lanes,
// exact for left shifts 0..30 and right shifts 0..31:
//  * the left shift wraps like fixed_point::WrappingShiftLeft (VSHL);
//  * VQRDMULH is SaturatingRoundingDoublingHighMul: it computes
//    floor((a*b + 2^30) / 2^31), and for a*b < 0 the scalar's
//    trunc((a*b + 1 - 2^30) / 2^31) is the same integer; both saturate only
//    INT32_MIN * INT32_MIN;
//  * RoundingDivideByPOT rounds half away from zero; VRSHL rounds half up, so
//    negative values are first lowered by one (saturating, which only
//    matters at INT32_MIN, where it gives the same result). The sign test
//    (x & -e) < 0 is false when e = 0, where no rounding happens.
inline int32x4_t MultiplyByQuantizedMultiplierNeon(int32x4_t x, const RequantLanesNeon& r) {
  x = vshlq_s32(x, r.left_shift);
  x = vqrdmulhq_s32(x, r.multiplier);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, r.neg_right_shift), 31);
  return vrshlq_s32(vqaddq_s32(x, fixup), r.neg_right_shift);
}

// Output zero point and activation clamp.
struct OutputLanesNeon {
  int32x4_t zero_point, act_min, act_max;
};
inline OutputLanesNeon MakeOutputLanesNeon(int32_t zero_point, int32_t act_min, int32_t act_max) {
  return {vdupq_n_s32(zero_point), vdupq_n_s32(act_min), vdupq_n_s32(act_max)};
}

inline int32x4_t RequantizeClampNeon(int32x4_t acc, const RequantLanesNeon& r, const OutputLanesNeon& o) {
  const int32x4_t v = vaddq_s32(MultiplyByQuantizedMultiplierNeon(acc, r), o.zero_point);
  return vminq_s32(vmaxq_s32(v, o.act_min), o.act_max);
}

// Two vectors of 4 int32 already in int8 range -> 8 int8 in order.
inline int8x8_t PackInt8x8Neon(int32x4_t lo, int32x4_t hi) {
  return vmovn_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi)));
}

// The first `valid` (<= 8) of 8 channels to out (none when valid <= 0).
inline void StoreChannels(int8_t* out, int8x8_t v, int valid) {
  if (valid >= 8) {
    vst1_s8(out, v);
  } else if (valid > 0) {
    int8_t tmp[8];
    vst1_s8(tmp, v);
    std::memcpy(out, tmp, static_cast<size_t>(valid));
  }
}

}  // namespace potacc::kernels::detail

#endif  // NEON
