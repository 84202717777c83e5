// TANH (TFLite Micro reference semantics), int8 and float32.
// int8 (reference_integer_ops::Tanh): the input is rescaled to Q4.27 as for
// LOGISTIC (|q - zp| >= radius saturates to -128 / 127), tanh in gemmlowp
// fixed point (fixed_point_exp.h), output RoundingDivideByPOT(tanh_Q0.31, 24):
// scale 1/128, zero point 0, which the output tensor must declare.
// float32: std::tanh.
#pragma once

#include <cstdint>

#include "potacc/fixed_point_exp.h"

namespace potacc::kernels {

void TanhInt8(const fixed_point::TanhInt8Params& p, const int8_t* input, int64_t count, int8_t* output);
void TanhFloat(const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
