#include "kernels/unary_kernel.h"
#include "potacc/kernels/hard_swish.h"

#include <algorithm>

#include "potacc/error.h"
#include "potacc/fixed_point.h"
#include "potacc/fixed_point_exp.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

HardSwishInt8Params PrepareHardSwishInt8(float input_scale, int32_t input_zero_point,
                                         float output_scale, int32_t output_zero_point) {
  HardSwishInt8Params p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  // TFLite computes these ratios in float, then widens to double.
  const float hires_input_scale = (1.0f / 128.0f) * input_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t m32 = 0;
  fixed_point::QuantizeMultiplier(static_cast<double>(hires_input_scale / output_scale), &m32,
                                  &p.output_exponent);
  p.output_multiplier = fixed_point::DownScaleInt32ToInt16Multiplier(m32);
  Check(p.output_exponent <= 0, "HARD_SWISH output scale is too small for the input scale");
  fixed_point::QuantizeMultiplier(static_cast<double>(hires_input_scale / reluish_scale), &m32,
                                  &p.reluish_exponent);
  p.reluish_multiplier = fixed_point::DownScaleInt32ToInt16Multiplier(m32);
  return p;
}

int8_t HardSwishInt8(const HardSwishInt8Params& p, int8_t q) {
  using namespace fixed_point;  // NOLINT: the 16-bit helpers
  const auto input_value = static_cast<int16_t>(q - p.input_zero_point);
  const auto hires = static_cast<int16_t>(input_value * (1 << 7));
  const int16_t preshift_output_scale = SaturatingRoundingDoublingHighMul16(hires, p.output_multiplier);
  int16_t reluish = hires;
  if (p.reluish_exponent > 0) reluish = SaturatingLeftShift16(reluish, p.reluish_exponent - 1);
  reluish = SaturatingRoundingDoublingHighMul16(reluish, p.reluish_multiplier);
  if (p.reluish_exponent > 0) reluish = SaturatingLeftShift16(reluish, 1);
  if (p.reluish_exponent < 0) {
    reluish = static_cast<int16_t>(RoundingDivideByPOT(reluish, -p.reluish_exponent));
  }
  // [-1, 1] -> [0, 1] in Q0.15.
  reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);
  const int16_t preshift_output = SaturatingDoublingHighMul16(reluish, preshift_output_scale);
  const int32_t out =
      RoundingDivideByPOT(preshift_output, -p.output_exponent) + p.output_zero_point;
  return static_cast<int8_t>(std::clamp<int32_t>(out, -128, 127));
}

float HardSwishFloat(float x) { return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f; }

namespace {

class HardSwishKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    RequireSameElementCount(ctx);
    if (ctx.input(0).type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      try {
        params_ = PrepareHardSwishInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
      } catch (const Error& e) {
        ctx.Unsupported(e.what());
      }
    }
  }

  void Eval(OpContext& ctx) override {
    EvalUnaryByType(
        ctx,
        [&](const int8_t* in, int64_t n, int8_t* out) {
          for (int64_t i = 0; i < n; ++i) out[i] = HardSwishInt8(params_, in[i]);
        },
        [](const float* in, int64_t n, float* out) {
          for (int64_t i = 0; i < n; ++i) out[i] = HardSwishFloat(in[i]);
        });
  }

 private:
  HardSwishInt8Params params_;
};

POTACC_REGISTER_KERNEL(kHardSwish, HardSwishKernel);

}  // namespace
}  // namespace potacc::kernels
