#include "potacc/kernels/squared_difference.h"

#include <algorithm>

#include "kernels/binary_kernel.h"
#include "potacc/error.h"
#include "potacc/kernels/broadcast.h"

namespace potacc::kernels {

SquaredDifferenceInt8Params PrepareSquaredDifferenceInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                                                         float out_scale, int32_t out_zp,
                                                         fixed_point::ActivationRange range) {
  Check(range.min == -128 && range.max == 127, "SQUARED_DIFFERENCE has no fused activation");
  SquaredDifferenceInt8Params p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = out_zp;
  p.left_shift = 7;
  const double twice_max_input_scale = 2.0 * static_cast<double>(std::max(scale1, scale2));
  const double real_input1 = static_cast<double>(scale1) / twice_max_input_scale;
  const double real_input2 = static_cast<double>(scale2) / twice_max_input_scale;
  const double real_output = (twice_max_input_scale * twice_max_input_scale) /
                             static_cast<double>(static_cast<float>(1 << (p.left_shift * 2)) * out_scale);
  fixed_point::QuantizeMultiplier(real_input1, &p.input1_multiplier, &p.input1_shift);
  fixed_point::QuantizeMultiplier(real_input2, &p.input2_multiplier, &p.input2_shift);
  fixed_point::QuantizeMultiplier(real_output, &p.output_multiplier, &p.output_shift);
  return p;
}

int8_t SquaredDifferenceInt8Element(const SquaredDifferenceInt8Params& p, int8_t a, int8_t b) {
  using fixed_point::MultiplyByQuantizedMultiplierSmallerThanOneExp;
  const int32_t shifted1 = (p.input1_offset + a) * (1 << p.left_shift);
  const int32_t shifted2 = (p.input2_offset + b) * (1 << p.left_shift);
  const int32_t scaled1 = MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.input1_multiplier, p.input1_shift);
  const int32_t scaled2 = MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.input2_multiplier, p.input2_shift);
  const int32_t diff = scaled1 - scaled2;  // |diff| <= 255 * 2^7: the square fits int32
  const int32_t raw =
      fixed_point::MultiplyByQuantizedMultiplier(diff * diff, p.output_multiplier, p.output_shift) + p.output_offset;
  return static_cast<int8_t>(std::clamp<int32_t>(raw, -128, 127));
}

void SquaredDifferenceInt8(const SquaredDifferenceInt8Params& p, const std::vector<int32_t>& shape1,
                           const int8_t* in1, const std::vector<int32_t>& shape2, const int8_t* in2,
                           const std::vector<int32_t>& out_shape, int8_t* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    out[o] = SquaredDifferenceInt8Element(p, in1[a], in2[b]);
  });
}

void SquaredDifferenceFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
                            const std::vector<int32_t>& shape2, const float* in2,
                            const std::vector<int32_t>& out_shape, float* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    const float d = in1[a] - in2[b];
    out[o] = ClampToRange(d * d, range);
  });
}

namespace {

struct SquaredDifferenceOp {
  using Int8Params = SquaredDifferenceInt8Params;
  static constexpr auto PrepareInt8 = PrepareSquaredDifferenceInt8;
  static constexpr auto Int8 = Int8OneIsa<SquaredDifferenceInt8Params, SquaredDifferenceInt8>;
  static constexpr auto Float = SquaredDifferenceFloat;
  static constexpr auto Int8Element = SquaredDifferenceInt8Element;
};

using SquaredDifferenceKernel = BinaryBroadcastKernel<SquaredDifferenceOp>;
POTACC_REGISTER_KERNEL(kSquaredDifference, SquaredDifferenceKernel);

}  // namespace
}  // namespace potacc::kernels
