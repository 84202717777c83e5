// Shared OpKernel of the broadcasting element-wise binary operators (ADD,
// MUL, SUB, SQUARED_DIFFERENCE): int8 or float32 inputs of the output's type that broadcast to the
// output shape, with a fused activation. The operator is a value type Op:
//   using Int8Params = ...;
//   static Int8Params PrepareInt8(float s1, int32_t zp1, float s2, int32_t zp2,
//                                 float s_out, int32_t zp_out, fixed_point::ActivationRange);
//   static void Int8(const Int8Params&, shape1, in1, shape2, in2, out_shape, out, Isa, ThreadPool*);
//   static void Float(FloatRange, shape1, in1, shape2, in2, out_shape, out);
//   static int8_t Int8Element(const Int8Params&, int8_t a, int8_t b);
// int8 outputs of at least kTableMinElements elements run the optimized twin:
// the element function tabulated over all operand pairs at Prepare
// (BinaryInt8ByTable); smaller ones the reference Op::Int8. An Op with a
// vector kernel for same-shape operands declares
//   static bool SameShapeVectorOk(const Int8Params&, Isa);
// and Op::Int8 runs those instead of the table (a table lookup per element is
// several times slower than a vector of 64).
// The whole tensor is one call into Op, so the inner loops stay in the op's file.
#pragma once

#include "potacc/kernels/broadcast.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

inline constexpr int64_t kTableMinElements = 16384;

// An int8 element-wise kernel without ISA variants or threads, called with the
// Op::Int8 signature of BinaryBroadcastKernel (the ISA and the pool are unused).
template <class Params, void (*Kernel)(const Params&, const std::vector<int32_t>&, const int8_t*,
                                       const std::vector<int32_t>&, const int8_t*, const std::vector<int32_t>&,
                                       int8_t*)>
void Int8OneIsa(const Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
                const std::vector<int32_t>& shape2, const int8_t* in2, const std::vector<int32_t>& out_shape,
                int8_t* out, Isa, ThreadPool*) {
  Kernel(p, shape1, in1, shape2, in2, out_shape, out);
}

template <class Op>
class BinaryBroadcastKernel : public OpKernel {
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
                "input shapes " + FormatShape(a.shape) + " and " + FormatShape(b.shape) +
                    " do not broadcast to output shape " + FormatShape(out.shape));
    if (out.type == DataType::kInt8) {
      const TensorQuant qa = PerTensorQuant(ctx, a, "input 1");
      const TensorQuant qb = PerTensorQuant(ctx, b, "input 2");
      const TensorQuant qo = PerTensorQuant(ctx, out, "output");
      try {
        params_ = Op::PrepareInt8(qa.scale, qa.zero_point, qb.scale, qb.zero_point, qo.scale,
                                  qo.zero_point, NodeActivationRange(ctx, qo, out.type));
      } catch (const UnsupportedError&) {
        throw;
      } catch (const Error& e) {  // scales TFLite's kernel would refuse
        ctx.Unsupported(e.what());
      }
      table_.clear();
      bool vector = false;  // then Op::Int8 runs it, and no table is built
      if constexpr (requires { Op::SameShapeVectorOk(params_, ctx.isa()); }) {
        vector = a.shape == out.shape && b.shape == out.shape && Op::SameShapeVectorOk(params_, ctx.isa());
      }
      if (!vector && out.num_elements() >= kTableMinElements) {
        const auto& p = params_;
        table_ = TabulateBinaryInt8([&p](int8_t x, int8_t y) { return Op::Int8Element(p, x, y); });
      }
    } else {
      float_range_ = NodeActivationRangeFloat(ctx);
    }
  }

  void Eval(OpContext& ctx) override {
    const Tensor& out = ctx.output(0);
    if (out.type == DataType::kInt8 && !table_.empty()) {
      BinaryInt8ByTable(table_, ctx.input(0).shape, ctx.input_data<int8_t>(0), ctx.input(1).shape,
                        ctx.input_data<int8_t>(1), out.shape, ctx.output_data<int8_t>(0), ctx.pool());
    } else if (out.type == DataType::kInt8) {
      Op::Int8(params_, ctx.input(0).shape, ctx.input_data<int8_t>(0), ctx.input(1).shape,
               ctx.input_data<int8_t>(1), out.shape, ctx.output_data<int8_t>(0), ctx.isa(), ctx.pool());
    } else {
      Op::Float(float_range_, ctx.input(0).shape, ctx.input_data<float>(0), ctx.input(1).shape,
                ctx.input_data<float>(1), out.shape, ctx.output_data<float>(0));
    }
  }

 private:
  typename Op::Int8Params params_;
  BinaryInt8Table table_;
  FloatRange float_range_{};
};

}  // namespace potacc::kernels
