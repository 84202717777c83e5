#include "potacc/kernels/mul.h"

#include <gtest/gtest.h>

#include <cmath>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

using testing::kFull;

TEST(MulTest, HandComputed) {
  // 0.5 * 0.25 / 0.125 = 1: (q1 - zp1) * (q2 - zp2) unchanged, + zp_out.
  const MulInt8Params p = PrepareMulInt8(0.5f, 3, 0.25f, -4, 0.125f, -10, kFull);
  EXPECT_EQ(MulInt8Element(p, 5, -1), (5 - 3) * (-1 + 4) - 10);
  EXPECT_EQ(MulInt8Element(p, 3, 100), -10);
  // Saturation: 124 * 131 way above 127.
  EXPECT_EQ(MulInt8Element(p, 127, 127), 127);
  EXPECT_EQ(MulInt8Element(p, -128, 127), -128);
}

TEST(MulTest, DoubleRoundingTies) {
  // multiplier 1/4 = 2^30 * 2^-1 (Q31 significand 0.5, shift -1): the high
  // multiply halves exactly, the rounding shift rounds half away from zero.
  const MulInt8Params p = PrepareMulInt8(1.0f, 0, 1.0f, 0, 4.0f, 0, kFull);
  EXPECT_EQ(MulInt8Element(p, 3, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(MulInt8Element(p, -3, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(MulInt8Element(p, 5, 2), 3);    // 2.5 -> 3
  // multiplier 1/2 (significand 0.5, shift 0): the tie is resolved inside the
  // rounding doubling high multiply, which rounds -1.5 up to -1 (gemmlowp's
  // nudge), +1.5 to 2.
  const MulInt8Params q = PrepareMulInt8(1.0f, 0, 1.0f, 0, 2.0f, 0, kFull);
  EXPECT_EQ(MulInt8Element(q, 3, 1), 2);
  EXPECT_EQ(MulInt8Element(q, -3, 1), -1);
}

TEST(MulTest, MatchesDoubleWithinOneLsb) {
  const MulInt8Params p = PrepareMulInt8(0.05f, 7, 0.02f, -128, 0.01f, 5, kFull);
  for (int a = -128; a <= 127; a += 7) {
    for (int b = -128; b <= 127; b += 11) {
      const double real = 0.05 * (a - 7) * 0.02 * (b + 128);
      const double expected = std::clamp(std::round(real / 0.01) + 5, -128.0, 127.0);
      EXPECT_NEAR(MulInt8Element(p, static_cast<int8_t>(a), static_cast<int8_t>(b)), expected, 1)
          << a << " * " << b;
    }
  }
}

TEST(MulTest, BroadcastScalarInt8AndFloat) {
  {
    SingleOpModel m(BuiltinOp::kMul);
    m.AddInput(DataType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0));
    m.AddConstInput<int8_t>(DataType::kInt8, {1}, {-3}, Quant(1.0f, 0));
    m.AddOutput(DataType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0));
    m.Build();
    m.SetInput<int8_t>(0, {1, -2, 40, 50});
    m.Invoke();
    EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-3, 6, -120, -128}));
  }
  {
    SingleOpModel m(BuiltinOp::kMul);
    m.AddInput(DataType::kFloat32, {2, 2});
    m.AddInput(DataType::kFloat32, {2, 1});
    m.AddOutput(DataType::kFloat32, {2, 2});
    m.options().activation = Activation::kRelu;
    m.Build();
    m.SetInput<float>(0, {1, 2, 3, 4});
    m.SetInput<float>(1, {2, -1});
    m.Invoke();
    EXPECT_EQ(m.Output<float>(), (std::vector<float>{2, 4, 0, 0}));
  }
}

}  // namespace
}  // namespace potacc::kernels
