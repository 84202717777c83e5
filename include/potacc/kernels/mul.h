// MUL (TFLite / TFLite Micro reference semantics), int8 and float32, with
// NumPy broadcasting of any rank.
//
// int8: out = MultiplyByQuantizedMultiplier((q1 - zp1) * (q2 - zp2), m, shift)
//             + zp_out, clamped to the fused activation range, where m/shift
//       come from s1 * s2 / s_out (QuantizeMultiplier, computed in double).
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/kernel_util.h"

namespace potacc::kernels {

struct MulInt8Params {
  int32_t input1_offset = 0;  // -zp1
  int32_t input2_offset = 0;  // -zp2
  int32_t output_offset = 0;  // zp_out
  int32_t output_multiplier = 0;
  int output_shift = 0;
  fixed_point::ActivationRange range;
};

MulInt8Params PrepareMulInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                             float out_scale, int32_t out_zp, fixed_point::ActivationRange range);

int8_t MulInt8Element(const MulInt8Params& p, int8_t a, int8_t b);

void MulInt8(const MulInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2,
             const std::vector<int32_t>& out_shape, int8_t* out);

void MulFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2,
              const std::vector<int32_t>& out_shape, float* out);

}  // namespace potacc::kernels
