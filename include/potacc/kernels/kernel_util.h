// Shape and quantization helpers shared by the kernels (TFLite semantics of
// ComputePaddingHeightWidth, CalculateActivationRangeQuantized and the
// per-channel multiplier set-up of conv/depthwise/FC).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/model.h"

namespace potacc::kernels {

// Output size along one spatial axis (TFLite ComputeOutSize).
int ComputeOutSize(Padding padding, int in_size, int filter_size, int stride, int dilation = 1);

// Leading padding along one axis for SAME padding (0 for VALID), as TFLite
// computes it: total = max((out-1)*stride + eff_filter - in, 0), leading = total/2.
int ComputePadding(Padding padding, int in_size, int filter_size, int stride, int dilation,
                   int out_size);

// Clamp range of a quantized output after a fused activation.
fixed_point::ActivationRange ActivationRangeQuantized(Activation activation, float scale,
                                                      int32_t zero_point, DataType type);

struct FloatRange {
  float min;
  float max;
};
FloatRange ActivationRangeFloat(Activation activation);

// v clamped to a float activation range (a NaN stays NaN, as in TFLite).
inline float ClampToRange(float v, FloatRange range) {
  return std::min(std::max(v, range.min), range.max);
}

// One output pixel of a float (depthwise) convolution: out[c] = clamp(acc[c]
// + bias[c], range); the bias (may be null) comes after the taps, as in TFLite.
inline void BiasAndClampPixel(const float* acc, const float* bias, int channels, FloatRange range,
                              float* out) {
  for (int c = 0; c < channels; ++c) out[c] = ClampToRange(acc[c] + (bias ? bias[c] : 0.0f), range);
}

// Per-output-channel requantization of conv/depthwise/FC:
// real_multiplier[c] = input_scale * filter_scale[c] / output_scale.
// A per-tensor filter (one scale) is broadcast to `channels` entries.
struct ChannelMultipliers {
  std::vector<int32_t> multiplier;
  std::vector<int> shift;
};
ChannelMultipliers PerChannelMultipliers(float input_scale, const std::vector<float>& filter_scale,
                                         float output_scale, int channels);

// TFLite computes these ratios in double from float scales; keep it in one place.
inline double RealMultiplier(float input_scale, float filter_scale, float output_scale) {
  return static_cast<double>(input_scale) * static_cast<double>(filter_scale) /
         static_cast<double>(output_scale);
}

}  // namespace potacc::kernels
