#include "potacc/kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void SoftmaxInt8Reference(const fixed_point::SoftmaxInt8Params& p, const int8_t* input, int64_t rows, int depth,
                          int8_t* output) {
  for (int64_t r = 0; r < rows; ++r) {
    fixed_point::SoftmaxInt8Row(p, input + r * depth, depth, output + r * depth);
  }
}

SoftmaxInt8Table PrepareSoftmaxInt8Table(const fixed_point::SoftmaxInt8Params& p) {
  using namespace fixed_point;
  SoftmaxInt8Table t;
  t.params = p;
  for (int d = 0; d < 256; ++d) {
    const int32_t diff = -d;
    if (diff < p.diff_min) continue;  // contributes nothing, outputs -128
    const auto scaled = FixedPoint<kSoftmaxScaledDiffIntegerBits>::FromRaw(
        MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.input_beta_multiplier, p.input_beta_left_shift));
    const FixedPoint<0> e = ExpOnNegativeValues(scaled);
    t.exp_q0[d] = e.raw;
    t.exp_acc[d] = Rescale<kSoftmaxAccumulationIntegerBits>(e).raw;
  }
  return t;
}

void SoftmaxInt8(const SoftmaxInt8Table& t, const int8_t* input, int64_t rows, int depth, int8_t* output) {
  using namespace fixed_point;
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max_in_row = -128;
    for (int c = 0; c < depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    uint32_t sum = 0;  // Q12.19, wrapping like the reference's fixed-point adds
    for (int c = 0; c < depth; ++c) sum += static_cast<uint32_t>(t.exp_acc[max_in_row - in[c]]);
    int num_bits_over_unit = 0;
    const int32_t shifted_scale =
        GetReciprocal(static_cast<int32_t>(sum), kSoftmaxAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - 8;
    if (exponent > kSoftmaxMaxExponent) {
      std::fill(out, out + depth, std::numeric_limits<int8_t>::min());
      continue;
    }
    for (int c = 0; c < depth; ++c) {
      const int32_t e = t.exp_q0[max_in_row - in[c]];
      const int32_t v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted_scale, e), exponent);
      out[c] = static_cast<int8_t>(std::clamp<int32_t>(v - 128, -128, 127));
    }
  }
}

void SoftmaxFloat(float beta, const float* input, int64_t rows, int depth, float* output) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = input + r * depth;
    float* out = output + r * depth;
    float max = std::numeric_limits<float>::lowest();
    for (int c = 0; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.0f;
    for (int c = 0; c < depth; ++c) {
      out[c] = std::exp((in[c] - max) * beta);
      sum += out[c];
    }
    for (int c = 0; c < depth; ++c) out[c] = out[c] / sum;
  }
}

namespace {

static_assert(fixed_point::kSoftmaxInt8OutputZeroPoint == kUnitIntervalInt8ZeroPoint &&
              fixed_point::kSoftmaxInt8OutputScale == kUnitIntervalInt8Scale);

class SoftmaxKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    ctx.Require(!in.shape.empty(), "input must have at least one dimension");
    ctx.Require(in.shape == out.shape, "input shape " + FormatShape(in.shape) +
                                           " differs from output shape " + FormatShape(out.shape));
    depth_ = in.shape.back();
    rows_ = depth_ > 0 ? in.num_elements() / depth_ : 0;
    beta_ = ctx.options().beta;
    if (in.type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      RequireUnitIntervalInt8Output(ctx, qo);
      table_ = PrepareSoftmaxInt8Table(fixed_point::PrepareSoftmaxInt8(static_cast<double>(beta_), qi.scale));
    }
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input(0).type == DataType::kInt8) {
      SoftmaxInt8(table_, ctx.input_data<int8_t>(0), rows_, depth_, ctx.output_data<int8_t>(0));
    } else {
      SoftmaxFloat(beta_, ctx.input_data<float>(0), rows_, depth_, ctx.output_data<float>(0));
    }
  }

 private:
  SoftmaxInt8Table table_;
  float beta_ = 1.0f;
  int depth_ = 1;
  int64_t rows_ = 0;
};

POTACC_REGISTER_KERNEL(kSoftmax, SoftmaxKernel);

}  // namespace
}  // namespace potacc::kernels
