// LOGISTIC (sigmoid), TFLite Micro reference semantics.
// int8: fixed-point (potacc/fixed_point_exp.h LogisticInt8): the input is
//   rescaled to Q4.27, |q - zp| >= input_range_radius saturates to -128/127;
//   the output has zero point -128 and scale 1/256.
// float32: x > 16.619047164916992 -> 1; x < -9 -> exp(x); else 1/(1+exp(-x)).
#pragma once

#include <cstdint>

#include "potacc/fixed_point_exp.h"

namespace potacc::kernels {

void LogisticInt8(const fixed_point::LogisticInt8Params& p, const int8_t* input, int64_t count,
                  int8_t* output);
float LogisticFloat(float x);
void LogisticFloat(const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
