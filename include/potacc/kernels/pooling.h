// AVERAGE_POOL_2D and MAX_POOL_2D (TFLite / TFLite Micro reference
// semantics), NHWC, int8 and float32.
//
// Windows are clipped to the input: padded taps are skipped, not counted.
// int8 average: sum of the raw int8 values over the valid taps, then a
// rounded division by the number of valid taps `count`:
//   avg = sum > 0 ? (sum + count/2) / count : (sum - count/2) / count
// (C++ integer division truncates toward zero, so this rounds half away from
// zero), clamped to the fused activation range. Input and output share their
// quantization parameters, as TFLite requires.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/kernel_util.h"
#include "potacc/model.h"

namespace potacc::kernels {

struct PoolGeometry {
  int batch = 1, in_h = 1, in_w = 1, channels = 1;
  int out_h = 1, out_w = 1;
  int filter_h = 1, filter_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;
};

// Output size and leading padding from the input shape [N, H, W, C], the
// window, the strides and the padding mode (TFLite ComputePaddingHeightWidth).
PoolGeometry MakePoolGeometry(const std::vector<int32_t>& input_shape, int filter_h, int filter_w,
                              int stride_h, int stride_w, Padding padding);

// Rounded integer average of `sum` over `count` taps (TFLite's rounding).
inline int32_t RoundedAverage(int32_t sum, int count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

void AveragePoolInt8(const PoolGeometry& g, fixed_point::ActivationRange range, const int8_t* input,
                     int8_t* output);
void MaxPoolInt8(const PoolGeometry& g, fixed_point::ActivationRange range, const int8_t* input,
                 int8_t* output);
void AveragePoolFloat(const PoolGeometry& g, FloatRange range, const float* input, float* output);
void MaxPoolFloat(const PoolGeometry& g, FloatRange range, const float* input, float* output);

}  // namespace potacc::kernels
