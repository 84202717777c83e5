#include "potacc/kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void SoftmaxInt8(const fixed_point::SoftmaxInt8Params& p, const int8_t* input, int64_t rows,
                 int depth, int8_t* output) {
  for (int64_t r = 0; r < rows; ++r) {
    fixed_point::SoftmaxInt8Row(p, input + r * depth, depth, output + r * depth);
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
    ctx.Require(in.shape == out.shape, "input shape " + ShapeString(in.shape) +
                                           " differs from output shape " + ShapeString(out.shape));
    depth_ = in.shape.back();
    rows_ = depth_ > 0 ? in.num_elements() / depth_ : 0;
    beta_ = ctx.options().beta;
    if (in.type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      RequireUnitIntervalInt8Output(ctx, qo);
      params_ = fixed_point::PrepareSoftmaxInt8(static_cast<double>(beta_), qi.scale);
    }
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input(0).type == DataType::kInt8) {
      SoftmaxInt8(params_, ctx.input_data<int8_t>(0), rows_, depth_, ctx.output_data<int8_t>(0));
    } else {
      SoftmaxFloat(beta_, ctx.input_data<float>(0), rows_, depth_, ctx.output_data<float>(0));
    }
  }

 private:
  fixed_point::SoftmaxInt8Params params_;
  float beta_ = 1.0f;
  int depth_ = 1;
  int64_t rows_ = 0;
};

POTACC_REGISTER_KERNEL(kSoftmax, SoftmaxKernel);

}  // namespace
}  // namespace potacc::kernels
