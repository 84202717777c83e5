// RELU and RELU6 kernels; the arithmetic is described in activations.h.
#include "kernels/unary_kernel.h"
#include "potacc/kernels/activations.h"

#include <algorithm>
#include <cmath>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

ReluInt8Params PrepareReluInt8(float input_scale, int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point) {
  const int32_t quantized_zero =
      output_zero_point + static_cast<int32_t>(std::round(0.0f / output_scale));
  return {PrepareRequantize(input_scale, input_zero_point, output_scale, output_zero_point),
          std::max<int32_t>(-128, quantized_zero), 127};
}

void ReluInt8(const ReluInt8Params& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) {
    output[i] = static_cast<int8_t>(std::clamp(RequantizeUnclamped(p, input[i]), p.min, p.max));
  }
}

Relu6Int8Params PrepareRelu6Int8(float input_scale, int32_t input_zero_point) {
  Relu6Int8Params p;
  p.lower = static_cast<int8_t>(input_zero_point);
  const int32_t six = static_cast<int32_t>(std::round(6.0f / input_scale)) + input_zero_point;
  p.upper = static_cast<int8_t>(std::clamp<int32_t>(six, -128, 127));
  return p;
}

void Relu6Int8(const Relu6Int8Params& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) {
    const int8_t v = input[i];
    output[i] = v > p.upper ? p.upper : (v < p.lower ? p.lower : v);
  }
}

void ReluFloat(const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = std::max(input[i], 0.0f);
}

void Relu6Float(const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = std::min(std::max(input[i], 0.0f), 6.0f);
}

namespace {

enum class ReluKind { kRelu, kRelu6 };

template <ReluKind kKind>
class ReluKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      if constexpr (kKind == ReluKind::kRelu) {
        relu_ = PrepareReluInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
      } else {
        if (!(qi == qo)) ctx.Unsupported("int8 RELU6 needs equal input and output quantization");
        relu6_ = PrepareRelu6Int8(qi.scale, qi.zero_point);
      }
    }
  }

  void Eval(OpContext& ctx) override {
    if constexpr (kKind == ReluKind::kRelu) {
      EvalUnaryByType(
          ctx, [&](const int8_t* in, int64_t n, int8_t* out) { ReluInt8(relu_, in, n, out); },
          ReluFloat);
    } else {
      EvalUnaryByType(
          ctx, [&](const int8_t* in, int64_t n, int8_t* out) { Relu6Int8(relu6_, in, n, out); },
          Relu6Float);
    }
  }

 private:
  ReluInt8Params relu_;
  Relu6Int8Params relu6_;
};

using Relu = ReluKernel<ReluKind::kRelu>;
using Relu6 = ReluKernel<ReluKind::kRelu6>;
POTACC_REGISTER_KERNEL(kRelu, Relu);
POTACC_REGISTER_KERNEL(kRelu6, Relu6);

}  // namespace
}  // namespace potacc::kernels
