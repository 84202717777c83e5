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

// Requantized bytes of one half (16 channels, every other one of the block;
// o.lanes are the split lanes).
POTACC_AVX512_VNNI inline __m128i HalfBytes(const OutputLanes16& o, int out_c, __m512i acc, int block,
                                            int half) {
  if (!o.vector_ok) {  // scalar fallback, channel by channel
    alignas(64) int32_t lanes[16];
    alignas(16) int8_t bytes[16] = {};
    _mm512_store_si512(lanes, acc);
    for (int i = 0; i < 16; ++i) {
      const int c = block * 32 + 2 * i + half;
      if (c < out_c) bytes[i] = RequantizeOne(*o.q, lanes[i], c);
    }
    return _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
  }
  __m512i v = _mm512_add_epi32(Requantize16(acc, o.lanes[2 * block + half], o.left_shift), o.zero_point);
  v = _mm512_min_epi32(_mm512_max_epi32(v, o.act_min), o.act_max);
  return _mm512_cvtepi32_epi8(v);
}

// One 32-channel block of output pixels ox .. ox + P - 1 of one row: the
// taps of pixel p are those of pixel 0 moved by p strides (x + p * step), so
// each weight vector is loaded once for P pixels and the 2P accumulator
// chains run in parallel. kWhole: all 32 channels are real (no masks).
template <int P, bool kWhole>
POTACC_AVX512_VNNI void Block(const DepthwisePixels& r, const OutputLanes16& o, const int8_t* const* taps,
                              int64_t step, int8_t* out, int block) {
  const DepthwiseTables& t = *r.t;
  const int out_c = r.s->out_c, taps_count = t.taps;
  const int c = block * 32;
  const __mmask32 keep = kWhole ? ~__mmask32{0} : (__mmask32{1} << (out_c - c)) - 1;
  const int32_t* bias = t.split_bias.data() + static_cast<size_t>(block) * 32;
  __m512i even[P], odd[P];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) {
    even[p] = _mm512_loadu_si512(bias);
    odd[p] = _mm512_loadu_si512(bias + 16);
  }
  const int16_t* w = t.split_weights.data() + static_cast<size_t>(block) * taps_count * 64;
  for (int tap = 0; tap < taps_count; ++tap, w += 64) {
    const __m512i we = _mm512_loadu_si512(w), wo = _mm512_loadu_si512(w + 32);
    const int8_t* x = taps[tap] + c;
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const __m256i bytes = kWhole ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + p * step))
                                   : _mm256_maskz_loadu_epi8(keep, x + p * step);
      const __m512i x16 = _mm512_cvtepi8_epi16(bytes);
      even[p] = _mm512_dpwssd_epi32(even[p], x16, we);
      odd[p] = _mm512_dpwssd_epi32(odd[p], x16, wo);
    }
  }
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) {
    const __m128i e = HalfBytes(o, out_c, even[p], block, 0);
    const __m128i od = HalfBytes(o, out_c, odd[p], block, 1);
    const __m256i ordered = _mm256_set_m128i(_mm_unpackhi_epi8(e, od), _mm_unpacklo_epi8(e, od));
    if (kWhole) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + p * int64_t{out_c} + c), ordered);
    } else {
      _mm256_mask_storeu_epi8(out + p * int64_t{out_c} + c, keep, ordered);
    }
  }
}

// All blocks of P output pixels (P = 1 at the borders, where the tap
// pointers lead outside taps to zero-point rows).
template <int P>
POTACC_AVX512_VNNI void Pixels(const DepthwisePixels& r, const OutputLanes16& o, const int8_t* const* taps,
                               int64_t step, int8_t* out) {
  const int whole = r.s->out_c / 32;
  for (int block = 0; block < whole; ++block) Block<P, true>(r, o, taps, step, out, block);
  if (whole < r.t->blocks32) Block<P, false>(r, o, taps, step, out, whole);
}

}  // namespace

POTACC_AVX512_VNNI void DepthwisePixelsAvx512Vnni(const DepthwisePixels& r) {
  constexpr int kGroup = 4;
  const ConvShape& s = *r.s;
  const int channels = s.out_c;
  TapPointers taps(s, *r.q, r.t->pairs);
  OutputLanes16 o = MakeOutputLanes16(*r.q, r.t->requant);
  o.lanes = r.t->split_lanes.data();
  const int64_t step = int64_t{s.stride_w} * channels;
  // Output columns whose window lies inside the image horizontally.
  const int inner_begin = std::clamp((s.pad_left + s.stride_w - 1) / s.stride_w, 0, s.out_w);
  const int last = s.in_w - 1 - (s.filter_w - 1) * s.dilation_w + s.pad_left;  // of ox * stride
  const int inner_end = last < 0 ? inner_begin : std::clamp(last / s.stride_w + 1, inner_begin, s.out_w);
  ForEachRowSpan(r, [&](int64_t row, int ox_begin, int ox_end) POTACC_AVX512_VNNI {
    const int64_t b = row / s.out_h;
    const int oy = static_cast<int>(row % s.out_h);
    const int iy = oy * s.stride_h - s.pad_top;
    const bool row_inside = iy >= 0 && iy + (s.filter_h - 1) * s.dilation_h < s.in_h;
    const int8_t* image = r.input + b * s.in_h * s.in_w * channels;
    int8_t* out_row = r.output + row * s.out_w * channels;
    int ox = ox_begin;
    while (ox < ox_end) {
      taps.Set(image, oy, ox);
      if (row_inside && ox >= inner_begin && ox + kGroup <= std::min(inner_end, ox_end)) {
        Pixels<kGroup>(r, o, taps.all(), step, out_row + int64_t{ox} * channels);
        ox += kGroup;
      } else {
        Pixels<1>(r, o, taps.all(), step, out_row + int64_t{ox} * channels);
        ++ox;
      }
    }
  });
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DepthwisePixelsAvx512Vnni(const DepthwisePixels& r) { DepthwisePixelsPortable(r); }
}  // namespace potacc::kernels::detail

#endif
