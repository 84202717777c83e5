// TANH (TFLite Micro reference semantics), int8 and float32.
// int8 (reference_integer_ops::Tanh): the input is rescaled to Q4.27 as for
// LOGISTIC (|q - zp| >= radius saturates to -128 / 127), tanh in gemmlowp
// fixed point (fixed_point_exp.h), output RoundingDivideByPOT(tanh_Q0.31, 24):
// scale 1/128, zero point 0, which the output tensor must declare.
// float32: std::tanh.
// Optimized twin: the output depends on the input byte alone, so the kernel
// evaluates the reference once per code (256 values) and looks the tensor up
// in that table - equal to the reference by construction, tested exhaustively.
#pragma once

#include <cstdint>

#include "potacc/fixed_point_exp.h"
#include "potacc/kernels/lut.h"

namespace potacc::kernels {

void TanhInt8(const fixed_point::TanhInt8Params& p, const int8_t* input, int64_t count, int8_t* output);
// The reference for every int8 code (the optimized twin applies it with ApplyInt8Lut).
Int8Lut TanhInt8Table(const fixed_point::TanhInt8Params& p);
void TanhFloat(const float* input, int64_t count, float* output);

}  // namespace potacc::kernels
