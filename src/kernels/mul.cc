#include "potacc/kernels/mul.h"

#include <algorithm>

#include "kernels/binary_kernel.h"
#include "potacc/kernels/broadcast.h"

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
    out[o] = ClampToRange(in1[a] * in2[b], range);
  });
}

namespace {

// The MUL operator for BinaryBroadcastKernel.
struct MulOp {
  using Int8Params = MulInt8Params;
  static constexpr auto PrepareInt8 = PrepareMulInt8;
  static constexpr auto Int8 = Int8OneIsa<MulInt8Params, MulInt8>;
  static constexpr auto Float = MulFloat;
  static constexpr auto Int8Element = MulInt8Element;
};

using MulKernel = BinaryBroadcastKernel<MulOp>;
POTACC_REGISTER_KERNEL(kMul, MulKernel);

}  // namespace
}  // namespace potacc::kernels
