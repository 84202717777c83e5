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
      try {
        params_ = PrepareHardSwishInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
      } catch (const Error& e) {
        ctx.Unsupported(e.what());
      }
    }
  }

  void Eval(OpContext& ctx) override {
    const int64_t n = ctx.input(0).num_elements();
    if (ctx.input(0).type == DataType::kInt8) {
      const int8_t* in = ctx.input_data<int8_t>(0);
      int8_t* out = ctx.output_data<int8_t>(0);
      for (int64_t i = 0; i < n; ++i) out[i] = HardSwishInt8(params_, in[i]);
    } else {
      const float* in = ctx.input_data<float>(0);
      float* out = ctx.output_data<float>(0);
      for (int64_t i = 0; i < n; ++i) out[i] = HardSwishFloat(in[i]);
    }
  }

 private:
  HardSwishInt8Params params_;
};

POTACC_REGISTER_KERNEL(kHardSwish, HardSwishKernel);

}  // namespace
}  // namespace potacc::kernels
