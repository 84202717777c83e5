#include "potacc/kernels/pooling.h"

#include <gtest/gtest.h>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(PoolingTest, RoundedAverageHalfAwayFromZero) {
  EXPECT_EQ(RoundedAverage(10, 4), 3);    // 2.5 -> 3
  EXPECT_EQ(RoundedAverage(-10, 4), -3);  // -2.5 -> -3
  EXPECT_EQ(RoundedAverage(5, 4), 1);     // 1.25 -> 1
  EXPECT_EQ(RoundedAverage(7, 4), 2);     // 1.75 -> 2
  EXPECT_EQ(RoundedAverage(-7, 4), -2);
  EXPECT_EQ(RoundedAverage(21, 6), 4);    // 3.5 -> 4
  EXPECT_EQ(RoundedAverage(0, 9), 0);
  EXPECT_EQ(RoundedAverage(-8192, 64), -128);
}

SingleOpModel MakePool(BuiltinOp op, DataType type, std::vector<int32_t> in,
                       std::vector<int32_t> out, int filter, int stride, Padding padding,
                       Activation act = Activation::kNone, QuantParams q = Quant(0.1f, -128)) {
  SingleOpModel m(op);
  if (type == DataType::kFloat32) q = {};
  m.AddInput(type, std::move(in), q);
  m.AddOutput(type, std::move(out), q);
  m.options().filter_h = m.options().filter_w = filter;
  m.options().stride_h = m.options().stride_w = stride;
  m.options().padding = padding;
  m.options().activation = act;
  m.Build();
  return m;
}

TEST(PoolingTest, AveragePoolValidInt8) {
  auto m = MakePool(BuiltinOp::kAveragePool2D, DataType::kInt8, {1, 4, 4, 1}, {1, 2, 2, 1}, 2, 2,
                    Padding::kValid);
  m.SetInput<int8_t>(0, {1, 2, -1, -2,  //
                         3, 4, -3, -4,  //
                         1, 1, -128, -128,  //
                         1, 2, -128, -128});
  m.Invoke();
  // 10/4 -> 3, -10/4 -> -3, 5/4 -> 1, -512/4 = -128.
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{3, -3, 1, -128}));
}

TEST(PoolingTest, AveragePoolSameCountsOnlyValidTaps) {
  auto m = MakePool(BuiltinOp::kAveragePool2D, DataType::kInt8, {1, 3, 3, 1}, {1, 3, 3, 1}, 3, 1,
                    Padding::kSame);
  m.SetInput<int8_t>(0, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  m.Invoke();
  // Corners average 4 taps, edges 6, the centre 9:
  // (1+2+4+5)/4 = 3; (1+2+3+4+5+6)/6 = 3.5 -> 4; (2+3+5+6)/4 = 4; (1+2+4+5+7+8)/6 = 4.5 -> 5;
  // 45/9 = 5; (2+3+5+6+8+9)/6 = 5.5 -> 6; (4+5+7+8)/4 = 6; (4..9)/6 = 6.5 -> 7; (5+6+8+9)/4 = 7.
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{3, 4, 4, 5, 5, 6, 6, 7, 7}));
}

TEST(PoolingTest, GlobalAveragePoolMultiChannel) {
  // The ResNet heads: 8x8 window over an 8x8 map, per channel.
  auto m = MakePool(BuiltinOp::kAveragePool2D, DataType::kInt8, {1, 8, 8, 2}, {1, 1, 1, 2}, 8, 8,
                    Padding::kValid);
  std::vector<int8_t> in(128);
  int32_t sum0 = 0, sum1 = 0;
  for (int i = 0; i < 64; ++i) {
    in[2 * i] = static_cast<int8_t>(i * 3 - 100);
    in[2 * i + 1] = static_cast<int8_t>(-128 + (i % 5));
    sum0 += in[2 * i];
    sum1 += in[2 * i + 1];
  }
  m.SetInput(0, in);
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{static_cast<int8_t>(RoundedAverage(sum0, 64)),
                                                     static_cast<int8_t>(RoundedAverage(sum1, 64))}));
  EXPECT_EQ(RoundedAverage(sum0, 64), -6);  // sum0 = 3*2016 - 6400 = -352 -> -5.5 -> -6
}

TEST(PoolingTest, MaxPoolIgnoresPaddingAndAppliesActivation) {
  auto m = MakePool(BuiltinOp::kMaxPool2D, DataType::kInt8, {1, 2, 2, 1}, {1, 1, 1, 1}, 3, 2,
                    Padding::kSame, Activation::kNone);
  m.SetInput<int8_t>(0, {-100, -90, -120, -128});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-90}));  // padding is not a 0 tap
  // RELU with zero point -20: the floor is -20.
  auto r = MakePool(BuiltinOp::kMaxPool2D, DataType::kInt8, {1, 2, 2, 1}, {1, 1, 1, 1}, 2, 2,
                    Padding::kValid, Activation::kRelu, Quant(0.5f, -20));
  r.SetInput<int8_t>(0, {-100, -90, -30, -128});
  r.Invoke();
  EXPECT_EQ(r.Output<int8_t>(), (std::vector<int8_t>{-20}));
}

TEST(PoolingTest, FloatAverageAndMax) {
  auto a = MakePool(BuiltinOp::kAveragePool2D, DataType::kFloat32, {1, 2, 3, 1}, {1, 1, 2, 1}, 2,
                    2, Padding::kSame);
  a.SetInput<float>(0, {1, 2, 3, 4, 5, 6});
  a.Invoke();
  // SAME, 2x2 stride 2 on 2x3: windows {1,2,4,5} and {3,6} (right column padded).
  EXPECT_EQ(a.Output<float>(), (std::vector<float>{3.0f, 4.5f}));
  auto x = MakePool(BuiltinOp::kMaxPool2D, DataType::kFloat32, {1, 2, 3, 1}, {1, 1, 2, 1}, 2, 2,
                    Padding::kSame, Activation::kRelu6);
  x.SetInput<float>(0, {1, 2, 3, 4, 5, 16});
  x.Invoke();
  EXPECT_EQ(x.Output<float>(), (std::vector<float>{5.0f, 6.0f}));
}

TEST(PoolingTest, RejectsWrongOutputShapeAndRequantization) {
  EXPECT_THROW(MakePool(BuiltinOp::kAveragePool2D, DataType::kInt8, {1, 4, 4, 1}, {1, 3, 3, 1}, 2,
                        2, Padding::kValid),
               InvalidModelError);
  SingleOpModel m(BuiltinOp::kAveragePool2D);
  m.AddInput(DataType::kInt8, {1, 2, 2, 1}, Quant(0.1f, 0));
  m.AddOutput(DataType::kInt8, {1, 1, 1, 1}, Quant(0.2f, 0));
  m.options().filter_h = m.options().filter_w = 2;
  m.options().stride_h = m.options().stride_w = 2;
  m.options().padding = Padding::kValid;
  EXPECT_THROW(m.Build(), UnsupportedError);
}

}  // namespace
}  // namespace potacc::kernels
