#include "potacc/kernels/hard_swish.h"

#include <gtest/gtest.h>

#include <cmath>

#include "potacc/fixed_point_exp.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(HardSwishTest, SixteenBitHelpers) {
  using namespace fixed_point;
  EXPECT_EQ(SaturatingRoundingDoublingHighMul16(16384, 16384), 8192);  // 0.5 * 0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul16(-32768, -32768), 32767);
  EXPECT_EQ(SaturatingDoublingHighMul16(3, 16384), 1);   // 1.5 truncates to 1
  EXPECT_EQ(SaturatingDoublingHighMul16(-3, 16384), -1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul16(3, 16384), 2);  // 1.5 rounds to 2
  EXPECT_EQ(SaturatingLeftShift16(300, 7), 32767);
  EXPECT_EQ(SaturatingLeftShift16(-300, 7), -32768);
  EXPECT_EQ(SaturatingLeftShift16(3, 2), 12);
  EXPECT_EQ(DownScaleInt32ToInt16Multiplier(1 << 30), 1 << 14);
  EXPECT_EQ(DownScaleInt32ToInt16Multiplier(2147483647), 32767);
}

TEST(HardSwishTest, Int8HandCheckedPoints) {
  // s_in = s_out = 3/64: x = -3 (q = -64) -> 0, x = 0 -> 0, x = 3 (q = 64) -> 3 (q = 64).
  const HardSwishInt8Params p = PrepareHardSwishInt8(3.0f / 64, 0, 3.0f / 64, 0);
  EXPECT_EQ(HardSwishInt8(p, 0), 0);
  EXPECT_EQ(HardSwishInt8(p, -64), 0);
  EXPECT_EQ(HardSwishInt8(p, -128), 0);  // x = -6: relu6(-3) = 0
  EXPECT_EQ(HardSwishInt8(p, 64), 64);
  EXPECT_EQ(HardSwishInt8(p, 127), 127);
}

TEST(HardSwishTest, Int8WithinOneLsbOfFloat) {
  for (auto [si, zi, so, zo] : {std::tuple{0.05f, 10, 0.03f, -100}, std::tuple{0.1f, -128, 0.05f, -60},
                                std::tuple{0.02f, 0, 0.02f, -20}}) {
    const HardSwishInt8Params p = PrepareHardSwishInt8(si, zi, so, zo);
    for (int q = -128; q <= 127; ++q) {
      const double x = si * (q - zi);
      const double y = x * std::min(6.0, std::max(0.0, x + 3)) / 6;
      const double expected = std::clamp(std::round(y / so) + zo, -128.0, 127.0);
      EXPECT_NEAR(HardSwishInt8(p, static_cast<int8_t>(q)), expected, 1.0)
          << "scale " << si << " q " << q;
    }
  }
}

TEST(HardSwishTest, FloatKernel) {
  SingleOpModel m(BuiltinOp::kHardSwish);
  m.AddInput(DataType::kFloat32, {4});
  m.AddOutput(DataType::kFloat32, {4});
  m.Build();
  m.SetInput<float>(0, {-4.0f, 0.0f, 1.0f, 5.0f});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{-0.0f, 0.0f, 4.0f / 6.0f, 5.0f}));
}

}  // namespace
}  // namespace potacc::kernels
