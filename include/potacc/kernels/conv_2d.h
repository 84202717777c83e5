// CONV_2D (TFLite semantics): NHWC input, OHWI filter, per-channel or
// per-tensor int8 quantization, or float32.
//
// Pure functions, callable by the registered kernel, the accelerator driver
// and the tests. The *Reference functions are the readable specification;
// ConvInt8 (im2col only when needed + packed int8 GEMM on the best ISA)
// must match them bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"
#include "potacc/model.h"

namespace potacc::kernels {

// Geometry of a 2-D convolution (also used by DEPTHWISE_CONV_2D, where
// out_c = in_c * depth_multiplier).
struct ConvShape {
  int batch = 1;
  int in_h = 1, in_w = 1, in_c = 1;
  int filter_h = 1, filter_w = 1;
  int out_h = 1, out_w = 1, out_c = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;  // leading padding; taps outside the input contribute nothing

  int64_t rows() const { return int64_t{batch} * out_h * out_w; }  // output pixels (GEMM M)
  int depth() const { return filter_h * filter_w * in_c; }          // conv taps (GEMM K)
};

// Fills out_h, out_w, pad_top, pad_left from the other fields and the
// padding mode, as TFLite does.
void ResolvePadding(ConvShape& s, Padding padding);

// The shape of a convolution of a 4-D NHWC input with a filter_h x filter_w
// window into out_c channels, with the strides, dilations and padding of
// `options` (output size and padding resolved by ResolvePadding). Used by the
// CONV_2D / DEPTHWISE_CONV_2D kernels and the accelerator lowering.
ConvShape MakeConvShape(const std::vector<int32_t>& input_nhwc, int filter_h, int filter_w,
                        int out_c, const OpOptions& options);

// Reference: straight loops over output pixels, channels and taps.
void ConvInt8Reference(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output);

// Optimized, with the filter packed once (PackedWeightsInt8(filter, out_c,
// depth(), bias, q, isa)). 1x1 stride-1 convolutions read the input pixels
// as GEMM rows; others build im2col rows one cache-sized block at a time.
// With a pool, the rows (or channels) are split across its threads; the
// output does not depend on it.
void ConvInt8(const ConvShape& s, const Int8Params& q, const PackedWeightsInt8& filter,
              const int8_t* input, int8_t* output, Isa isa = BestIsa(), ThreadPool* pool = nullptr);

// Optimized, one shot (packs the filter on every call).
void ConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input, const int8_t* filter,
              const int32_t* bias, int8_t* output, Isa isa = BestIsa(), ThreadPool* pool = nullptr);

// float32: out = clamp(bias + Σ x*w, range). bias may be null.
void ConvFloat(const ConvShape& s, FloatRange range, const float* input, const float* filter,
               const float* bias, float* output);

}  // namespace potacc::kernels
