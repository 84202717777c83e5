#include "potacc/platform/accel_power.h"

#include <gtest/gtest.h>

#include <fstream>

#include "potacc/error.h"
#include "support/data_dir.h"
#include "test_board.h"

namespace potacc::platform {
namespace {

TEST(AccelPower, FromPublishedResources) {
  const Board b = boards_for_tests::TestBoard();
  const AccelPowerModel m = AccelPowerFor(b, "int8");
  // clock: 100 MHz x 2000 FF x 0.1 pJ = 0.02 W
  EXPECT_NEAR(m.clock_w, 100e6 * 2000 * 0.1e-12, 1e-15);
  // active: 100 MHz x [0.25 x (1000 x 1 + 2000 x 0.5 + 10 x 10) pJ + 0.5 x (5 x 20 + 1 x 40) pJ]
  const double active = 100e6 * (0.25 * (1000 + 1000 + 100) + 0.5 * (100 + 40)) * 1e-12;
  EXPECT_NEAR(m.active_w, active, 1e-15);
  EXPECT_NEAR(m.PowerAt(0.5), m.clock_w + 0.5 * active, 1e-15);
  // The shift design has fewer LUTs, so less dynamic power.
  EXPECT_LT(AccelPowerFor(b, "qkeras").active_w, m.active_w);
  EXPECT_THROW(AccelPowerFor(b, "msq"), Error);
}

TEST(AccelPower, SynthesizedUnitsFillInMethodsWithoutPublishedFigures) {
  const auto dir = potacc::testing::TempDir("accel_power_test");
  const auto path = dir / "results.json";
  std::ofstream(path) << R"({"pe": {"int8": {"lut": 1, "ff": 1, "dsp": 1}},
                              "gemm_unit": {"int8": {"lut": 9, "ff": 9, "dsp": 64}},
                              "gemm_unit_nodsp": {"int8": {"lut": 200, "ff": 100, "dsp": 0},
                                                  "qkeras": {"lut": 50, "ff": 100, "dsp": 0},
                                                  "apot": {"lut": 100, "ff": 100, "dsp": 0}}})";
  const auto synth = LoadHwSynthResults(path);
  ASSERT_TRUE(synth.has_value());
  const Board b = boards_for_tests::TestBoard();
  // Published figures win when the board has them.
  EXPECT_DOUBLE_EQ(AccelPowerFor(b, "qkeras", &*synth).resources.lut, 600);
  // apot: S + A = 1000 (int8), S + A * 50/200 = 600 (qkeras) -> A = 533.3, S = 466.7;
  // apot's array is 100/200 of INT8's -> 466.7 + 266.7 LUTs.
  const AccelPowerModel m = AccelPowerFor(b, "apot", &*synth);
  EXPECT_NEAR(m.resources.lut, 1000 - 400 / 0.75 + 400 / 0.75 * 0.5, 1e-9);
  // FF arrays are the same size in int8 and qkeras: no split possible, INT8's count is kept.
  EXPECT_DOUBLE_EQ(m.resources.ff, 2000);
  EXPECT_DOUBLE_EQ(m.resources.dsp, 10);
  EXPECT_NE(m.resource_source.find("synthesized"), std::string::npos);
  // Without synthesis results a method without published figures is an error.
  EXPECT_THROW(AccelPowerFor(b, "apot", nullptr), Error);
  EXPECT_FALSE(LoadHwSynthResults(dir / "absent.json").has_value());
}

}  // namespace
}  // namespace potacc::platform
