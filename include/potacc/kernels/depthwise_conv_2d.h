// DEPTHWISE_CONV_2D (TFLite semantics): NHWC input, filter [1, KH, KW, out_c]
// with out_c = in_c * depth_multiplier; output channel c reads input channel
// c / depth_multiplier. Padded taps contribute nothing.
#pragma once

#include <cstdint>

#include "potacc/kernels/conv_2d.h"

namespace potacc::kernels {

// Reference: straight loops. s.out_c must be a multiple of s.in_c.
void DepthwiseConvInt8Reference(const ConvShape& s, const Int8Params& q, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output);

// Optimized: direct per-pixel kernel vectorized over channels (AVX2 when
// available), interior pixels without bounds checks. Bit-exact with the reference.
void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output,
                       Isa isa = BestIsa());

void DepthwiseConvFloat(const ConvShape& s, FloatRange range, const float* input,
                        const float* filter, const float* bias, float* output);

}  // namespace potacc::kernels
