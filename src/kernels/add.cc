#include "potacc/kernels/add.h"

#include <algorithm>

#include "kernels/binary_kernel.h"
#include "kernels/elementwise_internal.h"
#include "potacc/kernels/broadcast.h"

namespace potacc::kernels {

AddInt8Params PrepareAddInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                             float out_scale, int32_t out_zp, fixed_point::ActivationRange range) {
  AddInt8Params p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = out_zp;
  p.left_shift = 20;
  const double twice_max_input_scale =
      2.0 * static_cast<double>(std::max(scale1, scale2));
  const double real_input1 = static_cast<double>(scale1) / twice_max_input_scale;
  const double real_input2 = static_cast<double>(scale2) / twice_max_input_scale;
  const double real_output =
      twice_max_input_scale / (static_cast<double>(1 << p.left_shift) * static_cast<double>(out_scale));
  fixed_point::QuantizeMultiplier(real_input1, &p.input1_multiplier, &p.input1_shift);
  fixed_point::QuantizeMultiplier(real_input2, &p.input2_multiplier, &p.input2_shift);
  fixed_point::QuantizeMultiplier(real_output, &p.output_multiplier, &p.output_shift);
  p.range = range;
  return p;
}

int8_t AddInt8Element(const AddInt8Params& p, int8_t a, int8_t b) {
  using fixed_point::MultiplyByQuantizedMultiplierSmallerThanOneExp;
  const int32_t shifted1 = (p.input1_offset + a) * (1 << p.left_shift);
  const int32_t shifted2 = (p.input2_offset + b) * (1 << p.left_shift);
  const int32_t scaled1 =
      MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.input1_multiplier, p.input1_shift);
  const int32_t scaled2 =
      MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.input2_multiplier, p.input2_shift);
  const int32_t raw = MultiplyByQuantizedMultiplierSmallerThanOneExp(
                          scaled1 + scaled2, p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return static_cast<int8_t>(std::clamp(raw, p.range.min, p.range.max));
}

void AddInt8Reference(const AddInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
                      const std::vector<int32_t>& shape2, const int8_t* in2,
                      const std::vector<int32_t>& out_shape, int8_t* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    out[o] = AddInt8Element(p, in1[a], in2[b]);
  });
}

namespace detail {

bool AddVectorOk(const AddInt8Params& p) {
  return p.input1_multiplier >= 0 && p.input2_multiplier >= 0 && p.output_multiplier >= 0 &&
         p.input1_shift <= 0 && p.input2_shift <= 0 && p.output_shift <= 0 && p.input1_shift >= -31 &&
         p.input2_shift >= -31 && p.output_shift >= -31 && p.left_shift == 20;
}

void AddInt8Span(const AddInt8Params& p, const int8_t* in1, const int8_t* in2, int64_t n, int8_t* out,
                 Isa isa) {
  int64_t done = 0;
  if (AddVectorOk(p)) {
    switch (KernelIsa(isa, {Isa::kAvx512Vnni, Isa::kAvx2})) {
      case Isa::kAvx512Vnni: done = AddInt8Avx512(p, in1, in2, n, out); break;
      case Isa::kAvx2: done = AddInt8Avx2(p, in1, in2, n, out); break;
      default: break;
    }
  }
  for (int64_t i = done; i < n; ++i) out[i] = AddInt8Element(p, in1[i], in2[i]);
}

}  // namespace detail

void AddInt8(const AddInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2,
             const std::vector<int32_t>& out_shape, int8_t* out, Isa isa, ThreadPool* pool) {
  if (shape1 != out_shape || shape2 != out_shape) {
    AddInt8Reference(p, shape1, in1, shape2, in2, out_shape, out);
    return;
  }
  // Spans of 4096 and up: the operands come from the layers before, split
  // alike over the same threads, so each thread adds what its cache holds.
  detail::ForEachSpan(
      ShapeElements(out_shape), pool,
      [&](int64_t begin, int64_t end) { detail::AddInt8Span(p, in1 + begin, in2 + begin, end - begin, out + begin, isa); },
      4096);
}

void AddFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2,
              const std::vector<int32_t>& out_shape, float* out) {
  ForEachBroadcast(shape1, shape2, out_shape, [&](int64_t a, int64_t b, int64_t o) {
    out[o] = ClampToRange(in1[a] + in2[b], range);
  });
}

namespace {

// The ADD operator for BinaryBroadcastKernel.
struct AddOp {
  using Int8Params = AddInt8Params;
  static constexpr auto PrepareInt8 = PrepareAddInt8;
  static constexpr auto Int8 = AddInt8;
  static constexpr auto Float = AddFloat;
  static constexpr auto Int8Element = AddInt8Element;
  // AVX-512 only: on MobileNetV2's ADDs (AMD EPYC, one thread) it beats the
  // table (0.11 vs 0.12-0.16 ms per inference); the AVX2 kernel gains nothing
  // over it (0.26 ms both ways).
  static bool SameShapeVectorOk(const AddInt8Params& p, Isa isa) {
    return detail::AddVectorOk(p) && KernelIsa(isa, {Isa::kAvx512Vnni}) == Isa::kAvx512Vnni;
  }
};

using AddKernel = BinaryBroadcastKernel<AddOp>;
POTACC_REGISTER_KERNEL(kAdd, AddKernel);

}  // namespace
}  // namespace potacc::kernels
