#include "potacc/kernels/kernel_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "potacc/error.h"

namespace potacc::kernels {

int ComputeOutSize(Padding padding, int in_size, int filter_size, int stride, int dilation) {
  const int effective = (filter_size - 1) * dilation + 1;
  if (stride <= 0) return 0;
  if (padding == Padding::kSame) return (in_size + stride - 1) / stride;
  return (in_size + stride - effective) / stride;
}

int ComputePadding(Padding padding, int in_size, int filter_size, int stride, int dilation,
                   int out_size) {
  if (padding != Padding::kSame) return 0;
  const int effective = (filter_size - 1) * dilation + 1;
  const int total = std::max((out_size - 1) * stride + effective - in_size, 0);
  return total / 2;
}

fixed_point::ActivationRange ActivationRangeQuantized(Activation activation, float scale,
                                                      int32_t zero_point, DataType type) {
  int32_t qmin = -128, qmax = 127;
  if (type == DataType::kUInt8) {
    qmin = 0;
    qmax = 255;
  } else if (type == DataType::kInt16) {
    qmin = -32768;
    qmax = 32767;
  }
  auto quantize = [&](float f) {
    return zero_point + static_cast<int32_t>(std::round(f / scale));
  };
  switch (activation) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
      qmin = std::max(qmin, quantize(0.0f));
      break;
    case Activation::kRelu6:
      qmin = std::max(qmin, quantize(0.0f));
      qmax = std::min(qmax, quantize(6.0f));
      break;
    case Activation::kReluN1To1:
      qmin = std::max(qmin, quantize(-1.0f));
      qmax = std::min(qmax, quantize(1.0f));
      break;
    default:
      throw UnsupportedError("fused activation " + std::to_string(static_cast<int>(activation)) +
                             " is not supported for quantized kernels");
  }
  return {qmin, qmax};
}

FloatRange ActivationRangeFloat(Activation activation) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::kNone: return {-kInf, kInf};
    case Activation::kRelu: return {0.0f, kInf};
    case Activation::kRelu6: return {0.0f, 6.0f};
    case Activation::kReluN1To1: return {-1.0f, 1.0f};
    default:
      throw UnsupportedError("fused activation " + std::to_string(static_cast<int>(activation)) +
                             " is not supported for float kernels");
  }
}

ChannelMultipliers PerChannelMultipliers(float input_scale, const std::vector<float>& filter_scale,
                                         float output_scale, int channels) {
  Check(!filter_scale.empty(), "filter has no quantization scale");
  Check(filter_scale.size() == 1 || static_cast<int>(filter_scale.size()) == channels,
        "filter has " + std::to_string(filter_scale.size()) + " scales for " +
            std::to_string(channels) + " output channels");
  ChannelMultipliers m;
  m.multiplier.resize(channels);
  m.shift.resize(channels);
  for (int c = 0; c < channels; ++c) {
    const float fs = filter_scale.size() == 1 ? filter_scale[0] : filter_scale[c];
    fixed_point::QuantizeMultiplier(RealMultiplier(input_scale, fs, output_scale), &m.multiplier[c],
                                    &m.shift[c]);
  }
  return m;
}

}  // namespace potacc::kernels
