// AVX2 depthwise kernel (depth_multiplier 1): 8 channels per vector, int32
// products of (x + input_offset) and (w + filter_offset), exact.
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
  std::vector<int64_t> offsets(taps);
  std::vector<int> tap_index(taps);
  const __m256i in_offset = _mm256_set1_epi32(q.input_offset);
  const OutputLanes o{_mm256_set1_epi32(q.output_zero_point), _mm256_set1_epi32(q.act_min),
                      _mm256_set1_epi32(q.act_max)};
  const int vec_end = channels / 8 * 8;
  for (int b = 0; b < s.batch; ++b) {
    const int8_t* image = input + int64_t{b} * s.in_h * s.in_w * channels;
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        const int n = ValidTaps(s, oy, ox, offsets.data(), tap_index.data());
        int8_t* out = output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * channels;
        for (int c = 0; c < vec_end; c += 8) {
          __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias.data() + c));
          for (int i = 0; i < n; ++i) {
            const __m256i x = _mm256_add_epi32(
                _mm256_cvtepi8_epi32(
                    _mm_loadl_epi64(reinterpret_cast<const __m128i*>(image + offsets[i] + c))),
                in_offset);
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
                t.weights.data() + int64_t{tap_index[i]} * channels + c));
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(x, w));
          }
          const RequantLanes r =
              LoadRequantLanes(t.multiplier.data() + c, t.left_shift.data() + c, t.right_shift.data() + c);
          _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c),
                           PackInt8x8(RequantizeClamp8(acc, r, o)));
        }
        for (int c = vec_end; c < channels; ++c) {
          uint32_t acc = static_cast<uint32_t>(t.bias[c]);
          for (int i = 0; i < n; ++i) {
            acc += static_cast<uint32_t>((image[offsets[i] + c] + q.input_offset) *
                                         t.weights[int64_t{tap_index[i]} * channels + c]);
          }
          out[c] = RequantizeOne(q, static_cast<int32_t>(acc), c);
        }
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
