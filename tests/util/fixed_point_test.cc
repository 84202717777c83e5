// The requantization arithmetic against exact integer arithmetic (__int128),
// written independently of the implementation.
#include "potacc/fixed_point.h"

#include <gtest/gtest.h>

#include <random>

namespace potacc::fixed_point {
namespace {

using i128 = __int128;

i128 FloorDiv(i128 a, i128 b) {  // b > 0
  i128 q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// floor(a*b/2^31 + 1/2), saturated.
int32_t ExactSrdhm(int32_t a, int32_t b) {
  const i128 v = FloorDiv(2 * static_cast<i128>(a) * b + (i128{1} << 31), i128{1} << 32);
  return v > INT32_MAX ? INT32_MAX : static_cast<int32_t>(v);
}

// x / 2^e rounded half away from zero.
int32_t ExactRoundingDivide(int32_t x, int e) {
  const i128 d = i128{1} << e;
  const i128 ax = x < 0 ? -static_cast<i128>(x) : x;
  const i128 q = (2 * ax + d) / (2 * d);
  return static_cast<int32_t>(x < 0 ? -q : q);
}

TEST(FixedPointTest, QuantizeMultiplierHandValues) {
  int32_t m;
  int s;
  QuantizeMultiplier(0.5, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  QuantizeMultiplier(1.0, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  QuantizeMultiplier(0.75, &m, &s);
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 0);
  QuantizeMultiplier(0.1, &m, &s);  // 0.1 = 0.8 * 2^-3
  EXPECT_EQ(m, 1717986918);         // round(0.8 * 2^31)
  EXPECT_EQ(s, -3);
  QuantizeMultiplier(0.0, &m, &s);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  // A significand that rounds up to 2^31 is renormalised.
  QuantizeMultiplier(1.0 - 1e-12, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  // Tiny multipliers flush to zero like TFLite.
  QuantizeMultiplier(1e-12, &m, &s);
  EXPECT_EQ(m, 0);
}

TEST(FixedPointTest, SrdhmHandValuesAndTies) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);  // -1.5 -> -1 (ties up)
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-5, 1 << 30), -2);  // -2.5 -> -2
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
}

TEST(FixedPointTest, RoundingDivideByPotTiesAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(3, 1), 2);
  EXPECT_EQ(RoundingDivideByPOT(-3, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(5, 2), 1);   // 1.25
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(7, 0), 7);
}

TEST(FixedPointTest, RandomAgainstExactArithmetic) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = any(rng), b = any(rng);
    ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), ExactSrdhm(a, b)) << a << " " << b;
    const int e = static_cast<int>(rng() % 31);
    ASSERT_EQ(RoundingDivideByPOT(a, e), ExactRoundingDivide(a, e)) << a << " " << e;
  }
}

TEST(FixedPointTest, SingleAndDoubleRoundingDifferByAtMostOne) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int32_t> acc(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  int differ = 0;
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = acc(rng), m = mult(rng);
    const int shift = -static_cast<int>(rng() % 12);
    const int32_t d = MultiplyByQuantizedMultiplier(x, m, shift);
    const int32_t s = MultiplyByQuantizedMultiplierSingleRounding(x, m, shift);
    ASSERT_LE(std::abs(d - s), 1);
    differ += d != s;
    // Single rounding is exact round-half-up of x*m/2^(31-shift).
    const i128 num = static_cast<i128>(x) * m;
    const i128 den = i128{1} << (31 - shift);
    ASSERT_EQ(s, static_cast<int32_t>(FloorDiv(2 * num + den, 2 * den)));
  }
  EXPECT_GT(differ, 0);  // the two roundings are really different functions
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierLeftShift) {
  // multiplier 0.75 * 2^2 = 3: 10 -> 30.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(10, 1610612736, 2), 30);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-10, 1610612736, 2), -30);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(10, 1610612736, 2), 30);
}

}  // namespace
}  // namespace potacc::fixed_point
