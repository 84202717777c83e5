// Shared OpKernel of AVERAGE_POOL_2D and MAX_POOL_2D: the operator kind is a
// value (PoolKind), the arithmetic lives in potacc/kernels/pooling.h.
#pragma once

#include "potacc/kernels/op_checks.h"
#include "potacc/kernels/pooling.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

enum class PoolKind { kAverage, kMax };

template <PoolKind kKind>
class PoolKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireUnaryInt8OrFloat(ctx);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    ctx.Require(in.shape.size() == 4, "input must be 4-D NHWC, is " + FormatShape(in.shape));
    const OpOptions& o = ctx.options();
    ctx.Require(o.filter_h > 0 && o.filter_w > 0 && o.stride_h > 0 && o.stride_w > 0,
                "filter " + std::to_string(o.filter_h) + "x" + std::to_string(o.filter_w) +
                    " and strides " + std::to_string(o.stride_h) + "x" +
                    std::to_string(o.stride_w) + " must be positive");
    geometry_ = MakePoolGeometry(in.shape, o.filter_h, o.filter_w, o.stride_h, o.stride_w,
                                 o.padding);
    const std::vector<int32_t> expected = {geometry_.batch, geometry_.out_h, geometry_.out_w,
                                           geometry_.channels};
    ctx.Require(out.shape == expected, "output shape " + FormatShape(out.shape) +
                                           " differs from the computed " + FormatShape(expected));
    if (in.type == DataType::kInt8) {
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      if (!(qi == qo)) {
        ctx.Unsupported("input and output quantization differ (TFLite pools int8 without "
                        "requantizing)");
      }
      range_ = NodeActivationRange(ctx, qo, out.type);
    } else {
      float_range_ = NodeActivationRangeFloat(ctx);
    }
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input(0).type == DataType::kInt8) {
      if constexpr (kKind == PoolKind::kAverage) {
        AveragePoolInt8(geometry_, range_, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      } else {
        MaxPoolInt8(geometry_, range_, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      }
    } else {
      if constexpr (kKind == PoolKind::kAverage) {
        AveragePoolFloat(geometry_, float_range_, ctx.input_data<float>(0),
                         ctx.output_data<float>(0));
      } else {
        MaxPoolFloat(geometry_, float_range_, ctx.input_data<float>(0), ctx.output_data<float>(0));
      }
    }
  }

 private:
  PoolGeometry geometry_;
  fixed_point::ActivationRange range_;
  FloatRange float_range_{};
};

}  // namespace potacc::kernels
