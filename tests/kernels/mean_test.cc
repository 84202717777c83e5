#include "potacc/kernels/mean.h"

#include <gtest/gtest.h>

#include <cmath>

#include "potacc/error.h"
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

TEST(MeanTest, SameQuantizationTruncatesRawSum) {
  const MeanInt8Params p = PrepareMeanInt8(0.1f, -5, 0.1f, -5);
  EXPECT_TRUE(p.same_quantization);
  EXPECT_EQ(MeanInt8FromSum(p, 7, 4), 1);    // 1.75 truncates to 1
  EXPECT_EQ(MeanInt8FromSum(p, -7, 4), -1);  // -1.75 truncates to -1
  EXPECT_EQ(MeanInt8FromSum(p, -512, 4), -128);
}

TEST(MeanTest, RequantizingPathHandComputed) {
  // s_in / s_out = 2: (m, shift) = (2^30, 2); N = 4 -> k = 2, m' = 2^30, shift' = 0,
  // i.e. out = SaturatingRoundingDoublingHighMul(sum, 2^30) = sum / 2.
  const MeanInt8Params p = PrepareMeanInt8(1.0f, 0, 0.5f, 0);
  EXPECT_FALSE(p.same_quantization);
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
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{1, -1}));  // 5/3, -5/3 truncated
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
}

}  // namespace
}  // namespace potacc::kernels
