// SQUARED_DIFFERENCE (TFLite Micro reference semantics), int8 and float32,
// with NumPy broadcasting.
//
// int8 (squared_difference.cc, left_shift = 7 so that 255^2 * 2^14 fits int32):
//   t       = 2 * max(s1, s2)                                   (double)
//   x_i''   = MBQMSmallerThanOneExp((q_i - zp_i) << 7, m_i, sh_i),  m_i from s_i / t
//   d       = x_1'' - x_2''
//   out     = clamp(MultiplyByQuantizedMultiplier(d * d, m_o, sh_o) + zp_out, -128, 127)
//   m_o from t^2 / ((float)(2^14 * s_out)); no fused activation.
// float32: (a - b)^2.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/kernel_util.h"

namespace potacc::kernels {

struct SquaredDifferenceInt8Params {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int left_shift = 7;
  int32_t input1_multiplier = 0, input2_multiplier = 0, output_multiplier = 0;
  int input1_shift = 0, input2_shift = 0, output_shift = 0;
};

SquaredDifferenceInt8Params PrepareSquaredDifferenceInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                                                         float out_scale, int32_t out_zp,
                                                         fixed_point::ActivationRange range);

int8_t SquaredDifferenceInt8Element(const SquaredDifferenceInt8Params& p, int8_t a, int8_t b);

void SquaredDifferenceInt8(const SquaredDifferenceInt8Params& p, const std::vector<int32_t>& shape1,
                           const int8_t* in1, const std::vector<int32_t>& shape2, const int8_t* in2,
                           const std::vector<int32_t>& out_shape, int8_t* out);

void SquaredDifferenceFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
                            const std::vector<int32_t>& shape2, const float* in2,
                            const std::vector<int32_t>& out_shape, float* out);

}  // namespace potacc::kernels
