#include "potacc/kernels/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "potacc/error.h"
#include "potacc/kernels/dequantize.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(QuantizeTest, RoundHalfAwayFromZeroThenClamp) {
  EXPECT_EQ(QuantizeFloatToInt8(0.25f, 0.5f, -5), -4);   // 0.5 -> 1
  EXPECT_EQ(QuantizeFloatToInt8(-0.25f, 0.5f, -5), -6);  // -0.5 -> -1
  EXPECT_EQ(QuantizeFloatToInt8(0.75f, 0.5f, -5), -3);   // 1.5 -> 2
  EXPECT_EQ(QuantizeFloatToInt8(1000.0f, 0.5f, -5), 127);
  EXPECT_EQ(QuantizeFloatToInt8(-1000.0f, 0.5f, -5), -128);
  EXPECT_EQ(QuantizeFloatToInt8(std::numeric_limits<float>::infinity(), 0.5f, 0), 127);
  EXPECT_EQ(QuantizeFloatToInt8(std::nanf(""), 0.5f, 3), 3);
}

TEST(QuantizeTest, DivisionIsInFloat) {
  // res20's input scale: x / s evaluated in float32 then rounded.
  const float s = 0.016155f;
  for (float x : {-2.4f, -0.3f, 0.0f, 0.1234f, 1.0f, 2.5f}) {
    const float q = std::round(x / s);
    EXPECT_EQ(QuantizeFloatToInt8(x, s, -5), std::clamp<int32_t>(static_cast<int32_t>(q) - 5, -128, 127));
  }
}

TEST(QuantizeTest, KernelFloatToInt8AndRequantize) {
  SingleOpModel m(BuiltinOp::kQuantize);
  m.AddInput(DataType::kFloat32, {1, 4});
  m.AddOutput(DataType::kInt8, {1, 4}, Quant(0.5f, 1));
  m.Build();
  m.SetInput<float>(0, {0.0f, 0.25f, -0.75f, 100.0f});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{1, 2, -1, 127}));

  // int8 -> int8: s 1.0 -> 0.5 doubles the value; zero points shift.
  SingleOpModel r(BuiltinOp::kQuantize);
  r.AddInput(DataType::kInt8, {4}, Quant(1.0f, -3));
  r.AddOutput(DataType::kInt8, {4}, Quant(0.5f, 2));
  r.Build();
  r.SetInput<int8_t>(0, {-3, 0, 60, -128});
  r.Invoke();
  EXPECT_EQ(r.Output<int8_t>(), (std::vector<int8_t>{2, 8, 127, -128}));
}

TEST(QuantizeTest, RequantizeTiesUseDoubleRounding) {
  // s_in / s_out = 0.5 (significand 2^30, shift 0): 3 -> 1.5 -> 2, -3 -> -1.
  const RequantizeParams p = PrepareRequantize(1.0f, 0, 2.0f, 0);
  std::vector<int8_t> in = {3, -3, 5}, out(3);
  RequantizeInt8(p, in.data(), 3, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{2, -1, 3}));
}

TEST(QuantizeTest, RejectsUnsupportedTypes) {
  SingleOpModel m(BuiltinOp::kQuantize);
  m.AddInput(DataType::kFloat32, {4});
  m.AddOutput(DataType::kUInt8, {4}, Quant(0.5f, 128));
  try {
    m.Build();
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("uint8"), std::string::npos) << e.what();
  }
}

TEST(DequantizeTest, ScaleTimesOffset) {
  EXPECT_EQ(DequantizeInt8(-128, 0.003906f, -128), 0.0f);
  EXPECT_EQ(DequantizeInt8(10, 0.124237f, -56),
            static_cast<float>(static_cast<double>(0.124237f) * 66));
  SingleOpModel m(BuiltinOp::kDequantize);
  m.AddInput(DataType::kInt8, {1, 3}, Quant(0.25f, -128));
  m.AddOutput(DataType::kFloat32, {1, 3});
  m.Build();
  m.SetInput<int8_t>(0, {-128, 127, 0});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{0.0f, 63.75f, 32.0f}));
}

}  // namespace
}  // namespace potacc::kernels
