#include "potacc/kernels/gather.h"

#include <cstring>
#include <string>

#include "potacc/error.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

GatherShape MakeGatherShape(const std::vector<int32_t>& params, const std::vector<int32_t>& indices, int axis,
                            int batch_dims) {
  const int rank = static_cast<int>(params.size());
  const int index_rank = static_cast<int>(indices.size());
  if (axis < 0) axis += rank;
  if (batch_dims < 0) batch_dims += index_rank;
  Check(axis >= 0 && axis < rank, "axis is out of range for params " + FormatShape(params));
  Check(batch_dims >= 0 && batch_dims <= axis && batch_dims < rank && batch_dims <= index_rank,
        "batch_dims " + std::to_string(batch_dims) + " is invalid for axis " + std::to_string(axis) +
            " and indices " + FormatShape(indices));
  GatherShape s;
  for (int d = 0; d < batch_dims; ++d) {
    Check(params[d] == indices[d], "params " + FormatShape(params) + " and indices " + FormatShape(indices) +
                                       " differ in batch dimension " + std::to_string(d));
    s.batch *= params[d];
  }
  for (int d = batch_dims; d < axis; ++d) s.outer *= params[d];
  s.axis_size = params[axis];
  for (int d = axis + 1; d < rank; ++d) s.inner *= params[d];
  for (int d = batch_dims; d < index_rank; ++d) s.coords *= indices[d];
  s.output_shape.assign(params.begin(), params.begin() + axis);
  s.output_shape.insert(s.output_shape.end(), indices.begin() + batch_dims, indices.end());
  s.output_shape.insert(s.output_shape.end(), params.begin() + axis + 1, params.end());
  return s;
}

void Gather(const GatherShape& s, int element_size, const uint8_t* params, const std::vector<int64_t>& indices,
            uint8_t* output) {
  const auto chunk = static_cast<size_t>(s.inner * element_size);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t o = 0; o < s.outer; ++o) {
      for (int64_t c = 0; c < s.coords; ++c) {
        const int64_t index = indices.at(static_cast<size_t>(b * s.coords + c));
        Check(index >= 0 && index < s.axis_size, "index " + std::to_string(index) + " is out of range [0, " +
                                                     std::to_string(s.axis_size) + ")");
        const int64_t dst = ((b * s.outer + o) * s.coords + c) * s.inner;
        const int64_t src = ((b * s.outer + o) * s.axis_size + index) * s.inner;
        std::memcpy(output + dst * element_size, params + src * element_size, chunk);
      }
    }
  }
}

namespace {

class GatherKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 2, 1);
    const Tensor& params = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& out = ctx.output(0);
    RequireSameType(ctx, out, "output", params, "params");
    RequireTypeIn(ctx, params, "params", {DataType::kInt8, DataType::kFloat32, DataType::kInt32});
    RequireTypeIn(ctx, indices, "indices", {DataType::kInt32, DataType::kInt64});
    element_size_ = DataTypeSize(params.type);
    try {
      shape_ = MakeGatherShape(params.shape, indices.shape, ctx.options().axis, ctx.options().batch_dims);
    } catch (const Error& e) {
      ctx.Require(false, e.what());
    }
    ctx.Require(out.shape == shape_.output_shape,
                "output shape " + FormatShape(out.shape) + " should be " + FormatShape(shape_.output_shape));
    constant_indices_ = ctx.input_is_constant(1);
    if (constant_indices_) {
      indices_ = ReadIndexTensor(ctx, 1, "indices");
      for (int64_t i : indices_)
        ctx.Require(i >= 0 && i < shape_.axis_size, "index " + std::to_string(i) + " is out of range [0, " +
                                                        std::to_string(shape_.axis_size) + ")");
    }
  }

  void Eval(OpContext& ctx) override {
    if (!constant_indices_) indices_ = ReadIndexTensor(ctx, 1, "indices");
    try {
      Gather(shape_, element_size_, ctx.input_data<uint8_t>(0), indices_, ctx.output_data<uint8_t>(0));
    } catch (const Error& e) {
      throw Error(ctx.where() + ": " + e.what());
    }
  }

 private:
  GatherShape shape_;
  int element_size_ = 1;
  bool constant_indices_ = false;
  std::vector<int64_t> indices_;
};

POTACC_REGISTER_KERNEL(kGather, GatherKernel);

}  // namespace
}  // namespace potacc::kernels
