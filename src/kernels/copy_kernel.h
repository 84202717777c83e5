// Shared OpKernel of RESHAPE and SQUEEZE: the data is unchanged, only the
// shape (taken from the output tensor) differs, so Eval is a byte copy.
#pragma once

#include <cstring>

#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

class ByteCopyKernel : public OpKernel {
 public:
  // max_inputs: RESHAPE may carry its target shape as a second input.
  explicit ByteCopyKernel(int max_inputs) : max_inputs_(max_inputs) {}

  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 1, max_inputs_, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireSameType(ctx, in, "input", out, "output");
    ctx.Require(DataTypeSize(in.type) > 0,
                std::string("type ") + DataTypeName(in.type) + " has no fixed element size");
    ctx.Require(in.num_elements() == out.num_elements(),
                "input shape " + FormatShape(in.shape) + " and output shape " +
                    FormatShape(out.shape) + " hold different element counts");
    if (in.type == DataType::kInt8 && !in.quant.empty() && !out.quant.empty()) {
      ctx.Require(in.quant.scale == out.quant.scale && in.quant.zero_point == out.quant.zero_point,
                  "input and output quantization differ");
    }
    bytes_ = static_cast<size_t>(in.num_elements()) * static_cast<size_t>(DataTypeSize(in.type));
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input_slot(0).data != ctx.output_slot(0).data && bytes_ > 0) {
      std::memcpy(ctx.output_slot(0).data, ctx.input_slot(0).data, bytes_);
    }
  }

 private:
  int max_inputs_;
  size_t bytes_ = 0;
};

}  // namespace potacc::kernels
