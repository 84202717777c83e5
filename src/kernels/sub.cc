#include "potacc/kernels/sub.h"

#include <algorithm>
#include <string>

#include "kernels/binary_kernel.h"
#include "potacc/error.h"
#include "potacc/kernels/broadcast.h"

namespace potacc::kernels {

namespace {

// TFLite QuantizeMultiplierSmallerThanOneExp: QuantizeMultiplier of a value in (0, 1).
void QuantizeSmallerThanOne(double real, const char* what, int32_t* multiplier, int* shift) {
  Check(real > 0.0 && real < 1.0, std::string("SUB ") + what + " multiplier " + std::to_string(real) +
                                      " is outside (0, 1) (TFLite refuses these scales)");
  fixed_point::QuantizeMultiplier(real, multiplier, shift);
}

}  // namespace

SubInt8Params PrepareSubInt8(float scale1, int32_t zp1, float scale2, int32_t zp2, float out_scale,
                             int32_t out_zp, fixed_point::ActivationRange range) {
  SubInt8Params p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = out_zp;
  p.left_shift = 20;
  const float twice_max_input_scale = 2 * std::max(scale1, scale2);
  const auto real_input1 = static_cast<double>(scale1 / twice_max_input_scale);
  const auto real_input2 = static_cast<double>(scale2 / twice_max_input_scale);
  const auto real_output =
      static_cast<double>(twice_max_input_scale / (static_cast<float>(1 << p.left_shift) * out_scale));
  QuantizeSmallerThanOne(real_input1, "input 1", &p.input1_multiplier, &p.input1_shift);
  QuantizeSmallerThanOne(real_input2, "input 2", &p.input2_multiplier, &p.input2_shift);
  QuantizeSmallerThanOne(real_output, "output", &p.output_multiplier, &p.output_shift);
  p.range = range;
  return p;
}

int8_t SubInt8Element(const SubInt8Params& p, int8_t a, int8_t b) {
  using fixed_point::MultiplyByQuantizedMultiplierSmallerThanOneExp;
  const int32_t shifted1 = (p.input1_offset + a) * (1 << p.left_shift);
  const int32_t shifted2 = (p.input2_offset + b) * (1 << p.left_shift);
  const int32_t scaled1 = MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.input1_multiplier, p.input1_shift);
  const int32_t scaled2 = MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.input2_multiplier, p.input2_shift);
  const int32_t raw =
      MultiplyByQuantizedMultiplierSmallerThanOneExp(scaled1 - scaled2, p.output_multiplier, p.output_shift) +
      p.output_offset;
  return static_cast<int8_t>(std::clamp(raw, p.range.min, p.range.max));
}

void SubInt8(const SubInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2, const std::vector<int32_t>& out_shape,
             int8_t* out) {
  ForEachBroadcast(shape1, shape2, out_shape,
                   [&](int64_t a, int64_t b, int64_t o) { out[o] = SubInt8Element(p, in1[a], in2[b]); });
}

void SubFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2, const std::vector<int32_t>& out_shape,
              float* out) {
  ForEachBroadcast(shape1, shape2, out_shape,
                   [&](int64_t a, int64_t b, int64_t o) { out[o] = ClampToRange(in1[a] - in2[b], range); });
}

namespace {

struct SubOp {
  using Int8Params = SubInt8Params;
  static constexpr auto PrepareInt8 = PrepareSubInt8;
  static constexpr auto Int8 = Int8OneIsa<SubInt8Params, SubInt8>;
  static constexpr auto Float = SubFloat;
  static constexpr auto Int8Element = SubInt8Element;
};

using SubKernel = BinaryBroadcastKernel<SubOp>;
POTACC_REGISTER_KERNEL(kSub, SubKernel);

}  // namespace
}  // namespace potacc::kernels
