#include "potacc/kernels/mul.h"

#include <algorithm>

#include "potacc/kernels/broadcast.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

MulInt8Params PrepareMulInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                             float out_scale, int32_t out_zp, fixed_point::ActivationRange range) {
  MulInt8Params p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = out_zp;
  const double real = static_cast<double>(scale1) * static_cast<double>(scale2) /
                      static_cast<double>(out_scale);
  fixed_point::QuantizeMultiplier(real, &p.output_multiplier, &p.output_shift);
  p.range = range;
  return p;
}

int8_t MulInt8Element(const MulInt8Params& p, int8_t a, int8_t b) {
  const int32_t product = (p.input1_offset + a) * (p.input2_offset + b);
  const int32_t raw =
      fixed_point::MultiplyByQuantizedMultiplier(product, p.output_multiplier, p.output_shift) +
      p.output_offset;
  return static_cast<int8_t>(std::clamp(raw, p.range.min, p.range.max));
}

void MulInt8(const MulInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2,
             const std::vector<int32_t>& out_shape, int8_t* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    out[o] = MulInt8Element(p, in1[a], in2[b]);
  });
}

void MulFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2,
              const std::vector<int32_t>& out_shape, float* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    out[o] = std::min(std::max(in1[a] * in2[b], range.min), range.max);
  });
}

namespace {

class MulKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 2, 1);
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, out, "output", {DataType::kInt8, DataType::kFloat32});
    RequireSameType(ctx, a, "input 1", out, "output");
    RequireSameType(ctx, b, "input 2", out, "output");
    ctx.Require(BroadcastsTo(a.shape, b.shape, out.shape),
                "input shapes " + ShapeString(a.shape) + " and " + ShapeString(b.shape) +
                    " do not broadcast to output shape " + ShapeString(out.shape));
    if (out.type == DataType::kInt8) {
      const TensorQuant qa = PerTensorQuant(ctx, a, "input 1");
      const TensorQuant qb = PerTensorQuant(ctx, b, "input 2");
      const TensorQuant qo = PerTensorQuant(ctx, out, "output");
      params_ = PrepareMulInt8(
          qa.scale, qa.zero_point, qb.scale, qb.zero_point, qo.scale, qo.zero_point,
          NodeActivationRange(ctx, qo, out.type));
    } else {
      float_range_ = NodeActivationRangeFloat(ctx);
    }
  }

  void Eval(OpContext& ctx) override {
    const Tensor& out = ctx.output(0);
    if (out.type == DataType::kInt8) {
      MulInt8(params_, ctx.input(0).shape, ctx.input_data<int8_t>(0), ctx.input(1).shape,
              ctx.input_data<int8_t>(1), out.shape, ctx.output_data<int8_t>(0));
    } else {
      MulFloat(float_range_, ctx.input(0).shape, ctx.input_data<float>(0), ctx.input(1).shape,
               ctx.input_data<float>(1), out.shape, ctx.output_data<float>(0));
    }
  }

 private:
  MulInt8Params params_;
  FloatRange float_range_{};
};

POTACC_REGISTER_KERNEL(kMul, MulKernel);

}  // namespace
}  // namespace potacc::kernels
