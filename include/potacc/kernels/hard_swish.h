// HARD_SWISH: x * relu6(x + 3) / 6 (TFLite / TFLite Micro reference semantics).
//
// int8 (reference_ops::HardSwish): 16-bit fixed point. The input offset is
// moved to a "hires" scale (x 2^7); the output path multiplies it by
// s_in / (128 s_out) (a Q0.15 multiplier + right shift); the "reluish" path
// rescales it so that +/-3.0 maps to +/-32768, saturating, then maps [-1, 1]
// to [0, 1]; the two are multiplied with a truncating doubling high multiply,
// shifted, offset by the output zero point and clamped.
// float32: x * min(6, max(0, x + 3)) / 6.
#pragma once

#include <cstdint>

namespace potacc::kernels {

struct HardSwishInt8Params {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t reluish_multiplier = 0;  // Q0.15
  int reluish_exponent = 0;
  int16_t output_multiplier = 0;   // Q0.15
  int output_exponent = 0;         // <= 0
};

// Throws potacc::Error if the output multiplier would need a left shift.
HardSwishInt8Params PrepareHardSwishInt8(float input_scale, int32_t input_zero_point,
                                         float output_scale, int32_t output_zero_point);
int8_t HardSwishInt8(const HardSwishInt8Params& p, int8_t q);
float HardSwishFloat(float x);

}  // namespace potacc::kernels
