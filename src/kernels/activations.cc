// RELU and RELU6 kernels; the arithmetic is described in activations.h.
#include "potacc/kernels/activations.h"

#include <algorithm>
#include <cmath>

#include "potacc/fixed_point.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

ReluInt8Params PrepareReluInt8(float input_scale, int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point) {
  ReluInt8Params p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  fixed_point::QuantizeMultiplier(
      static_cast<double>(input_scale) / static_cast<double>(output_scale), &p.multiplier,
      &p.shift);
  p.min = std::max<int32_t>(-128, output_zero_point + static_cast<int32_t>(
                                                          std::round(0.0f / output_scale)));
  p.max = 127;
  return p;
}

void ReluInt8(const ReluInt8Params& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = p.output_zero_point +
                      fixed_point::MultiplyByQuantizedMultiplier(input[i] - p.input_zero_point,
                                                                 p.multiplier, p.shift);
    output[i] = static_cast<int8_t>(std::clamp(v, p.min, p.max));
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
    RequireArity(ctx, 1, 1, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kInt8, DataType::kFloat32});
    RequireSameType(ctx, in, "input", out, "output");
    ctx.Require(in.num_elements() == out.num_elements(),
                "input shape " + ShapeString(in.shape) + " differs from output shape " +
                    ShapeString(out.shape));
    if (in.type == DataType::kInt8) {
      const TensorQuant qi = PerTensorQuant(ctx, in, "input");
      const TensorQuant qo = PerTensorQuant(ctx, out, "output");
      if constexpr (kKind == ReluKind::kRelu) {
        relu_ = PrepareReluInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
      } else {
        if (!(qi == qo)) ctx.Unsupported("int8 RELU6 needs equal input and output quantization");
        relu6_ = PrepareRelu6Int8(qi.scale, qi.zero_point);
      }
    }
  }

  void Eval(OpContext& ctx) override {
    const int64_t n = ctx.input(0).num_elements();
    if (ctx.input(0).type == DataType::kInt8) {
      if constexpr (kKind == ReluKind::kRelu) {
        ReluInt8(relu_, ctx.input_data<int8_t>(0), n, ctx.output_data<int8_t>(0));
      } else {
        Relu6Int8(relu6_, ctx.input_data<int8_t>(0), n, ctx.output_data<int8_t>(0));
      }
    } else {
      if constexpr (kKind == ReluKind::kRelu) {
        ReluFloat(ctx.input_data<float>(0), n, ctx.output_data<float>(0));
      } else {
        Relu6Float(ctx.input_data<float>(0), n, ctx.output_data<float>(0));
      }
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
