#include "potacc/kernels/dequantize.h"

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void DequantizeInt8(const int8_t* input, int64_t count, float scale, int32_t zero_point,
                    float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = DequantizeInt8(input[i], scale, zero_point);
}

namespace {

class DequantizeKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 1, 1, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kInt8});
    RequireTypeIn(ctx, out, "output", {DataType::kFloat32});
    ctx.Require(in.num_elements() == out.num_elements(),
                "input shape " + FormatShape(in.shape) + " and output shape " +
                    FormatShape(out.shape) + " differ");
    in_ = PerTensorQuant(ctx, in, "input");
  }

  void Eval(OpContext& ctx) override {
    DequantizeInt8(ctx.input_data<int8_t>(0), ctx.output(0).num_elements(), in_.scale,
                   in_.zero_point, ctx.output_data<float>(0));
  }

 private:
  TensorQuant in_;
};

POTACC_REGISTER_KERNEL(kDequantize, DequantizeKernel);

}  // namespace
}  // namespace potacc::kernels
