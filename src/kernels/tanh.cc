#include "potacc/kernels/tanh.h"

#include <cmath>

#include "kernels/unary_kernel.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void TanhInt8(const fixed_point::TanhInt8Params& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = fixed_point::TanhInt8(p, input[i]);
}

Int8Lut TanhInt8Table(const fixed_point::TanhInt8Params& p) {
  Int8Lut lut;
  for (int q = -128; q < 128; ++q) lut[static_cast<uint8_t>(q)] = fixed_point::TanhInt8(p, static_cast<int8_t>(q));
  return lut;
}

void TanhFloat(const float* input, int64_t count, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = std::tanh(input[i]);
}

namespace {

class TanhKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      if (qo.zero_point != fixed_point::kTanhInt8OutputZeroPoint || qo.scale != fixed_point::kTanhInt8OutputScale)
        ctx.Unsupported("int8 output must have zero point 0 and scale 1/128 (TFLite's fixed-point tanh), got " +
                        std::to_string(qo.zero_point) + " and " + std::to_string(qo.scale));
      table_ = TanhInt8Table(fixed_point::PrepareTanhInt8(qi.scale, qi.zero_point));
    }
  }

  void Eval(OpContext& ctx) override {
    EvalUnaryByType(
        ctx, [&](const int8_t* in, int64_t n, int8_t* out) { ApplyInt8Lut(table_, in, n, out); }, TanhFloat);
  }

 private:
  Int8Lut table_{};
};

POTACC_REGISTER_KERNEL(kTanh, TanhKernel);

}  // namespace
}  // namespace potacc::kernels
