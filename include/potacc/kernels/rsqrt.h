// RSQRT (TFLite Micro reference semantics, elementwise.cc), int8 and float32.
//
// int8: with v = q - zp_in (v < 0 is an error: "only defined for positive values"),
//   v == 0 -> 127 (the largest output);
//   otherwise (m_v, sh_v) = InvSqrtQuantizedMultiplierExp(v, -1)      (1/sqrt(v))
//     data = MultiplyByQuantizedMultiplier(1, m_v, sh_v + 20)
//     out  = clamp(MultiplyByQuantizedMultiplier(data, m, sh - 20) + zp_out, -128, 127)
//   with (m, sh) = QuantizeMultiplier(1 / (double)(sqrtf(s_in) * s_out)) (the
//   square root and the product in float, as TFLite Micro computes them).
// float32: 1 / sqrt(x).
#pragma once

#include <cstdint>

namespace potacc::kernels {

struct RsqrtInt8Params {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};

RsqrtInt8Params PrepareRsqrtInt8(float input_scale, int32_t input_zero_point, float output_scale,
                                 int32_t output_zero_point);

// Throws potacc::Error for a code below the input zero point.
int8_t RsqrtInt8Element(const RsqrtInt8Params& p, int8_t q);

// Every element through RsqrtInt8Element (RSQRT sees one value per token in a
// layer norm, so no optimized twin is needed).
void RsqrtInt8(const RsqrtInt8Params& p, const int8_t* input, int64_t count, int8_t* output);

void RsqrtFloat(const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
