#include "kernels/unary_kernel.h"
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

static_assert(fixed_point::kLogisticInt8OutputZeroPoint == kUnitIntervalInt8ZeroPoint);

class LogisticKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      RequireUnitIntervalInt8Output(ctx, qo);
      params_ = fixed_point::PrepareLogisticInt8(qi.scale, qi.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    EvalUnaryByType(
        ctx, [&](const int8_t* in, int64_t n, int8_t* out) { LogisticInt8(params_, in, n, out); },
        [](const float* in, int64_t n, float* out) { LogisticFloat(in, n, out); });
  }

 private:
  fixed_point::LogisticInt8Params params_;
};

POTACC_REGISTER_KERNEL(kLogistic, LogisticKernel);

}  // namespace
}  // namespace potacc::kernels
