// NEON depthwise kernel (depth multiplier 1), 8 channels per step.
//
// The pair-interleaved int16 weights of DepthwiseTables are split back into
// the two taps' weights by VLD2; each tap's 8 inputs are widened to int16 and
// multiplied into int32 accumulators with VMLAL (|x| <= 128,
// |w + filter_offset| <= 255). The input offset is folded into the bias and
// padding reads the zero-point row (TapPointers, depthwise_conv_2d_internal.h).
#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_neon.h"

#if defined(POTACC_HAVE_NEON)

namespace potacc::kernels::detail {
namespace {

inline void MulAddTap(int32x4_t& lo, int32x4_t& hi, const int8_t* x, int16x8_t w) {
  const int16x8_t x16 = vmovl_s8(vld1_s8(x));
  lo = vmlal_s16(lo, vget_low_s16(x16), vget_low_s16(w));
  hi = vmlal_s16(hi, vget_high_s16(x16), vget_high_s16(w));
}

}  // namespace

void DepthwisePixelsNeon(const DepthwisePixels& r) {
  const Int8Params& q = *r.q;
  const DepthwiseTables& t = *r.t;
  const RequantTables& rq = t.requant;
  const OutputLanesNeon o = MakeOutputLanesNeon(q.output_zero_point, q.act_min, q.act_max);
  const int vec_end = rq.vector_ok ? r.s->out_c / 8 * 8 : 0;
  ForEachPixel(r, vec_end, [&](const TapPointers& taps, int8_t* out) {
    for (int c = 0; c < vec_end; c += 8) {
      int32x4_t lo = vld1q_s32(t.folded_bias.data() + c);
      int32x4_t hi = vld1q_s32(t.folded_bias.data() + c + 4);
      const int16_t* w = t.pair_weights.data() + int64_t{c} * 2;
      for (int p = 0; p < t.pairs; ++p, w += int64_t{t.padded} * 2) {
        const int16x8x2_t wp = vld2q_s16(w);  // taps 2p and 2p+1 of channels c..c+7
        MulAddTap(lo, hi, taps.tap(2 * p) + c, wp.val[0]);
        MulAddTap(lo, hi, taps.tap(2 * p + 1) + c, wp.val[1]);
      }
      const RequantLanesNeon r0 = LoadRequantLanesNeon(rq, c);
      const RequantLanesNeon r1 = LoadRequantLanesNeon(rq, c + 4);
      vst1_s8(out + c, PackInt8x8Neon(RequantizeClampNeon(lo, r0, o), RequantizeClampNeon(hi, r1, o)));
    }
  });
}

}  // namespace potacc::kernels::detail

#else  // not NEON: never selected (KernelIsa never returns kNeon here)

namespace potacc::kernels::detail {
void DepthwisePixelsNeon(const DepthwisePixels& r) { DepthwisePixelsPortable(r); }
}  // namespace potacc::kernels::detail

#endif
