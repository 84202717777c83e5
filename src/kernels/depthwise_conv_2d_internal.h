// Private: the depthwise kernels' prepared tables, the pixel loop the
// channel-vectorized kernels share, and the per-ISA entry points.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/gemm_internal.h"
#include "potacc/kernels/depthwise_conv_2d.h"

namespace potacc::kernels::detail {

// Filter widened with the filter offset applied, and per-channel tables
// padded to `padded` channels (a multiple of 16), built once per layer.
struct DepthwiseTables {
  DepthwiseTables(const ConvShape& s, const Int8Params& q, const int8_t* filter, const int32_t* bias);

  int taps = 0, pairs = 0, padded = 0;
  std::vector<int32_t> weights;  // (w + filter_offset), [tap][out_c]
  std::vector<int32_t> bias;     // padded
  // For the vector kernels (depth multiplier 1): taps in pairs, int16
  // [pair][channel][2] over the padded channels (the odd tap out and the
  // padding are 0), and the bias with the input offset folded in over all
  // taps: bias + input_offset * Σ_t (w_t + filter_offset).
  std::vector<int16_t> pair_weights;
  std::vector<int32_t> folded_bias;  // padded
  RequantTables requant;
  // For the AVX-512 kernel (depth multiplier 1): blocks of 32 channels, each
  // tap's int8 inputs widened to 32 int16 lanes and multiplied twice by
  // vpdpwssd, against (w[2i], 0) and (0, w[2i+1]) pairs: the even channels
  // of the block accumulate in one vector, the odd ones in another, with no
  // shuffle in the tap loop. Per block: weights [tap][even/odd][32 int16],
  // the folded bias and the requantization lanes of the even/odd channels.
  int blocks32 = 0;
  std::vector<int16_t> split_weights;           // [block][tap][2][32]
  std::vector<int32_t> split_bias;              // [block][2][16]
  std::vector<RequantTables::Lanes16> split_lanes;  // [block][2]

 private:
  void BuildSplitTables(const ConvShape& s, const Int8Params& q);
};

// Input offsets (in elements, relative to the image's first pixel) and tap
// indices of the taps of output pixel (oy, ox) that fall inside the input.
int ValidTaps(const ConvShape& s, int oy, int ox, int64_t* offsets, int* taps);

// Output pixels [pixel_begin, pixel_end) of the whole batch, numbered
// (b * out_h + oy) * out_w + ox: a thread's share of the layer. Pixels rather
// than rows, so that the late 7x7 layers still split evenly over threads.
struct DepthwisePixels {
  const ConvShape* s;
  const Int8Params* q;
  const DepthwiseTables* t;
  const int8_t* input;
  int8_t* output;
  int64_t pixel_begin, pixel_end;
};

// Calls fn(row, ox_begin, ox_end) for the part of each output row (row =
// b * out_h + oy) that lies in r's pixel range, in order.
template <typename Fn>
[[gnu::always_inline]] inline void ForEachRowSpan(const DepthwisePixels& r, Fn&& fn) {
  const int out_w = r.s->out_w;
  for (int64_t p = r.pixel_begin; p < r.pixel_end;) {
    const int64_t row = p / out_w;
    const int ox_begin = static_cast<int>(p % out_w);
    const int ox_end = static_cast<int>(std::min<int64_t>(out_w, ox_begin + (r.pixel_end - p)));
    fn(row, ox_begin, ox_end);
    p += ox_end - ox_begin;
  }
}

// Per-pixel pointers to the input of each tap; taps outside the image point
// at a row holding the input zero point ((x + input_offset) = 0, so they add
// nothing) and long enough for a vector read of any channel block.
class TapPointers {
 public:
  TapPointers(const ConvShape& s, const Int8Params& q, int pairs);
  // Fills tap(0 .. taps - 1) for output pixel (b, oy, ox); the odd tap out of
  // the last pair stays at the zero row (its weights are 0).
  void Set(const int8_t* image, int oy, int ox);
  const int8_t* tap(int i) const { return ptr_[static_cast<size_t>(i)]; }
  const int8_t* const* all() const { return ptr_.data(); }

 private:
  const ConvShape& s_;
  std::vector<int8_t> zero_row_;
  std::vector<const int8_t*> ptr_;
  std::vector<int64_t> offset_;  // of each tap from the window's corner, in elements
};

// Channels [from, out_c) of one output pixel in scalar arithmetic (the
// vector kernels' tail, and all channels when !t.requant.vector_ok).
void DepthwiseTailChannels(const DepthwisePixels& r, const TapPointers& taps, int from, int8_t* out);

// The pixel loop of the channel-vectorized kernels (depth multiplier 1):
// for every output pixel of r's range, sets the tap pointers and calls
// channels(taps, out) for the pixel's output, which computes channels
// [0, vec_end); the scalar tail computes the rest. Inlined into each ISA's
// kernel (whose lambda carries its target attribute).
template <typename Channels>
[[gnu::always_inline]] inline void ForEachPixel(const DepthwisePixels& r, int vec_end, Channels&& channels) {
  const ConvShape& s = *r.s;
  TapPointers taps(s, *r.q, r.t->pairs);
  ForEachRowSpan(r, [&](int64_t row, int ox_begin, int ox_end) {
    const int8_t* image = r.input + (row / s.out_h) * s.in_h * s.in_w * s.in_c;
    const int oy = static_cast<int>(row % s.out_h);
    for (int ox = ox_begin; ox < ox_end; ++ox) {
      taps.Set(image, oy, ox);
      int8_t* out = r.output + (row * s.out_w + ox) * s.out_c;
      channels(static_cast<const TapPointers&>(taps), out);
      DepthwiseTailChannels(r, taps, vec_end, out);
    }
  });
}

// Any depth multiplier, any q.
void DepthwisePixelsPortable(const DepthwisePixels& r);
// Depth multiplier 1 only; any q (the kernels fall back to the scalar
// requantization when !t.requant.vector_ok).
void DepthwisePixelsAvx2(const DepthwisePixels& r);
void DepthwisePixelsAvxVnni(const DepthwisePixels& r);
void DepthwisePixelsAvx512Vnni(const DepthwisePixels& r);
void DepthwisePixelsNeon(const DepthwisePixels& r);

}  // namespace potacc::kernels::detail
