// gemmlowp-style fixed-point transcendental arithmetic, as TFLite's int8
// SOFTMAX and LOGISTIC reference kernels use it (TFLite Micro semantics).
//
// fixed_point.h holds the basic requantization (multiplier/shift, rounding);
// this header adds what the non-linear kernels need on top of it:
//
//   FixedPoint<I>   a Q(I).(31-I) value in an int32 ("I integer bits")
//   a * b           SaturatingRoundingDoublingHighMul; FixedPoint<A>*<B> -> <A+B>
//   Rescale<J>(x)   change the integer bits with a saturating/rounding shift
//   ExpOnNegativeValues(x)          exp(x) for x <= 0, result in Q0.31
//   OneOverOnePlusXForXIn0To1(x)    1/(1+x) for x in [0,1), Newton-Raphson
//   Logistic(x)                     1/(1+exp(-x)), result in Q0.31
//   Tanh(x)                         tanh(x), result in Q0.31
//   InvSqrtQuantizedMultiplierExp   1/sqrt(n) of an integer as multiplier + shift
//
// plus the set-up and per-row arithmetic of the int8 kernels:
//   SoftmaxInt8Params / PrepareSoftmaxInt8 / SoftmaxInt8Row
//     (input_beta_multiplier, input_beta_left_shift and diff_min from beta and
//      the input scale; int8 output with zero point -128 and scale 1/256)
//   LogisticInt8Params / PrepareLogisticInt8 / LogisticInt8
//     (input in Q4.27, output zero point -128, scale 1/256)
//
// Accuracy against double precision (asserted in tests/kernels/fixed_point_exp_test.cc):
//   ExpOnNegativeValues on Q5.26 inputs in [-32, 0]: |error| < 3e-7 (the 4th-order
//     Taylor truncation of the [-1/4, 0) kernel, ~2.3e-7, dominates);
//   OneOverOnePlusXForXIn0To1 on [0, 1): |error| < 5e-9;
//   Logistic on Q4.27 inputs in (-16, 16): |error| < 1e-7;
//   SoftmaxInt8Row / LogisticInt8: within 1 LSB of round(256 p) - 128.
// Bit-exactness with TFLite is what matters for the kernels; the double
// comparisons only guard against transcription mistakes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "potacc/fixed_point.h"

namespace potacc::fixed_point {

// Wrapping int32 add/sub (gemmlowp adds raw int32 values directly; we keep the
// same bits without signed-overflow UB).
inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t WrappingSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// (a + b) / 2 rounded half away from zero (gemmlowp RoundingHalfSum, ARM VRHADD).
inline int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// x * 2^exponent: a saturating left shift for exponent > 0, a rounding
// (half away from zero) right shift for exponent < 0.
inline int32_t SaturatingRoundingMultiplyByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return WrappingShiftLeft(x, exponent);
}

// A signed fixed-point number with IntegerBits integer bits and
// 31 - IntegerBits fractional bits, stored in an int32.
template <int IntegerBits>
struct FixedPoint {
  static_assert(IntegerBits >= 0 && IntegerBits < 31, "bad integer bits");
  static constexpr int kIntegerBits = IntegerBits;
  static constexpr int kFractionalBits = 31 - IntegerBits;

  int32_t raw = 0;

  static constexpr FixedPoint FromRaw(int32_t r) { return FixedPoint{r}; }
  static constexpr FixedPoint Zero() { return FixedPoint{0}; }
  // 1.0; in Q0.31 the largest representable value stands in for it.
  static constexpr FixedPoint One() {
    return FixedPoint{IntegerBits == 0 ? std::numeric_limits<int32_t>::max()
                                       : static_cast<int32_t>(int32_t{1} << kFractionalBits)};
  }
  // 2^Exponent, exactly representable.
  template <int Exponent>
  static constexpr FixedPoint ConstantPOT() {
    static_assert(kFractionalBits + Exponent >= 0 && kFractionalBits + Exponent < 31,
                  "constant not representable");
    return FixedPoint{static_cast<int32_t>(int32_t{1} << (kFractionalBits + Exponent))};
  }
  double ToDouble() const { return raw / static_cast<double>(int64_t{1} << kFractionalBits); }
};

template <int I>
FixedPoint<I> operator+(FixedPoint<I> a, FixedPoint<I> b) {
  return FixedPoint<I>::FromRaw(WrappingAdd(a.raw, b.raw));
}
template <int I>
FixedPoint<I> operator-(FixedPoint<I> a, FixedPoint<I> b) {
  return FixedPoint<I>::FromRaw(WrappingSub(a.raw, b.raw));
}
template <int I>
FixedPoint<I> operator-(FixedPoint<I> a) {
  return FixedPoint<I>::FromRaw(WrappingSub(0, a.raw));
}
template <int I>
FixedPoint<I> operator&(FixedPoint<I> a, FixedPoint<I> b) {
  return FixedPoint<I>::FromRaw(a.raw & b.raw);
}
// The integer bits of a product add up.
template <int A, int B>
FixedPoint<A + B> operator*(FixedPoint<A> a, FixedPoint<B> b) {
  return FixedPoint<A + B>::FromRaw(SaturatingRoundingDoublingHighMul(a.raw, b.raw));
}

// Same value, different number of integer bits (saturating/rounding).
template <int Dst, int Src>
FixedPoint<Dst> Rescale(FixedPoint<Src> x) {
  return FixedPoint<Dst>::FromRaw(SaturatingRoundingMultiplyByPOT(x.raw, Src - Dst));
}

// Keeps the integer bits, multiplies by 2^exponent (saturating/rounding).
template <int I>
FixedPoint<I> SaturatingRoundingMultiplyByPOT(FixedPoint<I> x, int exponent) {
  return FixedPoint<I>::FromRaw(SaturatingRoundingMultiplyByPOT(x.raw, exponent));
}

// exp(a) for a in [-1/4, 0): Taylor expansion around -1/8 (gemmlowp).
inline FixedPoint<0> ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(FixedPoint<0> a) {
  using F = FixedPoint<0>;
  const F exp_minus_one_eighth = F::FromRaw(1895147668);  // exp(-1/8)
  const F one_third = F::FromRaw(715827883);              // 1/3
  const F x = a + F::ConstantPOT<-3>();                    // x = a + 1/8
  const F x2 = x * x;
  const F x3 = x2 * x;
  const F x4 = x2 * x2;
  const F x4_over_4 = SaturatingRoundingMultiplyByPOT(x4, -2);
  const F x4_over_24_plus_x3_over_6_plus_x2_over_2 =
      SaturatingRoundingMultiplyByPOT(((x4_over_4 + x3) * one_third) + x2, -1);
  return exp_minus_one_eighth +
         exp_minus_one_eighth * (x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

// exp(a) for a <= 0, result in Q0.31 (exp(0) -> One()). The input is split
// into a multiple of 1/4 and a remainder in [-1/4, 0); each set bit of the
// multiple multiplies by a constant exp(-2^k) (a "barrel shifter").
template <int IntegerBits>
FixedPoint<0> ExpOnNegativeValues(FixedPoint<IntegerBits> a) {
  using InputF = FixedPoint<IntegerBits>;
  using ResultF = FixedPoint<0>;
  constexpr int kFractionalBits = InputF::kFractionalBits;
  const InputF one_quarter = InputF::template ConstantPOT<-2>();
  const InputF mask = one_quarter - InputF::FromRaw(1);
  const InputF a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
  ResultF result =
      ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale<0>(a_mod_quarter_minus_one_quarter));
  const int32_t remainder = (a_mod_quarter_minus_one_quarter - a).raw;

  // exp(-2^k) in Q0.31 for k = -2 .. 4.
  struct Step {
    int exponent;
    int32_t multiplier;
  };
  constexpr Step kSteps[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084},
                             {1, 290630308},   {2, 39332535},    {3, 720401},
                             {4, 242}};
  for (const Step& step : kSteps) {
    if (IntegerBits > step.exponent) {
      const int shift = kFractionalBits + step.exponent;
      if (remainder & static_cast<int32_t>(int32_t{1} << shift)) {
        result = result * ResultF::FromRaw(step.multiplier);
      }
    }
  }
  if constexpr (IntegerBits > 5) {
    // Below -32 the result underflows to zero.
    const int32_t clamp = -(int32_t{1} << (36 - IntegerBits));  // -32.0 in Q(I)
    if (a.raw < clamp) result = ResultF::Zero();
  }
  if (a.raw == 0) result = ResultF::One();
  return result;
}

// 2 / (1 + a) in Q2.29 for a in [0, 1), by three Newton-Raphson steps
// starting from 48/17 - 32/17 * (1+a)/2 (the core gemmlowp shares between
// one_over_one_plus_x and one_minus_x_over_one_plus_x).
inline FixedPoint<2> TwoOverOnePlusXForXIn0To1(FixedPoint<0> a) {
  using F0 = FixedPoint<0>;
  using F2 = FixedPoint<2>;
  const F0 half_denominator = F0::FromRaw(RoundingHalfSum(a.raw, F0::One().raw));
  const F2 constant_48_over_17 = F2::FromRaw(1515870810);
  const F2 constant_neg_32_over_17 = F2::FromRaw(-1010580540);
  F2 x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const F2 half_denominator_times_x = half_denominator * x;
    const F2 one_minus_half_denominator_times_x = F2::One() - half_denominator_times_x;
    x = x + Rescale<2>(x * one_minus_half_denominator_times_x);
  }
  return x;
}

// 1 / (1 + a) for a in [0, 1): 2/(1+a) halved exactly (reinterpreted as
// Q1.30) and brought back to Q0.31.
inline FixedPoint<0> OneOverOnePlusXForXIn0To1(FixedPoint<0> a) {
  return Rescale<0>(FixedPoint<1>::FromRaw(TwoOverOnePlusXForXIn0To1(a).raw));
}

// (1 - a) / (1 + a) for a in [0, 1): 2/(1+a) - 1, brought back to Q0.31.
inline FixedPoint<0> OneMinusXOverOnePlusXForXIn0To1(FixedPoint<0> a) {
  return Rescale<0>(TwoOverOnePlusXForXIn0To1(a) - FixedPoint<2>::One());
}

// logistic(a) = 1 / (1 + exp(-a)) for any a, result in Q0.31.
template <int IntegerBits>
FixedPoint<0> Logistic(FixedPoint<IntegerBits> a) {
  using ResultF = FixedPoint<0>;
  if (a.raw == 0) return ResultF::FromRaw(int32_t{1} << 30);  // 0.5
  const bool positive = a.raw > 0;
  const FixedPoint<IntegerBits> abs_a = positive ? a : -a;
  const ResultF result_if_positive = OneOverOnePlusXForXIn0To1(ExpOnNegativeValues(-abs_a));
  return positive ? result_if_positive : ResultF::One() - result_if_positive;
}

// tanh(a) for any a, result in Q0.31 (gemmlowp tanh): with n = -|a|,
// t = (1 - exp(2n)) / (1 + exp(2n)), negated for negative a; tanh(0) = 0.
// 2n is formed exactly by reading n's raw value with one more integer bit.
template <int IntegerBits>
FixedPoint<0> Tanh(FixedPoint<IntegerBits> a) {
  using InputF = FixedPoint<IntegerBits>;
  if (a.raw == 0) return FixedPoint<0>::Zero();
  const bool negative = a.raw < 0;
  const InputF n = negative ? a : -a;
  // ExactMulByPot<1>: the same raw value read with one more integer bit is 2n.
  const auto two_n = FixedPoint<IntegerBits + 1>::FromRaw(n.raw);
  const FixedPoint<0> t = OneMinusXOverOnePlusXForXIn0To1(ExpOnNegativeValues(two_n));
  return negative ? -t : t;
}

// Count of leading zero bits of a 32-bit value (32 for 0).
inline int CountLeadingZeros32(uint32_t x) { return x == 0 ? 32 : __builtin_clz(x); }

// Reciprocal of a positive Q(x_integer_digits) value x: returns the Q0.31
// significand s of 1/x, with 1/x = s * 2^-num_bits_over_unit (TFLite
// GetReciprocal).
inline int32_t GetReciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = CountLeadingZeros32(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  // 64-bit shift: no UB even for x == 0 (headroom 32), which valid callers never pass.
  const auto shifted_minus_one = static_cast<int32_t>(static_cast<uint32_t>(
      (static_cast<uint64_t>(static_cast<uint32_t>(x)) << headroom_plus_one) -
      (uint64_t{1} << 31)));
  return OneOverOnePlusXForXIn0To1(FixedPoint<0>::FromRaw(shifted_minus_one)).raw;
}

// TFLite MultiplyByQuantizedMultiplierGreaterThanOne (double rounding build):
// shift left first, then the rounding doubling high multiply.
inline int32_t MultiplyByQuantizedMultiplierGreaterThanOne(int32_t x, int32_t quantized_multiplier,
                                                           int left_shift) {
  return SaturatingRoundingDoublingHighMul(WrappingShiftLeft(x, left_shift), quantized_multiplier);
}

// TFLite PreprocessSoftmaxScaling: beta * input_scale as a Q(input_integer_bits)
// multiplier, capped at 2^31 - 1, split into a Q0.31 significand and a
// non-negative left shift.
inline void PreprocessSoftmaxScaling(double beta, double input_scale, int input_integer_bits,
                                     int32_t* quantized_multiplier, int* left_shift) {
  const double max_real_multiplier = static_cast<double>((int64_t{1} << 31) - 1);
  const double real_multiplier = std::min(
      beta * input_scale * static_cast<double>(int64_t{1} << (31 - input_integer_bits)),
      max_real_multiplier);
  if (real_multiplier >= static_cast<double>(int64_t{1} << 30)) {
    // TFLite's double-rounding QuantizeMultiplier keeps a shift of 31 here;
    // fixed_point::QuantizeMultiplier saturates shifts above 30 (as the
    // single-rounding build does), which would change diff_min. With a shift
    // of 31 the Q0.31 significand is the multiplier itself, rounded.
    *left_shift = 31;
    *quantized_multiplier = static_cast<int32_t>(std::round(real_multiplier));
    return;
  }
  QuantizeMultiplier(real_multiplier, quantized_multiplier, left_shift);
}

// TFLite CalculateInputRadius: the largest |input difference| whose rescaled
// value still fits in Q(input_integer_bits) before the multiply.
inline int CalculateInputRadius(int input_integer_bits, int input_left_shift,
                                int total_signed_bits = 31) {
  const double max_input_rescaled =
      1.0 * static_cast<double>((int64_t{1} << input_integer_bits) - 1) *
      static_cast<double>(int64_t{1} << (total_signed_bits - input_integer_bits)) /
      static_cast<double>(int64_t{1} << input_left_shift);
  return static_cast<int>(std::floor(max_input_rescaled));
}

// ---- int8 SOFTMAX (TFLite reference_ops::Softmax<int8_t, int8_t>) ----------

// Integer bits of the scaled input differences (Q5.26) and of the sum of
// exponentials (Q12.19), as in TFLite.
inline constexpr int kSoftmaxScaledDiffIntegerBits = 5;
inline constexpr int kSoftmaxAccumulationIntegerBits = 12;
// Largest final shift of the reference (TFLITE_CHECK(exponent <= 31)).
inline constexpr int kSoftmaxMaxExponent = 31;
// Required int8 output quantization: zero point -128, scale 1/256.
inline constexpr int32_t kSoftmaxInt8OutputZeroPoint = -128;
inline constexpr float kSoftmaxInt8OutputScale = 1.0f / 256.0f;

struct SoftmaxInt8Params {
  int32_t input_beta_multiplier = 0;
  int input_beta_left_shift = 0;
  int32_t diff_min = 0;  // input differences below this contribute exp() = 0
};

inline SoftmaxInt8Params PrepareSoftmaxInt8(double beta, float input_scale) {
  SoftmaxInt8Params p;
  PreprocessSoftmaxScaling(beta, static_cast<double>(input_scale), kSoftmaxScaledDiffIntegerBits,
                           &p.input_beta_multiplier, &p.input_beta_left_shift);
  p.diff_min = -CalculateInputRadius(kSoftmaxScaledDiffIntegerBits, p.input_beta_left_shift);
  return p;
}

// One row of `depth` int8 logits -> int8 probabilities (zero point -128,
// scale 1/256).
inline void SoftmaxInt8Row(const SoftmaxInt8Params& p, const int8_t* input, int depth,
                           int8_t* output) {
  using ScaledDiff = FixedPoint<kSoftmaxScaledDiffIntegerBits>;
  using Accum = FixedPoint<kSoftmaxAccumulationIntegerBits>;
  int8_t max_in_row = std::numeric_limits<int8_t>::min();
  for (int c = 0; c < depth; ++c) max_in_row = std::max(max_in_row, input[c]);

  auto scaled_diff = [&](int32_t diff) {
    return ScaledDiff::FromRaw(MultiplyByQuantizedMultiplierGreaterThanOne(
        diff, p.input_beta_multiplier, p.input_beta_left_shift));
  };
  Accum sum_of_exps = Accum::Zero();
  for (int c = 0; c < depth; ++c) {
    const int32_t diff = static_cast<int32_t>(input[c]) - max_in_row;
    if (diff >= p.diff_min) {
      sum_of_exps = sum_of_exps +
                    Rescale<kSoftmaxAccumulationIntegerBits>(ExpOnNegativeValues(scaled_diff(diff)));
    }
  }
  int num_bits_over_unit = 0;
  const FixedPoint<0> shifted_scale = FixedPoint<0>::FromRaw(
      GetReciprocal(sum_of_exps.raw, kSoftmaxAccumulationIntegerBits, &num_bits_over_unit));
  const int exponent = num_bits_over_unit + 31 - 8;
  if (exponent > kSoftmaxMaxExponent) {
    // Sum of exponentials >= 512: every probability is below 1/512 and the
    // reference's final shift would exceed 31 (TFLite Micro's reference kernel
    // aborts on its TFLITE_CHECK here, TFLite's optimized kernel outputs -128).
    // A rounding shift by 32 or more of a product below 2^31 is 0: -128.
    std::fill(output, output + depth, std::numeric_limits<int8_t>::min());
    return;
  }
  for (int c = 0; c < depth; ++c) {
    const int32_t diff = static_cast<int32_t>(input[c]) - max_in_row;
    if (diff >= p.diff_min) {
      const FixedPoint<0> exp_in_0 = ExpOnNegativeValues(scaled_diff(diff));
      const int32_t unsaturated = RoundingDivideByPOT((shifted_scale * exp_in_0).raw, exponent);
      const int32_t shifted = unsaturated + kSoftmaxInt8OutputZeroPoint;
      output[c] = static_cast<int8_t>(std::clamp<int32_t>(shifted, -128, 127));
    } else {
      output[c] = std::numeric_limits<int8_t>::min();
    }
  }
}

// ---- int8 LOGISTIC (TFLite Micro reference_integer_ops::Logistic) ---------

inline constexpr int kLogisticInputIntegerBits = 4;  // inputs rescaled to Q4.27
inline constexpr int32_t kLogisticInt8OutputZeroPoint = -128;

struct LogisticInt8Params {
  int32_t input_zero_point = 0;
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int32_t input_range_radius = 0;  // |q - zp| >= radius saturates to -128 / 127
};

inline LogisticInt8Params PrepareLogisticInt8(float input_scale, int32_t input_zero_point) {
  LogisticInt8Params p;
  p.input_zero_point = input_zero_point;
  const double real_multiplier = static_cast<double>(input_scale) *
                                 static_cast<double>(int64_t{1} << (31 - kLogisticInputIntegerBits));
  // TFLite Micro splits the multiplier with frexp and std::round, without
  // QuantizeMultiplier's renormalisation; a significand that rounds up to
  // 2^31 is kept representable here (TFLite would overflow).
  const double q = std::frexp(real_multiplier, &p.input_left_shift);
  const double m = std::round(q * static_cast<double>(int64_t{1} << 31));
  p.input_multiplier = m >= 2147483647.0 ? std::numeric_limits<int32_t>::max()
                                         : static_cast<int32_t>(m);
  p.input_range_radius = CalculateInputRadius(kLogisticInputIntegerBits, p.input_left_shift, 31);
  return p;
}

inline int8_t LogisticInt8(const LogisticInt8Params& p, int8_t q) {
  const int32_t input = static_cast<int32_t>(q) - p.input_zero_point;
  if (input <= -p.input_range_radius) return std::numeric_limits<int8_t>::min();
  if (input >= p.input_range_radius) return std::numeric_limits<int8_t>::max();
  const int32_t input_in_q4 =
      MultiplyByQuantizedMultiplier(input, p.input_multiplier, p.input_left_shift);
  const int32_t output_in_q0 =
      Logistic(FixedPoint<kLogisticInputIntegerBits>::FromRaw(input_in_q4)).raw;
  const int32_t output = RoundingDivideByPOT(output_in_q0, 31 - 8) + kLogisticInt8OutputZeroPoint;
  return static_cast<int8_t>(std::clamp<int32_t>(output, -128, 127));
}

// ---- int8 TANH (TFLite Micro reference_integer_ops::Tanh) -----------------
// The input is rescaled to Q4.27 exactly as for LOGISTIC; the output is
// Q0.7 (scale 1/128, zero point 0): RoundingDivideByPOT(tanh_Q0.31, 24).

inline constexpr int32_t kTanhInt8OutputZeroPoint = 0;
inline constexpr float kTanhInt8OutputScale = 1.0f / 128.0f;

using TanhInt8Params = LogisticInt8Params;
inline TanhInt8Params PrepareTanhInt8(float input_scale, int32_t input_zero_point) {
  return PrepareLogisticInt8(input_scale, input_zero_point);
}

inline int8_t TanhInt8(const TanhInt8Params& p, int8_t q) {
  const int32_t input = static_cast<int32_t>(q) - p.input_zero_point;
  if (input <= -p.input_range_radius) return std::numeric_limits<int8_t>::min();
  if (input >= p.input_range_radius) return std::numeric_limits<int8_t>::max();
  const int32_t input_in_q4 = MultiplyByQuantizedMultiplier(input, p.input_multiplier, p.input_left_shift);
  const int32_t output_in_q0 = Tanh(FixedPoint<kLogisticInputIntegerBits>::FromRaw(input_in_q4)).raw;
  return static_cast<int8_t>(std::clamp<int32_t>(RoundingDivideByPOT(output_in_q0, 31 - 7), -128, 127));
}

// ---- inverse square root (TFLite GetInvSqrtQuantizedMultiplierExp) --------
// For an integer input >= 0: 1/sqrt(input) as a Q0.31 multiplier and a shift,
// by five Newton-Raphson steps in Q3.28 from x = 1 on the input normalised to
// [2^27, 2^29). Inputs 0 and 1 give (2^31 - 1, 0). The returned shift is the
// right shift multiplied by reverse_shift (TFLite passes -1: a left shift).
inline void InvSqrtQuantizedMultiplierExp(int32_t input, int reverse_shift, int32_t* output_inv_sqrt,
                                          int* output_shift) {
  if (input <= 1) {
    *output_inv_sqrt = std::numeric_limits<int32_t>::max();
    *output_shift = 0;
    return;
  }
  *output_shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++*output_shift;
  }
  const int max_left_shift_bits = CountLeadingZeros32(static_cast<uint32_t>(input)) - 1;
  const int left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  *output_shift -= left_shift_bit_pairs;
  input = WrappingShiftLeft(input, 2 * left_shift_bit_pairs);
  using F3 = FixedPoint<3>;
  using F0 = FixedPoint<0>;
  const F3 fixedpoint_input = F3::FromRaw(input >> 1);
  const F3 fixedpoint_half_input = SaturatingRoundingMultiplyByPOT(fixedpoint_input, -1);
  const F3 fixedpoint_half_three = F3::FromRaw((1 << 28) + (1 << 27));  // 1.5
  F3 x = F3::One();
  for (int i = 0; i < 5; ++i) {
    const F3 x3 = Rescale<3>(x * x * x);
    x = Rescale<3>(fixedpoint_half_three * x - fixedpoint_half_input * x3);
  }
  const F0 fixedpoint_half_sqrt_2 = F0::FromRaw(1518500250);  // sqrt(2) / 2
  x = x * fixedpoint_half_sqrt_2;
  *output_inv_sqrt = x.raw;
  if (*output_shift < 0) {
    *output_inv_sqrt = WrappingShiftLeft(*output_inv_sqrt, -*output_shift);
    *output_shift = 0;
  }
  *output_shift *= reverse_shift;
}

// ---- 16-bit helpers of the int8 HARD_SWISH kernel --------------------------

// gemmlowp SaturatingRoundingDoublingHighMul on int16 (rounds half away from
// zero for positive products, like the int32 version).
inline int16_t SaturatingRoundingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

// TFLite SaturatingDoublingHighMul (ARM SQDMULH): like the above but the
// division truncates toward zero.
inline int16_t SaturatingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(ab / (1 << 15));
}

// value * 2^amount saturated to int16.
inline int16_t SaturatingLeftShift16(int16_t value, int amount) {
  const int64_t r = static_cast<int64_t>(value) * (int64_t{1} << amount);
  return static_cast<int16_t>(std::clamp<int64_t>(r, std::numeric_limits<int16_t>::min(),
                                                  std::numeric_limits<int16_t>::max()));
}

// TFLite DownScaleInt32ToInt16Multiplier: Q0.31 -> Q0.15, rounded, saturated.
inline int16_t DownScaleInt32ToInt16Multiplier(int32_t multiplier) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (multiplier >= std::numeric_limits<int32_t>::max() - kRoundingOffset) {
    return std::numeric_limits<int16_t>::max();
  }
  return static_cast<int16_t>((multiplier + kRoundingOffset) >> 16);
}

}  // namespace potacc::fixed_point
