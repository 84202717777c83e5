// GELU (TFLite semantics; TFLite Micro has no GELU kernel).
//
// int8: a 256-entry table (kernels/lut.h, TFLite's LUTPopulate<int8_t>) of
//   exact:        0.5f * x * erfc(x * (float)(-1/sqrt(2)))
//   approximate:  0.5f * x * (1 + tanh((float)(sqrt(2/pi)) * (x + 0.044715f * x^3)))
// in float32 with the C library's erfcf / tanhf, as
// tensorflow/lite/kernels/internal/reference/gelu.h (GeluTransform,
// GeluTransformApproximate; the exact form is written with erfc since TF 2.16,
// earlier releases used 0.5 * x * (1 + erf(x / sqrt(2))) in double, which
// differs in rare table entries by one code).
// float32: the same formulas per element (TFLite evaluates them with Eigen's
// vectorized erfc/tanh, so float outputs agree to float rounding, not bitwise).
#pragma once

#include <cstdint>

#include "potacc/kernels/lut.h"

namespace potacc::kernels {

float GeluTransform(float x);
float GeluTransformApproximate(float x);

Int8Lut PrepareGeluInt8(float input_scale, int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, bool approximate);

void GeluFloat(bool approximate, const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
