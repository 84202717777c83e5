// SHAPE: writes the input's (static) shape as an int32 or int64 vector.
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {
namespace {

class ShapeKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 1, 1, 1);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, out, "output", {DataType::kInt32, DataType::kInt64});
    const auto rank = static_cast<int32_t>(ctx.input(0).shape.size());
    ctx.Require(out.shape == std::vector<int32_t>{rank},
                "output shape " + FormatShape(out.shape) + " must be [" + std::to_string(rank) +
                    "]");
  }

  void Eval(OpContext& ctx) override {
    const auto& shape = ctx.input(0).shape;
    if (ctx.output(0).type == DataType::kInt32) {
      auto* out = ctx.output_data<int32_t>(0);
      for (size_t i = 0; i < shape.size(); ++i) out[i] = shape[i];
    } else {
      auto* out = ctx.output_data<int64_t>(0);
      for (size_t i = 0; i < shape.size(); ++i) out[i] = shape[i];
    }
  }
};

POTACC_REGISTER_KERNEL(kShape, ShapeKernel);

}  // namespace
}  // namespace potacc::kernels
