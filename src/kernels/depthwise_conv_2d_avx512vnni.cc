// AVX-512 VNNI depthwise kernel (depth multiplier 1), 32 channels per step
// with the channels innermost as NHWC stores them: each tap's 32 int8 inputs
// are widened to int16 in one instruction and accumulated by two vpdpwssd,
// one per half of the split weights (DepthwiseTables::split_weights), so the
// even and odd channels of the block sum in two vectors with no shuffle in
// the tap loop. The fused requantization runs on both halves (Requantize16
// with their lanes); two byte interleaves put the channels back in order.
// The last partial block uses masked loads and stores.
#include <algorithm>

#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_avx512.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace {

// Requantized bytes of one half (16 channels, every other one of the block).
POTACC_AVX512_VNNI inline __m128i HalfBytes(const DepthwiseRows& r, const OutputLanes16& o, __m512i acc,
                                            int block, int half) {
  const DepthwiseTables& t = *r.t;
  if (!t.requant.vector_ok) {  // scalar fallback, channel by channel
    alignas(64) int32_t lanes[16];
    alignas(16) int8_t bytes[16] = {};
    _mm512_store_si512(lanes, acc);
    for (int i = 0; i < 16; ++i) {
      const int c = block * 32 + 2 * i + half;
      if (c < r.s->out_c) bytes[i] = RequantizeOne(*r.q, lanes[i], c);
    }
    return _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
  }
  const RequantTables::Lanes16& l = t.split_lanes[static_cast<size_t>(block) * 2 + half];
  __m512i v = _mm512_add_epi32(Requantize16(acc, l, t.requant.any_left_shift), o.zero_point);
  v = _mm512_min_epi32(_mm512_max_epi32(v, o.act_min), o.act_max);
  return _mm512_cvtepi32_epi8(v);
}

}  // namespace

POTACC_AVX512_VNNI void DepthwiseRowsAvx512Vnni(const DepthwiseRows& r) {
  const ConvShape& s = *r.s;
  const DepthwiseTables& t = *r.t;
  const int channels = s.out_c;
  TapPointers taps(s, *r.q, t.pairs);
  const OutputLanes16 o = MakeOutputLanes16(*r.q);
  for (int64_t row = r.row_begin; row < r.row_end; ++row) {
    const int64_t b = row / s.out_h;
    const int oy = static_cast<int>(row % s.out_h);
    const int8_t* image = r.input + b * s.in_h * s.in_w * channels;
    for (int ox = 0; ox < s.out_w; ++ox) {
      taps.Set(image, oy, ox);
      int8_t* out = r.output + (row * s.out_w + ox) * channels;
      for (int block = 0; block < t.blocks32; ++block) {
        const int c = block * 32;
        const int valid = std::min(32, channels - c);
        const __mmask32 keep = valid == 32 ? ~__mmask32{0} : (__mmask32{1} << valid) - 1;
        const int32_t* bias = t.split_bias.data() + static_cast<size_t>(block) * 32;
        __m512i even = _mm512_loadu_si512(bias), odd = _mm512_loadu_si512(bias + 16);
        const int16_t* w = t.split_weights.data() + static_cast<size_t>(block) * t.taps * 64;
        for (int tap = 0; tap < t.taps; ++tap, w += 64) {
          const int8_t* x = taps.tap(tap) + c;
          const __m256i bytes = valid == 32 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x))
                                            : _mm256_maskz_loadu_epi8(keep, x);
          const __m512i x16 = _mm512_cvtepi8_epi16(bytes);
          even = _mm512_dpwssd_epi32(even, x16, _mm512_loadu_si512(w));
          odd = _mm512_dpwssd_epi32(odd, x16, _mm512_loadu_si512(w + 32));
        }
        const __m128i e = HalfBytes(r, o, even, block, 0), od = HalfBytes(r, o, odd, block, 1);
        const __m256i ordered = _mm256_set_m128i(_mm_unpackhi_epi8(e, od), _mm_unpacklo_epi8(e, od));
        _mm256_mask_storeu_epi8(out + c, keep, ordered);
      }
    }
  }
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DepthwiseRowsAvx512Vnni(const DepthwiseRows&) {}
}  // namespace potacc::kernels::detail

#endif
