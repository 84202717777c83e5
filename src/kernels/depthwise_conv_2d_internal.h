// Private: the depthwise kernels' per-call tables and the AVX2 entry point.
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

// depth_multiplier == 1 only; requires VectorRequantOk(q, out_c).
void DepthwiseInt8Avx2(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                       const int8_t* input, int8_t* output);

}  // namespace potacc::kernels::detail
