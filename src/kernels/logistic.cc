#include "potacc/kernels/logistic.h"

#include <cmath>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void LogisticInt8(const fixed_point::LogisticInt8Params& p, const int8_t* input, int64_t count,
                  int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = fixed_point::LogisticInt8(p, input[i]);
}

float LogisticFloat(float x) {
  // TFLite's cut-offs: above the upper one the float result is exactly 1;
  // below the lower one exp(x) is indistinguishable from 1/(1+exp(-x)).
  constexpr float kCutoffUpper = 16.619047164916992188f;
  constexpr float kCutoffLower = -9.0f;
  if (x > kCutoffUpper) return 1.0f;
  if (x < kCutoffLower) return std::exp(x);
  return 1.0f / (1.0f + std::exp(-x));
}

void LogisticFloat(const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = LogisticFloat(input[i]);
}

namespace {

class LogisticKernel : public OpKernel {
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
      if (qo.zero_point != fixed_point::kLogisticInt8OutputZeroPoint ||
          qo.scale != 1.0f / 256.0f) {
        ctx.Unsupported("int8 output must have zero point -128 and scale 1/256, has zero point " +
                        std::to_string(qo.zero_point) + " and scale " + std::to_string(qo.scale));
      }
      params_ = fixed_point::PrepareLogisticInt8(qi.scale, qi.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    const int64_t n = ctx.input(0).num_elements();
    if (ctx.input(0).type == DataType::kInt8) {
      LogisticInt8(params_, ctx.input_data<int8_t>(0), n, ctx.output_data<int8_t>(0));
    } else {
      LogisticFloat(ctx.input_data<float>(0), n, ctx.output_data<float>(0));
    }
  }

 private:
  fixed_point::LogisticInt8Params params_;
};

POTACC_REGISTER_KERNEL(kLogistic, LogisticKernel);

}  // namespace
}  // namespace potacc::kernels
