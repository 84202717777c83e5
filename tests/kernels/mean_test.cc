#include "potacc/kernels/mean.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "potacc/error.h"
#include "potacc/kernels/op_checks.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(MeanTest, ResolveAxesAndShapes) {
  EXPECT_EQ(ResolveReduceAxes({1, 2}, 4), (std::vector<int>{1, 2}));
  EXPECT_EQ(ResolveReduceAxes({-3, 2, 1}, 4), (std::vector<int>{1, 2}));
  EXPECT_THROW(ResolveReduceAxes({4}, 4), Error);
  EXPECT_EQ(ReducedShape({1, 7, 7, 8}, {1, 2}, true), (std::vector<int32_t>{1, 1, 1, 8}));
  EXPECT_EQ(ReducedShape({1, 7, 7, 8}, {1, 2}, false), (std::vector<int32_t>{1, 8}));
}

// Hostile input #24: with equal input/output scale and zero point TFLite Micro
// still requantizes sum - zp * N with MultiplyByQuantizedMultiplier (no
// truncating integer division). Multiplier 1.0 = (2^30, shift 1); N = 4 folds
// to (2^30, shift -1): the high multiply rounds x/2 half up, then the shift
// rounds half away from zero.
TEST(MeanTest, SameQuantizationRequantizesLikeTfliteMicro) {
  const MeanInt8Params p = PrepareMeanInt8(0.1f, 0, 0.1f, 0);
  EXPECT_EQ(p.multiplier, 1 << 30);
  EXPECT_EQ(p.shift, 1);
  EXPECT_EQ(MeanInt8FromSum(p, -487, 4), -122);  // -121.75: -243.5 -> -243, -121.5 -> -122 (down)
  EXPECT_EQ(MeanInt8FromSum(p, 210, 4), 53);     // 52.5: 105 -> 52.5 -> 53 (up; truncation gave 52)
  EXPECT_EQ(MeanInt8FromSum(p, -210, 4), -53);   // -52.5 -> -53 (away from zero)
  EXPECT_EQ(MeanInt8FromSum(p, 7, 4), 2);        // 1.75: 3.5 -> 4 -> 2
  EXPECT_EQ(MeanInt8FromSum(p, -7, 4), -2);      // -1.75: -3.5 -> -3 -> -1.5 -> -2
  EXPECT_EQ(MeanInt8FromSum(p, 1, 4), 1);        // 0.25: 0.5 -> 1 -> 0.5 -> 1 (double rounding)
  EXPECT_EQ(MeanInt8FromSum(p, -1, 4), 0);       // -0.25: -0.5 -> 0 -> 0
  EXPECT_EQ(MeanInt8FromSum(p, -512, 4), -128);
  // Zero points: sum - zp * N, then + zp_out (= zp_in here).
  const MeanInt8Params z = PrepareMeanInt8(0.1f, -5, 0.1f, -5);
  EXPECT_EQ(MeanInt8FromSum(z, -487 + 4 * -5, 4), -127);
}

TEST(MeanTest, RequantizingPathHandComputed) {
  // s_in / s_out = 2: (m, shift) = (2^30, 2); N = 4 -> k = 2, m' = 2^30, shift' = 0,
  // i.e. out = SaturatingRoundingDoublingHighMul(sum, 2^30) = sum / 2.
  const MeanInt8Params p = PrepareMeanInt8(1.0f, 0, 0.5f, 0);
  EXPECT_EQ(p.multiplier, 1 << 30);
  EXPECT_EQ(p.shift, 2);
  EXPECT_EQ(MeanInt8FromSum(p, 6, 4), 3);
  EXPECT_EQ(MeanInt8FromSum(p, 5, 4), 3);    // 2.5 -> 3
  EXPECT_EQ(MeanInt8FromSum(p, -5, 4), -2);  // -2.5 -> -2 (the high multiply's nudge)
  EXPECT_EQ(MeanInt8FromSum(p, 400, 4), 127);
  // Zero points: sum over N of (q - zp_in), then + zp_out.
  const MeanInt8Params z = PrepareMeanInt8(1.0f, -128, 0.5f, -100);
  EXPECT_EQ(MeanInt8FromSum(z, 4 * -128 + 6, 4), -97);
}

TEST(MeanTest, RequantizingPathWithinOneLsbOfDouble) {
  // The MobileNetV2 heads: 7x7 spatial mean, different output scale.
  for (auto [so, zo] : {std::pair{0.023323f, -128}, std::pair{0.018557f, -128},
                        std::pair{0.05f, 3}}) {
    const MeanInt8Params p = PrepareMeanInt8(0.023529f, -128, so, zo);
    for (int32_t sum = -128 * 49; sum <= 127 * 49; sum += 37) {
      const double mean = 0.023529 * (sum / 49.0 + 128);
      const double expected = std::clamp(std::round(mean / so) + zo, -128.0, 127.0);
      EXPECT_NEAR(MeanInt8FromSum(p, sum, 49), expected, 1.0) << sum;
    }
  }
}

TEST(MeanTest, SpatialMeanKeepDimsInt8) {
  SingleOpModel m(BuiltinOp::kMean);
  m.AddInput(DataType::kInt8, {1, 2, 2, 2}, Quant(1.0f, 0));
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, 2});
  m.AddOutput(DataType::kInt8, {1, 1, 1, 2}, Quant(0.5f, 0));
  m.options().keep_dims = true;
  m.Build();
  m.SetInput<int8_t>(0, {1, -1, 2, -2, 1, -1, 1, -1});  // channel sums 5 and -5
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{3, -2}));
}

TEST(MeanTest, SameScaleNegativeAxisInt8) {
  SingleOpModel m(BuiltinOp::kMean);
  m.AddInput(DataType::kInt8, {2, 3}, Quant(0.5f, 1));
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {-1});
  m.AddOutput(DataType::kInt8, {2}, Quant(0.5f, 1));
  m.Build();
  m.SetInput<int8_t>(0, {1, 2, 2, -1, -2, -2});
  m.Invoke();
  // Sums minus zp * 3: 2 and -8. N = 3: k = 1, m' = (2^30 << 1) / 3 = 715827882, shift 0:
  // 2 -> (2 m' + 2^30) / 2^31 = 1.17 -> 1;  -8 -> -3.17 -> -3; plus zp 1.
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{2, -2}));
}

// The fast path (any block of consecutive reduced axes: trailing ones, NHWC
// over H and W, leading ones) and the reference's fallback for others.
TEST(MeanTest, ConsecutiveAxesFastPathEqualsReference) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> d(-128, 127);
  const std::vector<std::pair<std::vector<int32_t>, std::vector<int>>> cases = {
      {{1, 197, 192}, {2}}, {{2, 3, 4, 5}, {2, 3}}, {{2, 3, 4, 5}, {3, 2}}, {{7, 9}, {0, 1}}, {{4, 6}, {0}},
      {{1, 7, 7, 1280}, {1, 2}}, {{2, 5, 3, 17}, {2, 1}}, {{3, 4, 5}, {0, 1}}, {{2, 3, 4, 5}, {1, 3}},
      {{2, 0, 3}, {1}}};
  for (const auto& [shape, axes] : cases) {
    int64_t n = 1;
    for (int32_t x : shape) n *= x;
    std::vector<int8_t> in(static_cast<size_t>(n));
    for (auto& v : in) v = static_cast<int8_t>(d(rng));
    const MeanInt8Params p = PrepareMeanInt8(0.02f, -3, 0.013f, 4);
    const int64_t outs = ShapeElements(ReducedShape(shape, axes, false));
    std::vector<int8_t> ref(static_cast<size_t>(outs)), opt(static_cast<size_t>(outs), 9);
    MeanInt8Reference(p, shape, axes, in.data(), ref.data());
    MeanInt8(p, shape, axes, in.data(), opt.data());
    EXPECT_EQ(ref, opt);
  }
}

TEST(MeanTest, FloatOverSeveralAxes) {
  SingleOpModel m(BuiltinOp::kMean);
  m.AddInput(DataType::kFloat32, {2, 2, 3});
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {0, 2});
  m.AddOutput(DataType::kFloat32, {1, 2, 1});
  m.options().keep_dims = true;
  m.Build();
  m.SetInput<float>(0, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  m.Invoke();
  // Row 0: {1,2,3,7,8,9} -> 5; row 1: {4,5,6,10,11,12} -> 8.
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{5.0f, 8.0f}));
}

TEST(MeanTest, RejectsBadAxisAndShape) {
  {
    SingleOpModel m(BuiltinOp::kMean);
    m.AddInput(DataType::kFloat32, {2, 2});
    m.AddConstInput<int32_t>(DataType::kInt32, {1}, {2});
    m.AddOutput(DataType::kFloat32, {2});
    EXPECT_THROW(m.Build(), InvalidModelError);
  }
  {
    SingleOpModel m(BuiltinOp::kMean);
    m.AddInput(DataType::kFloat32, {2, 2});
    m.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
    m.AddOutput(DataType::kFloat32, {3});
    EXPECT_THROW(m.Build(), InvalidModelError);
  }
  {  // 2^24 + 4,096 values per output: the int32 sum could overflow
    SingleOpModel m(BuiltinOp::kMean);
    m.AddInput(DataType::kInt8, {1, 4097, 4096}, Quant(0.1f, 0));
    m.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, 2});
    m.AddOutput(DataType::kInt8, {1}, Quant(0.1f, 0));
    EXPECT_THROW(m.Build(), UnsupportedError);
  }
}

}  // namespace
}  // namespace potacc::kernels
