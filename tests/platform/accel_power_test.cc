#include "potacc/platform/accel_power.h"

#include <gtest/gtest.h>

#include <fstream>

#include "potacc/error.h"
#include "support/data_dir.h"
#include "test_board.h"

namespace potacc::platform {
namespace {

TEST(AccelPower, FromPublishedResources) {
  const Board b = testing::TestBoard();
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

TEST(AccelPower, SynthesizedUnitsReplaceTheArray) {
  const auto dir = potacc::testing::TempDir("accel_power_test");
  const auto path = dir / "results.json";
  std::ofstream(path) << R"({"pe": {"int8": {"lut": 1, "ff": 1, "dsp": 0}},
                              "gemm_unit": {"int8": {"lut": 200, "ff": 100, "dsp": 2},
                                            "qkeras": {"lut": 50, "ff": 100, "dsp": 0}}})";
  const auto synth = LoadHwSynthResults(path);
  ASSERT_TRUE(synth.has_value());
  const AccelPowerModel m = AccelPowerFor(testing::TestBoard(), "qkeras", &*synth);
  // published INT8 shell (1000 - 4 x 200 LUT) + 4 x 50 LUT
  EXPECT_DOUBLE_EQ(m.resources.lut, 1000 - 800 + 200);
  EXPECT_DOUBLE_EQ(m.resources.ff, 2000 - 400 + 400);
  EXPECT_DOUBLE_EQ(m.resources.dsp, 10 - 8 + 0);
  EXPECT_NE(m.resource_source.find("synthesized"), std::string::npos);
  EXPECT_FALSE(LoadHwSynthResults(dir / "absent.json").has_value());
}

}  // namespace
}  // namespace potacc::platform
