#include "potacc/kernels/quantize.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise_internal.h"
#include "potacc/fixed_point.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

int8_t QuantizeFloatToInt8(float x, float scale, int32_t zero_point) {
  const float rounded = std::round(x / scale);
  // Clamp in float first: casting an out-of-range float (or NaN) to int32 is
  // undefined; for in-range values this changes nothing.
  const float limited = std::isnan(rounded) ? 0.0f : std::clamp(rounded, -1.0e6f, 1.0e6f);
  const int32_t q = static_cast<int32_t>(limited) + zero_point;
  return static_cast<int8_t>(std::clamp<int32_t>(q, -128, 127));
}

void QuantizeFloatToInt8(const float* input, int64_t count, float scale, int32_t zero_point,
                         int8_t* output, Isa isa, ThreadPool* pool) {
  detail::ForEachSpan(count, pool, [&](int64_t begin, int64_t end) {
    int64_t i = begin;
    switch (KernelIsa(isa, {Isa::kAvx512Vnni, Isa::kAvx2})) {
      case Isa::kAvx512Vnni:
        i += detail::QuantizeFloatAvx512(input + begin, end - begin, scale, zero_point, output + begin);
        break;
      case Isa::kAvx2:
        i += detail::QuantizeFloatAvx2(input + begin, end - begin, scale, zero_point, output + begin);
        break;
      default: break;
    }
    for (; i < end; ++i) output[i] = QuantizeFloatToInt8(input[i], scale, zero_point);
  });
}

RequantizeParams PrepareRequantize(float input_scale, int32_t input_zero_point,
                                   float output_scale, int32_t output_zero_point) {
  RequantizeParams p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  fixed_point::QuantizeMultiplier(
      static_cast<double>(input_scale) / static_cast<double>(output_scale), &p.multiplier,
      &p.shift);
  return p;
}

void RequantizeInt8(const RequantizeParams& p, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) {
    output[i] = static_cast<int8_t>(std::clamp<int32_t>(RequantizeUnclamped(p, input[i]), -128, 127));
  }
}

namespace {

class QuantizeKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 1, 1, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kFloat32, DataType::kInt8});
    RequireTypeIn(ctx, out, "output", {DataType::kInt8});
    ctx.Require(in.num_elements() == out.num_elements(),
                "input shape " + FormatShape(in.shape) + " and output shape " +
                    FormatShape(out.shape) + " differ");
    out_ = PerTensorQuant(ctx, out, "output");
    if (in.type == DataType::kInt8) {
      const TensorQuant qi = PerTensorQuant(ctx, in, "input");
      requantize_ = PrepareRequantize(qi.scale, qi.zero_point, out_.scale, out_.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    const int64_t n = ctx.output(0).num_elements();
    if (ctx.input(0).type == DataType::kFloat32) {
      QuantizeFloatToInt8(ctx.input_data<float>(0), n, out_.scale, out_.zero_point,
                          ctx.output_data<int8_t>(0), ctx.isa(), ctx.pool());
    } else {
      RequantizeInt8(requantize_, ctx.input_data<int8_t>(0), n, ctx.output_data<int8_t>(0));
    }
  }

 private:
  TensorQuant out_;
  RequantizeParams requantize_;
};

POTACC_REGISTER_KERNEL(kQuantize, QuantizeKernel);

}  // namespace
}  // namespace potacc::kernels
