// PACK: stacks N tensors of identical shape along a new axis. It is a
// concatenation whose per-input chunk is the product of the dimensions after
// the axis (see concatenation.h).
#include "potacc/kernels/concatenation.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {
namespace {

class PackKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    const int n = ctx.num_inputs();
    RequireArity(ctx, 1, std::max(1, n), 1);
    const Tensor& first = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, first, "input 0", {DataType::kInt8, DataType::kInt32, DataType::kFloat32});
    RequireSameType(ctx, first, "input 0", out, "output");
    const int rank = static_cast<int>(first.shape.size());
    int axis = ctx.options().axis;
    ctx.Require(axis >= -(rank + 1) && axis <= rank,
                "axis " + std::to_string(axis) + " is out of range for rank " +
                    std::to_string(rank + 1));
    if (axis < 0) axis += rank + 1;
    for (int i = 1; i < n; ++i) {
      const Tensor& in = ctx.input(i);
      const std::string role = "input " + std::to_string(i);
      RequireSameType(ctx, in, role.c_str(), first, "input 0");
      ctx.Require(in.shape == first.shape, role + " shape " + FormatShape(in.shape) +
                                               " differs from input 0 shape " +
                                               FormatShape(first.shape));
      if (in.type == DataType::kInt8) {
        ctx.Require(PerTensorQuant(ctx, in, role.c_str()) == PerTensorQuant(ctx, first, "input 0"),
                    role + " quantization differs from input 0");
      }
    }
    std::vector<int32_t> expected = first.shape;
    expected.insert(expected.begin() + axis, n);
    ctx.Require(out.shape == expected, "output shape " + FormatShape(out.shape) +
                                           " differs from the packed shape " +
                                           FormatShape(expected));
    outer_ = 1;
    for (int d = 0; d < axis; ++d) outer_ *= first.shape[d];
    int64_t inner = 1;
    for (int d = axis; d < rank; ++d) inner *= first.shape[d];
    chunk_bytes_ = inner * DataTypeSize(first.type);
  }

  void Eval(OpContext& ctx) override {
    std::vector<const uint8_t*> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input_slot(i).data);
    ConcatenateBytes(outer_, inputs, std::vector<int64_t>(inputs.size(), chunk_bytes_),
                     ctx.output_slot(0).data);
  }

 private:
  int64_t outer_ = 1;
  int64_t chunk_bytes_ = 0;
};

POTACC_REGISTER_KERNEL(kPack, PackKernel);

}  // namespace
}  // namespace potacc::kernels
