// SOFTMAX over the last dimension (TFLite Micro reference semantics), for
// tensors of any rank (2-D logits, 3-D/4-D attention scores alike).
// int8 -> int8: fixed-point exp / reciprocal arithmetic of
//   potacc/fixed_point_exp.h (SoftmaxInt8Row); the output must be quantized
//   with zero point -128 and scale 1/256. A row whose sum of exponentials
//   reaches 512 (the reference's final shift would exceed 31: TFLite Micro
//   aborts, TFLite's optimized kernel outputs -128) gives -128 everywhere, the
//   limit of the reference arithmetic.
// float32: exp((x - max) * beta) / sum, all in float.
#pragma once

#include <array>
#include <cstdint>

#include "potacc/fixed_point_exp.h"

namespace potacc::kernels {

// Reference: SoftmaxInt8Row for each of `rows` rows of `depth` values.
void SoftmaxInt8Reference(const fixed_point::SoftmaxInt8Params& p, const int8_t* input, int64_t rows, int depth,
                          int8_t* output);

// The optimized twin: an int8 difference to the row maximum is one of 256
// values, so exp() (Q0.31) and its Q12.19 rescale are tabulated once per
// parameter set; the rows then need one reciprocal and one rounding multiply
// per element. Bit-identical to the reference (integer sums are exact).
struct SoftmaxInt8Table {
  fixed_point::SoftmaxInt8Params params;
  std::array<int32_t, 256> exp_q0{};   // index: max - q (0..255); 0 below diff_min
  std::array<int32_t, 256> exp_acc{};  // the same in Q12.19
};
SoftmaxInt8Table PrepareSoftmaxInt8Table(const fixed_point::SoftmaxInt8Params& p);
void SoftmaxInt8(const SoftmaxInt8Table& t, const int8_t* input, int64_t rows, int depth, int8_t* output);

void SoftmaxFloat(float beta, const float* input, int64_t rows, int depth, float* output);

}  // namespace potacc::kernels
