#include "potacc/kernels/concatenation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void ConcatenateBytes(int64_t outer, const std::vector<const uint8_t*>& inputs,
                      const std::vector<int64_t>& chunk_bytes, uint8_t* output) {
  uint8_t* out = output;
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto n = static_cast<size_t>(chunk_bytes[i]);
      if (n) std::memcpy(out, inputs[i] + o * chunk_bytes[i], n);
      out += n;
    }
  }
}

void ConcatenateInt8(int64_t outer, const std::vector<ConcatInt8Input>& inputs, float output_scale,
                     int32_t output_zero_point, int8_t* output) {
  const float inverse_output_scale = 1.0f / output_scale;
  int8_t* out = output;
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConcatInt8Input& in : inputs) {
      const int8_t* src = in.data + o * in.chunk;
      if (in.scale == output_scale && in.zero_point == output_zero_point) {
        std::memcpy(out, src, static_cast<size_t>(in.chunk));
      } else {
        const float scale = in.scale * inverse_output_scale;
        const float bias = static_cast<float>(-in.zero_point) * scale;
        for (int64_t j = 0; j < in.chunk; ++j) {
          const int32_t v =
              static_cast<int32_t>(std::round(static_cast<float>(src[j]) * scale + bias)) +
              output_zero_point;
          out[j] = static_cast<int8_t>(std::clamp<int32_t>(v, -128, 127));
        }
      }
      out += in.chunk;
    }
  }
}

namespace {

class ConcatenationKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    const int n = ctx.num_inputs();
    RequireArity(ctx, 1, std::max(1, n), 1);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, out, "output", {DataType::kInt8, DataType::kFloat32, DataType::kInt32});
    ctx.Require(ctx.options().activation == Activation::kNone,
                "fused activations are not supported");
    const int rank = static_cast<int>(out.shape.size());
    int axis = ctx.options().axis;
    ctx.Require(axis >= -rank && axis < rank,
                "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    outer_ = 1;
    for (int d = 0; d < axis; ++d) outer_ *= out.shape[d];
    int64_t inner = 1;
    for (int d = axis + 1; d < rank; ++d) inner *= out.shape[d];
    int64_t axis_total = 0;
    chunks_.clear();
    for (int i = 0; i < n; ++i) {
      const Tensor& in = ctx.input(i);
      const std::string role = "input " + std::to_string(i);
      RequireSameType(ctx, in, role.c_str(), out, "output");
      ctx.Require(static_cast<int>(in.shape.size()) == rank,
                  role + " shape " + FormatShape(in.shape) + " has a different rank than output " +
                      FormatShape(out.shape));
      for (int d = 0; d < rank; ++d) {
        ctx.Require(d == axis || in.shape[d] == out.shape[d],
                    role + " shape " + FormatShape(in.shape) + " does not match output " +
                        FormatShape(out.shape) + " outside the axis");
      }
      axis_total += in.shape[axis];
      chunks_.push_back(in.shape[axis] * inner);
    }
    ctx.Require(axis_total == out.shape[axis],
                "inputs add up to " + std::to_string(axis_total) + " along axis " +
                    std::to_string(axis) + ", output has " + std::to_string(out.shape[axis]));
    quant_.clear();
    if (out.type == DataType::kInt8) {
      out_quant_ = PerTensorQuant(ctx, out, "output");
      for (int i = 0; i < n; ++i) {
        quant_.push_back(PerTensorQuant(ctx, ctx.input(i), ("input " + std::to_string(i)).c_str()));
      }
    }
  }

  void Eval(OpContext& ctx) override {
    const Tensor& out = ctx.output(0);
    if (out.type == DataType::kInt8) {
      std::vector<ConcatInt8Input> inputs;
      for (size_t i = 0; i < chunks_.size(); ++i) {
        inputs.push_back({ctx.input_data<int8_t>(static_cast<int>(i)), chunks_[i],
                          quant_[i].scale, quant_[i].zero_point});
      }
      ConcatenateInt8(outer_, inputs, out_quant_.scale, out_quant_.zero_point,
                      ctx.output_data<int8_t>(0));
      return;
    }
    const int64_t esize = DataTypeSize(out.type);
    std::vector<const uint8_t*> inputs;
    std::vector<int64_t> bytes;
    for (size_t i = 0; i < chunks_.size(); ++i) {
      inputs.push_back(ctx.input_slot(static_cast<int>(i)).data);
      bytes.push_back(chunks_[i] * esize);
    }
    ConcatenateBytes(outer_, inputs, bytes, ctx.output_slot(0).data);
  }

 private:
  int64_t outer_ = 1;
  std::vector<int64_t> chunks_;  // elements per outer block, per input
  std::vector<TensorQuant> quant_;
  TensorQuant out_quant_;
};

POTACC_REGISTER_KERNEL(kConcatenation, ConcatenationKernel);

}  // namespace
}  // namespace potacc::kernels
