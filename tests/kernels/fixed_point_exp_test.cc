#include "potacc/fixed_point_exp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace potacc::fixed_point {
namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();

TEST(FixedPointExpTest, RoundingHalfSumRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingHalfSum(1, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(RoundingHalfSum(-1, -2), -2);  // -1.5 -> -2
  EXPECT_EQ(RoundingHalfSum(2, 4), 3);
  EXPECT_EQ(RoundingHalfSum(kMax, kMax), kMax);  // no overflow
  EXPECT_EQ(RoundingHalfSum(kMin, kMin), kMin);
}

TEST(FixedPointExpTest, SaturatingRoundingMultiplyByPOT) {
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(1 << 29, 1), 1 << 30);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(1 << 30, 1), kMax);   // saturates
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(-(1 << 30), 1), kMin);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(-(1 << 29), 1), -(1 << 30));
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(5, -1), 3);    // 2.5 -> 3
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(-5, -1), -3);  // -2.5 -> -3
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(7, 0), 7);
}

TEST(FixedPointExpTest, FixedPointBasics) {
  EXPECT_EQ(FixedPoint<0>::One().raw, kMax);
  EXPECT_EQ(FixedPoint<5>::One().raw, 1 << 26);
  EXPECT_EQ(FixedPoint<5>::ConstantPOT<-2>().raw, 1 << 24);
  // 0.5 * 0.5 = 0.25 in Q0.31.
  const auto half = FixedPoint<0>::FromRaw(1 << 30);
  EXPECT_EQ((half * half).raw, 1 << 29);
  // Q2.29 * Q2.29 -> Q4.27: 1.5 * 1.5 = 2.25.
  const auto one_and_half = FixedPoint<2>::FromRaw(3 << 28);
  const FixedPoint<4> product = one_and_half * one_and_half;
  EXPECT_DOUBLE_EQ(product.ToDouble(), 2.25);
  EXPECT_DOUBLE_EQ(Rescale<2>(product).ToDouble(), 2.25);
}

TEST(FixedPointExpTest, ExpOfZeroIsOne) {
  EXPECT_EQ(ExpOnNegativeValues(FixedPoint<5>::Zero()).raw, kMax);
  EXPECT_EQ(ExpOnNegativeValues(FixedPoint<4>::Zero()).raw, kMax);
}

TEST(FixedPointExpTest, ExpHandCheckedValues) {
  // -1/8 is the Taylor expansion point: x = 0, so the result is exactly the
  // constant exp(-1/8) = 1895147668 / 2^31.
  EXPECT_EQ(ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(FixedPoint<0>::FromRaw(-(1 << 28))).raw,
            1895147668);
  EXPECT_EQ(ExpOnNegativeValues(FixedPoint<5>::FromRaw(-(1 << 23))).raw, 1895147668);
  EXPECT_EQ(ExpOnNegativeValues(FixedPoint<4>::FromRaw(-(1 << 24))).raw, 1895147668);
  // -3/8 = -1/8 - 1/4: the same polynomial value times the exp(-1/4) constant
  // 1672461947, multiplied with one rounding doubling high multiply.
  const int64_t product = int64_t{1895147668} * 1672461947;
  const auto expected = static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
  EXPECT_EQ(ExpOnNegativeValues(FixedPoint<5>::FromRaw(-3 * (1 << 23))).raw, expected);
  EXPECT_NEAR(ExpOnNegativeValues(FixedPoint<5>::FromRaw(-3 * (1 << 23))).ToDouble(),
              std::exp(-0.375), 3e-7);
}

TEST(FixedPointExpTest, ExpMatchesDoubleOverTheSoftmaxRange) {
  // Q5.26 inputs covering [-32, 0).
  double max_err = 0;
  for (int64_t raw = -(int64_t{32} << 26); raw < 0; raw += 104729) {  // prime step
    const auto x = FixedPoint<5>::FromRaw(static_cast<int32_t>(raw));
    const double got = ExpOnNegativeValues(x).ToDouble();
    max_err = std::max(max_err, std::abs(got - std::exp(x.ToDouble())));
  }
  EXPECT_LT(max_err, 3e-7) << "documented bound for ExpOnNegativeValues";
}

TEST(FixedPointExpTest, OneOverOnePlusXMatchesDouble) {
  EXPECT_NEAR(OneOverOnePlusXForXIn0To1(FixedPoint<0>::Zero()).ToDouble(), 1.0, 1e-9);
  EXPECT_NEAR(OneOverOnePlusXForXIn0To1(FixedPoint<0>::FromRaw(1 << 30)).ToDouble(), 2.0 / 3.0,
              5e-9);
  double max_err = 0;
  for (int64_t raw = 0; raw <= kMax; raw += 1000003) {
    const auto x = FixedPoint<0>::FromRaw(static_cast<int32_t>(raw));
    const double got = OneOverOnePlusXForXIn0To1(x).ToDouble();
    max_err = std::max(max_err, std::abs(got - 1.0 / (1.0 + x.ToDouble())));
  }
  EXPECT_LT(max_err, 5e-9) << "documented bound for OneOverOnePlusXForXIn0To1";
}

TEST(FixedPointExpTest, LogisticMatchesDoubleAndIsSymmetric) {
  EXPECT_EQ(Logistic(FixedPoint<4>::Zero()).raw, 1 << 30);
  double max_err = 0;
  for (int64_t raw = -(int64_t{16} << 27) + 1; raw < (int64_t{16} << 27); raw += 1299709) {
    const auto x = FixedPoint<4>::FromRaw(static_cast<int32_t>(raw));
    const double got = Logistic(x).ToDouble();
    max_err = std::max(max_err, std::abs(got - 1.0 / (1.0 + std::exp(-x.ToDouble()))));
    // logistic(-x) = 1 - logistic(x), exactly by construction.
    EXPECT_EQ(Logistic(-x).raw, (FixedPoint<0>::One() - Logistic(x)).raw) << raw;
  }
  EXPECT_LT(max_err, 1e-7) << "documented bound for Logistic";
}

TEST(FixedPointExpTest, GetReciprocal) {
  int bits = -1;
  // 4.0 in Q12.19 -> 1/4 = (~1.0) * 2^-2.
  const int32_t r = GetReciprocal(4 << 19, 12, &bits);
  EXPECT_EQ(bits, 2);
  EXPECT_NEAR(r / 2147483648.0, 1.0, 1e-9);
  // 3.0 -> 1/3 = (2/3) * 2^-1.
  const int32_t r3 = GetReciprocal(3 << 19, 12, &bits);
  EXPECT_EQ(bits, 1);
  EXPECT_NEAR(r3 / 2147483648.0, 2.0 / 3.0, 5e-9);
}

TEST(FixedPointExpTest, SoftmaxPrepareHandChecked) {
  // beta * scale = 1: multiplier 2^26 = 0.5 * 2^27 -> significand 2^30, shift 27;
  // radius = floor(31 * 2^26 / 2^27) = 15.
  const SoftmaxInt8Params p = PrepareSoftmaxInt8(1.0, 1.0f);
  EXPECT_EQ(p.input_beta_multiplier, 1 << 30);
  EXPECT_EQ(p.input_beta_left_shift, 27);
  EXPECT_EQ(p.diff_min, -15);
  // beta * scale = 1/8: 2^23 -> shift 24, radius = floor(31 * 2^26 / 2^24) = 124.
  const SoftmaxInt8Params q = PrepareSoftmaxInt8(1.0, 0.125f);
  EXPECT_EQ(q.input_beta_multiplier, 1 << 30);
  EXPECT_EQ(q.input_beta_left_shift, 24);
  EXPECT_EQ(q.diff_min, -124);
  // Huge beta*scale: capped multiplier, shift 31, radius floor(31/32) = 0.
  const SoftmaxInt8Params h = PrepareSoftmaxInt8(1.0, 100.0f);
  EXPECT_EQ(h.input_beta_left_shift, 31);
  EXPECT_EQ(h.input_beta_multiplier, kMax);
  EXPECT_EQ(h.diff_min, 0);
}

TEST(FixedPointExpTest, SoftmaxInt8HandCheckedRows) {
  const SoftmaxInt8Params p = PrepareSoftmaxInt8(1.0, 0.1f);
  // Four equal logits: 1/4 each = 64/256 -> 64 - 128 = -64.
  std::vector<int8_t> in = {5, 5, 5, 5}, out(4);
  SoftmaxInt8Row(p, in.data(), 4, out.data());
  for (int8_t v : out) EXPECT_EQ(v, -64);
  // One logit: probability 1 = 256/256 -> 128, saturates at 127.
  in = {-100};
  out.resize(1);
  SoftmaxInt8Row(p, in.data(), 1, out.data());
  EXPECT_EQ(out[0], 127);
  // Differences beyond diff_min contribute nothing and read -128.
  const SoftmaxInt8Params s = PrepareSoftmaxInt8(1.0, 1.0f);
  in = {127, -128, 112};  // diffs 0, -255 (< -15), -15 (kept; exp(-15) ~ 3e-7)
  out.resize(3);
  SoftmaxInt8Row(s, in.data(), 3, out.data());
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
  EXPECT_EQ(out[2], -128);
}

TEST(FixedPointExpTest, SoftmaxInt8WithinOneLsbOfDouble) {
  const float scale = 0.171854f;  // the MLPerf-Tiny ResNet's softmax input scale
  const SoftmaxInt8Params p = PrepareSoftmaxInt8(1.0, scale);
  uint32_t seed = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<int8_t> in(10), out(10);
    for (auto& v : in) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<int8_t>(seed >> 24);
    }
    SoftmaxInt8Row(p, in.data(), 10, out.data());
    double sum = 0;
    const int8_t mx = *std::max_element(in.begin(), in.end());
    for (int8_t v : in) sum += std::exp(scale * (v - mx));
    for (int c = 0; c < 10; ++c) {
      const double prob = std::exp(scale * (in[c] - mx)) / sum;
      const double expected = std::min(127.0, std::round(prob * 256.0) - 128.0);
      EXPECT_NEAR(out[c], expected, 1.0) << "trial " << trial << " c " << c;
    }
  }
}

TEST(FixedPointExpTest, LogisticInt8HandChecked) {
  const LogisticInt8Params p = PrepareLogisticInt8(0.1f, 3);
  EXPECT_EQ(LogisticInt8(p, 3), 0);  // logistic(0) = 0.5 = 128/256 -> 0
  EXPECT_EQ(LogisticInt8(p, 127), 127);  // 12.4 -> ~1.0 saturates
  EXPECT_EQ(LogisticInt8(p, -128), -128);  // -13.1 -> ~0
  // scale 0.1: multiplier 0.1 * 2^27 = 0.8 * 2^24 -> left shift 24; radius floor(15*2^27/2^24) = 120.
  EXPECT_EQ(p.input_left_shift, 24);
  EXPECT_EQ(p.input_range_radius, 120);
}

TEST(FixedPointExpTest, LogisticInt8WithinOneLsbOfDouble) {
  for (float scale : {0.02f, 0.0625f, 0.1f, 0.3f}) {
    for (int32_t zp : {-128, -7, 0, 127}) {
      const LogisticInt8Params p = PrepareLogisticInt8(scale, zp);
      for (int q = -128; q <= 127; ++q) {
        const double x = scale * (q - zp);
        const double expected =
            std::min(127.0, std::round(256.0 / (1.0 + std::exp(-x))) - 128.0);
        EXPECT_NEAR(LogisticInt8(p, static_cast<int8_t>(q)), expected, 1.0)
            << "scale " << scale << " zp " << zp << " q " << q;
      }
    }
  }
}

}  // namespace
}  // namespace potacc::fixed_point
