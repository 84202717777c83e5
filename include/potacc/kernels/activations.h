// RELU and RELU6 (TFLite Micro reference semantics).
// RELU int8: requantize from the input to the output scale, then clamp below
//   at the quantized 0.0:
//   out = clamp(zp_out + MultiplyByQuantizedMultiplier(q - zp_in, m, shift),
//               max(-128, zp_out + round(0 / s_out)), 127)
// RELU6 int8: a clamp of the raw values to [zp_in, quantize(6.0)] with the
//   input's parameters (TFLM Relu6Quantized; input and output share them).
// float32: max(x, 0) and min(max(x, 0), 6).
#pragma once

#include <cstdint>

#include "potacc/kernels/quantize.h"

namespace potacc::kernels {

// The requantization of QUANTIZE int8 -> int8, then a clamp to [min, max].
struct ReluInt8Params : RequantizeParams {
  int32_t min = -128;
  int32_t max = 127;
};
ReluInt8Params PrepareReluInt8(float input_scale, int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point);
void ReluInt8(const ReluInt8Params& p, const int8_t* input, int64_t count, int8_t* output);

struct Relu6Int8Params {
  int8_t lower = 0;  // the quantized 0.0
  int8_t upper = 0;  // the quantized 6.0 (saturated)
};
Relu6Int8Params PrepareRelu6Int8(float input_scale, int32_t input_zero_point);
void Relu6Int8(const Relu6Int8Params& p, const int8_t* input, int64_t count, int8_t* output);

void ReluFloat(const float* input, int64_t count, float* output);
void Relu6Float(const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
