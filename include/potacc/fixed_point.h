// TFLite's fixed-point requantization arithmetic, in one place.
//
// Every int8 kernel, the accelerator driver (per-channel multiplier/shift) and
// the simulator's post-processing unit call these functions; nothing else in
// potacc re-derives them. Semantics follow TFLite's reference kernels
// (tensorflow/lite/kernels/internal/common.h, the default "double rounding"
// build) and gemmlowp's fixedpoint.h:
//
//   real_multiplier ~= quantized_multiplier * 2^(shift - 31),
//   quantized_multiplier in [2^30, 2^31) (a Q0.31 significand), shift signed.
//
// Double rounding (TFLite default): first a rounding doubling high multiply
// (round half up, i.e. floor(a*b/2^31 + 1/2)), then a rounding right shift
// (round half away from zero). Single rounding (the reference accelerator's PPU, and
// TFLite built with TFLITE_SINGLE_ROUNDING): one 64-bit product, one
// round-half-up shift. The two differ by at most one LSB, in tie cases.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace potacc::fixed_point {

// Splits a positive real multiplier into a Q31 significand and a power-of-two
// exponent (TFLite QuantizeMultiplier).
inline void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier,
                               int* shift) {
  if (real_multiplier == 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(real_multiplier, shift);
  auto q_fixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  // (TFLite's TFLITE_SINGLE_ROUNDING build also caps shift at 30; the default
  // double-rounding build, which potacc's kernels reproduce, does not.)
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

// gemmlowp SaturatingRoundingDoublingHighMul: a*b / 2^31 rounded to nearest,
// ties towards +infinity (the nudge plus truncating division gives exactly
// floor(a*b/2^31 + 1/2)); the single overflow case saturates.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  const auto high = static_cast<int32_t>((ab + nudge) / (1LL << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// Left shift with two's-complement wrap (TFLite writes x * (1 << s); we
// avoid the signed-overflow UB and keep the same bits).
inline int32_t WrappingShiftLeft(int32_t x, int s) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << s);
}

// TFLite MultiplyByQuantizedMultiplier, default (double rounding) build.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier,
                                             int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(WrappingShiftLeft(x, left_shift), quantized_multiplier),
      right_shift);
}

// For multipliers < 1 (shift <= 0), as TFLite's ADD/SUB kernels use it.
inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(int32_t x,
                                                               int32_t quantized_multiplier,
                                                               int left_shift) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, quantized_multiplier),
                             -left_shift);
}

// Single-rounding requantization: round_half_up(x * M / 2^(31 - shift)),
// saturated to int32. This is TFLITE_SINGLE_ROUNDING and the reference
// accelerator's PPU (with S = 31 - shift).
inline int32_t MultiplyByQuantizedMultiplierSingleRounding(int32_t x, int32_t quantized_multiplier,
                                                           int shift) {
  const int total_shift = 31 - shift;
  int64_t product = static_cast<int64_t>(x) * quantized_multiplier;
  if (total_shift > 0) {
    product = (product + (int64_t{1} << (total_shift - 1))) >> total_shift;
  } else {
    product = product * (int64_t{1} << -total_shift);
  }
  if (product > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (product < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(product);
}

// The ICECS 2024 accelerator's synthesized PPU (reference §6, §10.12): TFLite's
// double rounding, except that a positive (left) shift multiplies x by the
// shift amount instead of by 2^shift (x * shift saturated to int32). Equal to
// MultiplyByQuantizedMultiplier whenever shift <= 0, i.e. for every output
// multiplier below 1.
inline int32_t MultiplyByQuantizedMultiplierIcecsV2(int32_t x, int32_t quantized_multiplier, int shift) {
  if (shift <= 0) return MultiplyByQuantizedMultiplier(x, quantized_multiplier, shift);
  const int64_t scaled = static_cast<int64_t>(x) * shift;
  const int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  const auto saturated = static_cast<int32_t>(scaled < lo ? lo : (scaled > hi ? hi : scaled));
  return SaturatingRoundingDoublingHighMul(saturated, quantized_multiplier);
}

// Which requantization rounding a kernel / PPU applies.
enum class Rounding : uint8_t {
  kDouble,   // TFLite default (reference kernels, TFLM)
  kSingle,   // TFLITE_SINGLE_ROUNDING / reference accelerator PPU
  kIcecsV2,  // the ICECS 2024 synthesized PPU: double rounding with its left-shift defect
};

inline int32_t Requantize(int32_t x, int32_t quantized_multiplier, int shift, Rounding rounding) {
  switch (rounding) {
    case Rounding::kDouble: return MultiplyByQuantizedMultiplier(x, quantized_multiplier, shift);
    case Rounding::kSingle: return MultiplyByQuantizedMultiplierSingleRounding(x, quantized_multiplier, shift);
    case Rounding::kIcecsV2: return MultiplyByQuantizedMultiplierIcecsV2(x, quantized_multiplier, shift);
  }
  return MultiplyByQuantizedMultiplier(x, quantized_multiplier, shift);
}

// Output range of an int8 tensor after a fused activation (TFLite
// CalculateActivationRangeQuantized), computed from scale and zero point.
struct ActivationRange {
  int32_t min = -128;
  int32_t max = 127;
};

}  // namespace potacc::fixed_point
