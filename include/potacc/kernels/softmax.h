// SOFTMAX over the last dimension (TFLite Micro reference semantics).
// int8 -> int8: fixed-point exp / reciprocal arithmetic of
//   potacc/fixed_point_exp.h (SoftmaxInt8Row); the output must be quantized
//   with zero point -128 and scale 1/256.
// float32: exp((x - max) * beta) / sum, all in float.
#pragma once

#include <cstdint>

#include "potacc/fixed_point_exp.h"

namespace potacc::kernels {

void SoftmaxInt8(const fixed_point::SoftmaxInt8Params& p, const int8_t* input, int64_t rows,
                 int depth, int8_t* output);
void SoftmaxFloat(float beta, const float* input, int64_t rows, int depth, float* output);

}  // namespace potacc::kernels
