#include "potacc/kernels/rsqrt.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/unary_kernel.h"
#include "potacc/error.h"
#include "potacc/fixed_point_exp.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

RsqrtInt8Params PrepareRsqrtInt8(float input_scale, int32_t input_zero_point, float output_scale,
                                 int32_t output_zero_point) {
  RsqrtInt8Params p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  const double real = 1. / static_cast<double>(std::sqrt(input_scale) * output_scale);
  fixed_point::QuantizeMultiplier(real, &p.multiplier, &p.shift);
  return p;
}

int8_t RsqrtInt8Element(const RsqrtInt8Params& p, int8_t q) {
  constexpr int kShift = 20;  // keeps the intermediate an integer
  const int32_t value = static_cast<int32_t>(q) - p.input_zero_point;
  Check(value >= 0, "RSQRT is only defined for positive values (input code " + std::to_string(q) +
                        " is below the zero point " + std::to_string(p.input_zero_point) + ")");
  if (value == 0) return 127;
  int32_t inv_sqrt_multiplier = 0;
  int inv_sqrt_shift = 0;
  fixed_point::InvSqrtQuantizedMultiplierExp(value, -1, &inv_sqrt_multiplier, &inv_sqrt_shift);
  const int32_t data = fixed_point::MultiplyByQuantizedMultiplier(1, inv_sqrt_multiplier, inv_sqrt_shift + kShift);
  const int32_t out =
      fixed_point::MultiplyByQuantizedMultiplier(data, p.multiplier, p.shift - kShift) + p.output_zero_point;
  return static_cast<int8_t>(std::clamp<int32_t>(out, -128, 127));
}

void RsqrtInt8(const RsqrtInt8Params& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = RsqrtInt8Element(p, input[i]);
}

void RsqrtFloat(const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = 1.f / std::sqrt(input[i]);
}

namespace {

class RsqrtKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      params_ = PrepareRsqrtInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    try {
      EvalUnaryByType(
          ctx, [&](const int8_t* in, int64_t n, int8_t* out) { RsqrtInt8(params_, in, n, out); }, RsqrtFloat);
    } catch (const Error& e) {
      throw Error(ctx.where() + ": " + e.what());
    }
  }

 private:
  RsqrtInt8Params params_;
};

POTACC_REGISTER_KERNEL(kRsqrt, RsqrtKernel);

}  // namespace
}  // namespace potacc::kernels
