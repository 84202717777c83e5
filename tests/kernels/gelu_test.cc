#include "potacc/kernels/gelu.h"

#include <gtest/gtest.h>

#include <cmath>

#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

int8_t At(const Int8Lut& lut, int q) { return LookupInt8(lut, static_cast<int8_t>(q)); }

TEST(GeluTest, TableHandComputed) {
  // input scale 0.1, zero point 0; output scale 0.05, zero point -10.
  const Int8Lut exact = PrepareGeluInt8(0.1f, 0, 0.05f, -10, false);
  EXPECT_EQ(At(exact, 10), 7);     // gelu(1) = 0.841345 -> 16.83 -> 17, -10
  EXPECT_EQ(At(exact, -10), -13);  // gelu(-1) = -0.158655 -> -3.17 -> -3, -10
  EXPECT_EQ(At(exact, 0), -10);
  EXPECT_EQ(At(exact, 127), 127);   // 12.7 -> 254 - 10 saturates
  EXPECT_EQ(At(exact, -128), -10);  // gelu(-12.8) ~ -1e-36 rounds to 0
}

TEST(GeluTest, ExactAndTanhApproximationDifferWhereTheyShould) {
  // x = -2: exact gelu = -0.0455003 -> /0.001 = -45.50027 -> -46 (half away from zero);
  // tanh form = -0.0454023 -> -45.40 -> -45.
  EXPECT_EQ(At(PrepareGeluInt8(0.1f, 0, 0.001f, 0, false), -20), -46);
  EXPECT_EQ(At(PrepareGeluInt8(0.1f, 0, 0.001f, 0, true), -20), -45);
}

TEST(GeluTest, TableWithinHalfLsbOfDoublePrecision) {
  // Every entry is the float formula rounded once: within 0.5 LSB (+ float error) of double.
  for (bool approximate : {false, true}) {
    const float si = 0.0472f, so = 0.0231f;
    const int zi = -7, zo = -113;
    const Int8Lut lut = PrepareGeluInt8(si, zi, so, zo, approximate);
    for (int q = -128; q <= 127; ++q) {
      const double x = static_cast<double>(si) * (q - zi);
      const double g = approximate
                           ? 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)))
                           : 0.5 * x * std::erfc(-x / std::sqrt(2.0));
      const double expected = std::clamp(g / so + zo, -128.0, 127.0);
      EXPECT_NEAR(At(lut, q), expected, 0.5 + 1e-4) << q << (approximate ? " tanh" : " exact");
    }
  }
}

TEST(GeluTest, KernelUsesTheApproximateOption) {
  for (bool approximate : {false, true}) {
    SingleOpModel m(BuiltinOp::kGelu);
    m.AddInput(DataType::kInt8, {1, 2}, Quant(0.1f, 0));
    m.AddOutput(DataType::kInt8, {1, 2}, Quant(0.001f, 0));
    m.options().approximate = approximate;
    m.Build();
    m.SetInput<int8_t>(0, {-20, 0});
    m.Invoke();
    EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{static_cast<int8_t>(approximate ? -45 : -46), 0}));
  }
  SingleOpModel f(BuiltinOp::kGelu);
  f.AddInput(DataType::kFloat32, {2});
  f.AddOutput(DataType::kFloat32, {2});
  f.Build();
  f.SetInput<float>(0, {1.0f, -1.0f});
  f.Invoke();
  const auto out = f.Output<float>();
  EXPECT_NEAR(out[0], 0.8413447, 1e-6);
  EXPECT_NEAR(out[1], -0.1586553, 1e-6);
}

}  // namespace
}  // namespace potacc::kernels
