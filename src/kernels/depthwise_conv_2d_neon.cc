// NEON depthwise kernel (depth multiplier 1), 8 channels per step.
//
// The pair-interleaved int16 weights of DepthwiseTables are split back into
// the two taps' weights by VLD2; each tap's 8 inputs are widened to int16 and
// multiplied into int32 accumulators with VMLAL (|x| <= 128,
// |w + filter_offset| <= 255). The input offset is folded into the bias and
// padding reads the zero-point row (depthwise_conv_2d_internal.h).
#include <vector>

#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_internal.h"
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

void DepthwiseInt8Neon(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                       const int8_t* input, int8_t* output) {
  const int channels = s.out_c;
  const int taps = s.filter_h * s.filter_w;
  const int pairs = (taps + 1) / 2;
  std::vector<int8_t> zero_row(static_cast<size_t>(channels) + 8, static_cast<int8_t>(-q.input_offset));
  std::vector<const int8_t*> tap_ptr(static_cast<size_t>(pairs) * 2, zero_row.data());
  const OutputLanesNeon o = MakeOutputLanesNeon(q.output_zero_point, q.act_min, q.act_max);
  const int vec_end = channels / 8 * 8;
  for (int b = 0; b < s.batch; ++b) {
    const int8_t* image = input + int64_t{b} * s.in_h * s.in_w * channels;
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        TapPointers(s, image, oy, ox, zero_row.data(), tap_ptr.data());
        int8_t* out = output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * channels;
        for (int c = 0; c < vec_end; c += 8) {
          int32x4_t lo = vld1q_s32(t.folded_bias.data() + c);
          int32x4_t hi = vld1q_s32(t.folded_bias.data() + c + 4);
          const int16_t* w = t.pair_weights.data() + int64_t{c} * 2;
          for (int p = 0; p < pairs; ++p, w += int64_t{channels} * 2) {
            const int16x8x2_t wp = vld2q_s16(w);  // taps 2p and 2p+1 of channels c..c+7
            MulAddTap(lo, hi, tap_ptr[2 * p] + c, wp.val[0]);
            MulAddTap(lo, hi, tap_ptr[2 * p + 1] + c, wp.val[1]);
          }
          const RequantLanesNeon r0 =
              LoadRequantLanesNeon(t.multiplier.data() + c, t.left_shift.data() + c, t.right_shift.data() + c);
          const RequantLanesNeon r1 = LoadRequantLanesNeon(t.multiplier.data() + c + 4, t.left_shift.data() + c + 4,
                                                           t.right_shift.data() + c + 4);
          vst1_s8(out + c, PackInt8x8Neon(RequantizeClampNeon(lo, r0, o), RequantizeClampNeon(hi, r1, o)));
        }
        DepthwiseTailChannels(s, q, t, tap_ptr.data(), vec_end, out);
      }
    }
  }
}

}  // namespace potacc::kernels::detail

#else  // not NEON: never selected

namespace potacc::kernels::detail {
void DepthwiseInt8Neon(const ConvShape&, const Int8Params&, const DepthwiseTables&, const int8_t*, int8_t*) {}
}  // namespace potacc::kernels::detail

#endif
