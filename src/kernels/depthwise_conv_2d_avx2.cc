// AVX2 depthwise kernel (depth multiplier 1), 8 channels per vector.
//
// Taps are taken in pairs: the int8 inputs of two taps are interleaved per
// channel, widened to int16 and multiplied with the interleaved weights by
// _mm256_madd_epi16 (|x| <= 128, |w + filter_offset| <= 255: pair sums fit).
// The input offset is folded into the bias over all taps; a tap outside the
// image reads a row filled with the input zero point, whose (x + offset) is 0,
// so padding still contributes nothing and no pixel needs a special case
// (depthwise_conv_2d_internal.h).
#include <algorithm>
#include <cstring>

#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_avx2.h"
#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {

POTACC_AVX2 void DepthwiseInt8Avx2(const ConvShape& s, const Int8Params& q,
                                   const DepthwiseTables& t, const int8_t* input,
                                   int8_t* output) {
  const int channels = s.out_c;
  const int taps = s.filter_h * s.filter_w;
  const int pairs = (taps + 1) / 2;
  std::vector<int8_t> zero_row(static_cast<size_t>(channels) + 8,
                               static_cast<int8_t>(-q.input_offset));
  std::vector<const int8_t*> tap_ptr(static_cast<size_t>(pairs) * 2, zero_row.data());
  const OutputLanes o{_mm256_set1_epi32(q.output_zero_point), _mm256_set1_epi32(q.act_min),
                      _mm256_set1_epi32(q.act_max)};
  const int vec_end = channels / 8 * 8;
  for (int b = 0; b < s.batch; ++b) {
    const int8_t* image = input + int64_t{b} * s.in_h * s.in_w * channels;
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        TapPointers(s, image, oy, ox, zero_row.data(), tap_ptr.data());
        int8_t* out = output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * channels;
        for (int c = 0; c < vec_end; c += 8) {
          __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.folded_bias.data() + c));
          const int16_t* w = t.pair_weights.data() + int64_t{c} * 2;
          for (int p = 0; p < pairs; ++p, w += int64_t{channels} * 2) {
            const __m128i x0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(tap_ptr[2 * p] + c));
            const __m128i x1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(tap_ptr[2 * p + 1] + c));
            const __m256i x = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(x0, x1));
            acc = _mm256_add_epi32(
                acc, _mm256_madd_epi16(x, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w))));
          }
          const RequantLanes r =
              LoadRequantLanes(t.multiplier.data() + c, t.left_shift.data() + c, t.right_shift.data() + c);
          _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c),
                           PackInt8x8(RequantizeClamp8(acc, r, o)));
        }
        DepthwiseTailChannels(s, q, t, tap_ptr.data(), vec_end, out);
      }
    }
  }
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DepthwiseInt8Avx2(const ConvShape&, const Int8Params&, const DepthwiseTables&, const int8_t*,
                       int8_t*) {}
}  // namespace potacc::kernels::detail

#endif
