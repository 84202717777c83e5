#include "potacc/kernels/gelu.h"

#include <cmath>

#include "kernels/unary_kernel.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

namespace {
// The <math.h> constants TFLite uses, as literals (POSIX values).
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;  // M_2_SQRTPI
constexpr double kSqrtHalf = 0.70710678118654752440;       // M_SQRT1_2
// sqrt(2/pi), formed in double and rounded to float as TFLite's kSqrt2dPi.
constexpr float kSqrt2OverPi = static_cast<float>(kTwoOverSqrtPi * kSqrtHalf);
}  // namespace

float GeluTransform(float x) { return 0.5f * x * std::erfc(x * static_cast<float>(-kSqrtHalf)); }

float GeluTransformApproximate(float x) {
  return 0.5f * x * (1.f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

Int8Lut PrepareGeluInt8(float input_scale, int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, bool approximate) {
  return PopulateInt8Lut(input_scale, input_zero_point, output_scale, output_zero_point,
                         approximate ? GeluTransformApproximate : GeluTransform);
}

void GeluFloat(bool approximate, const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) {
    output[i] = approximate ? GeluTransformApproximate(input[i]) : GeluTransform(input[i]);
  }
}

namespace {

class GeluKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    approximate_ = ctx.options().approximate;
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      lut_ = PrepareGeluInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point, approximate_);
    }
  }

  void Eval(OpContext& ctx) override {
    EvalUnaryByType(
        ctx, [&](const int8_t* in, int64_t n, int8_t* out) { ApplyInt8Lut(lut_, in, n, out); },
        [&](const float* in, int64_t n, float* out) { GeluFloat(approximate_, in, n, out); });
  }

 private:
  Int8Lut lut_{};
  bool approximate_ = false;
};

POTACC_REGISTER_KERNEL(kGelu, GeluKernel);

}  // namespace
}  // namespace potacc::kernels
