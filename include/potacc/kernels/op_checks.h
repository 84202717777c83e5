// Validation helpers shared by the element-wise / shape kernels' Prepare:
// arity, types, per-tensor quantization parameters, shape printing. Every
// failure is a one-line error prefixed with "<OP> (node N)".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "potacc/kernels/kernel_util.h"
#include "potacc/runtime/op_kernel.h"
#include "potacc/util/text.h"  // FormatShape, for the messages

namespace potacc::kernels {

// Requires min_inputs..max_inputs inputs (all present) and exactly `outputs` outputs.
void RequireArity(const OpContext& ctx, int min_inputs, int max_inputs, int outputs);

// Throws UnsupportedError naming the tensor role and its type unless `type`
// is one of `allowed`.
void RequireTypeIn(const OpContext& ctx, const Tensor& tensor, const char* role,
                   std::initializer_list<DataType> allowed);

// Requires input/output types to be equal.
void RequireSameType(const OpContext& ctx, const Tensor& a, const char* role_a, const Tensor& b,
                     const char* role_b);

// Per-tensor quantization of an int8 tensor (a missing or per-channel
// quantization is an InvalidModelError naming the role).
struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool operator==(const TensorQuant&) const = default;
};
TensorQuant PerTensorQuant(const OpContext& ctx, const Tensor& tensor, const char* role);

// PerTensorQuant of input 0 ("input") and output 0 ("output"), in that order.
struct InputOutputQuant {
  TensorQuant input;
  TensorQuant output;
};
InputOutputQuant PerTensorInputOutputQuant(const OpContext& ctx);

// TFLite fixes the int8 output of LOGISTIC and SOFTMAX, whose values lie in
// [0, 1], to zero point -128 and scale 1/256; anything else is unsupported.
inline constexpr int32_t kUnitIntervalInt8ZeroPoint = -128;
inline constexpr float kUnitIntervalInt8Scale = 1.0f / 256.0f;
void RequireUnitIntervalInt8Output(const OpContext& ctx, const TensorQuant& output);

// The checks every one-input, one-output operator that computes in int8 or
// float32 and keeps its type starts with: arity 1 -> 1, input int8/float32,
// output of the input's type.
void RequireUnaryInt8OrFloat(const OpContext& ctx);

// Requires input 0 and output 0 to hold the same number of elements.
void RequireSameElementCount(const OpContext& ctx);

// Fused activation ranges (kernel_util.h) with the "<OP> (node N):" prefix on errors.
fixed_point::ActivationRange NodeActivationRange(const OpContext& ctx, const TensorQuant& output,
                                                 DataType type);
FloatRange NodeActivationRangeFloat(const OpContext& ctx);

// Number of elements of a shape (1 for a scalar).
int64_t ShapeElements(const std::vector<int32_t>& shape);

// Reads a small int32 or int64 tensor (axes, paddings, begin/end) as int64.
std::vector<int64_t> ReadIndexTensor(const OpContext& ctx, int input, const char* role);

}  // namespace potacc::kernels
