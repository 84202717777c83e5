// Eval of the element-wise one-input operators (RELU, RELU6, HARD_SWISH,
// LOGISTIC): input 0 -> output 0 over all elements, in the input's type.
#pragma once

#include <cstdint>

#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

// int8_fn(const int8_t* in, int64_t count, int8_t* out) and
// float_fn(const float* in, int64_t count, float* out) each run the whole
// tensor (the per-element loop stays inside them, inlined).
template <class Int8Fn, class FloatFn>
void EvalUnaryByType(const OpContext& ctx, Int8Fn&& int8_fn, FloatFn&& float_fn) {
  const int64_t n = ctx.input(0).num_elements();
  if (ctx.input(0).type == DataType::kInt8) {
    int8_fn(ctx.input_data<int8_t>(0), n, ctx.output_data<int8_t>(0));
  } else {
    float_fn(ctx.input_data<float>(0), n, ctx.output_data<float>(0));
  }
}

}  // namespace potacc::kernels
