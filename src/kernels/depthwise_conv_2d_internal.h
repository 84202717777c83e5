// Private: the depthwise kernels' per-call tables, the per-pixel helpers the
// vectorized kernels share, and their entry points (AVX2, NEON).
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/kernels/depthwise_conv_2d.h"

namespace potacc::kernels::detail {

// Filter widened to int32 with the filter offset applied ([tap][channel]),
// and per-channel requantization tables padded to a multiple of 8 lanes.
struct DepthwiseTables {
  std::vector<int32_t> weights;  // (w + filter_offset), taps * out_c
  std::vector<int32_t> bias;     // padded
  // For the AVX2 kernel (depth multiplier 1): taps in pairs, int16
  // [pair][channel][2] (the odd tap out is 0), and the bias with the input
  // offset folded in over all taps: bias + input_offset * Σ_t (w_t + filter_offset).
  std::vector<int16_t> pair_weights;
  std::vector<int32_t> folded_bias;  // padded
  std::vector<int32_t> multiplier, left_shift, right_shift;  // padded
};
DepthwiseTables MakeDepthwiseTables(const ConvShape& s, const Int8Params& q, const int8_t* filter,
                                    const int32_t* bias);

// Input offsets (in elements, relative to the image's first pixel) and tap
// indices of the taps of output pixel (oy, ox) that fall inside the input.
int ValidTaps(const ConvShape& s, int oy, int ox, int64_t* offsets, int* taps);

// Vectorized kernels (depth multiplier 1): the input offset is folded into
// the bias, so a tap outside the image reads `zero_row` (filled with the
// input zero point, whose x + input_offset is 0) and needs no special case.
// Sets tap_ptr[tap] for every tap of output pixel (oy, ox) of `image`.
void TapPointers(const ConvShape& s, const int8_t* image, int oy, int ox, const int8_t* zero_row,
                 const int8_t** tap_ptr);
// Scalar channels [from, s.out_c) of one pixel from its tap pointers.
void DepthwiseTailChannels(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                           const int8_t* const* tap_ptr, int from, int8_t* out);

// depth_multiplier == 1 only; require VectorRequantOk(q, out_c).
void DepthwiseInt8Avx2(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                       const int8_t* input, int8_t* output);
void DepthwiseInt8Neon(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                       const int8_t* input, int8_t* output);

}  // namespace potacc::kernels::detail
