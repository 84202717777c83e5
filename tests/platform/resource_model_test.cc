// The resource model of a design point: block-RAM geometry by hand, the fit of
// the published designs and its residuals, the reference buffers reproducing
// the published block-RAM / URAM counts, scaling with units and modes, and
// the device-fit check.
#include "potacc/platform/resource_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "potacc/error.h"

namespace potacc::platform {
namespace {

HwSynthResults Synth() {
  auto s = LoadHwSynthResults(DefaultHwSynthResultsPath());
  EXPECT_TRUE(s.has_value());
  return *s;
}

TEST(ResourceModel, BlockRamGeometryByHand) {
  // 4096 x 64 bit: 512x72 RAMB36 -> 1 wide x 8 deep.
  EXPECT_EQ(BlockRamTiles(64, 4096), 8);
  // 8192 x 32 bit: 8Kx4 -> 8 wide.
  EXPECT_EQ(BlockRamTiles(32, 8192), 8);
  // 16384 x 32: 16Kx2 -> 16.
  EXPECT_EQ(BlockRamTiles(32, 16384), 16);
  // A small memory fits half a tile (one RAMB18, 512x36).
  EXPECT_EQ(BlockRamTiles(32, 512), 0.5);
  EXPECT_EQ(BlockRamTiles(0, 100), 0);
  // URAM288 is 4K x 72.
  EXPECT_EQ(UramBlocks(64, 24576), 6);
  EXPECT_EQ(UramBlocks(64, 4096), 1);
  EXPECT_EQ(UramBlocks(144, 4097), 4);
}

TEST(ResourceModel, FitsThePublishedDesignsWithinSixPercent) {
  for (const char* name : {"pynq-z2", "kv260"}) {
    const Board b = LoadBoard(name);
    const ResourceCalibration cal = CalibrateResources(b, Synth());
    EXPECT_GT(cal.alpha_lut, 0.1);  // Vivado maps the arrays smaller than Yosys
    EXPECT_LT(cal.alpha_lut, 1.0);
    ASSERT_EQ(cal.lut_check.size(), 4u);
    for (const auto& [method, pm] : cal.lut_check)
      EXPECT_LT(std::fabs(pm.second - pm.first) / pm.first, 0.06) << name << " " << method;
    // The reference designs' own configuration reproduces the published memories.
    for (const char* method : {"qkeras", "int8", "apot"}) {
      const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig(method, name);
      const ResourceEstimate e = EstimateResources(c, b, Synth(), cal);
      const Resources& pub = b.power.published_resources.at(method);
      // Calibrated on QKeras; the published INT8 build on PYNQ-Z2 has 2 tiles more (120).
      EXPECT_NEAR(e.ip.bram, pub.bram, std::string(method) == "int8" ? 2 : 0) << name << " " << method;
      EXPECT_EQ(e.ip.uram, pub.uram) << name << " " << method;
      EXPECT_EQ(e.ip.dsp, pub.dsp) << name << " " << method;
      EXPECT_TRUE(CheckFit(e, DeviceOfBoard(b)).fits) << name << " " << method;
    }
  }
}

TEST(ResourceModel, FixedShellFractionIsTheCrossBoardFit) {
  // devices.json states f; re-derive it from the two boards' LUT intercepts:
  // shell(V) = F + V*S, f = F / shell(4).
  const auto synth = Synth();
  const ResourceCalibration z2 = CalibrateResources(LoadBoard("pynq-z2"), synth);
  const ResourceCalibration kria = CalibrateResources(LoadBoard("kv260"), synth);
  const double S = (kria.shell_lut - z2.shell_lut) / (kria.v0 - z2.v0);
  const double F = z2.shell_lut - z2.v0 * S;
  EXPECT_NEAR(F / z2.shell_lut, z2.fixed_fraction, 0.005);
}

TEST(ResourceModel, ScalesWithUnitsBuffersAndModes) {
  const Board b = LoadBoard("pynq-z2");
  const auto synth = Synth();
  const ResourceCalibration cal = CalibrateResources(b, synth);
  accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const ResourceEstimate base = EstimateResources(c, b, synth, cal);
  accel::AcceleratorConfig two = c;
  two.units = 2;
  const ResourceEstimate e2 = EstimateResources(two, b, synth, cal);
  EXPECT_LT(e2.ip.lut, base.ip.lut);
  EXPECT_EQ(base.ip.bram - e2.ip.bram, 2 * (8 + 8));  // two units' weight + local input buffers
  accel::AcceleratorConfig small = c;
  small.buffers.weight_addresses = 1024;
  EXPECT_EQ(base.ip.bram - EstimateResources(small, b, synth, cal).ip.bram, 4 * (8 - 2));
  accel::AcceleratorConfig dw = c;
  dw.accepted_ops.push_back(BuiltinOp::kDepthwiseConv2D);
  const ResourceEstimate ed = EstimateResources(dw, b, synth, cal);
  EXPECT_GT(ed.ip.lut, base.ip.lut + 4 * 2500);  // the synthesized window generator (devices.json)
  // The window generator's slab buffer: 4 lane copies x 4 banks of 32-bit words
  // (hw/rtl/dw_window.v) instead of two 64-bit banks: 16 x 2 vs 2 x 4 RAMB36 per unit at 2048 lines.
  EXPECT_EQ(BlockRamTiles(32, 2048), 2);
  EXPECT_EQ(ed.ip.bram - base.ip.bram, 4 * (16 * 2 - 2 * 4));
  EXPECT_EQ(ed.ip.dsp - base.ip.dsp, 6);
  accel::AcceleratorConfig split = c;
  split.modes[accel::kModeDepthSplit] = 1;
  split.buffers.psum_entries = 64;  // distributed RAM: LUTs, no block RAM
  const ResourceEstimate es = EstimateResources(split, b, synth, cal);
  EXPECT_EQ(es.ip.bram, base.ip.bram);
  EXPECT_GT(es.ip.lut, base.ip.lut + 4 * (300 + 683));  // logic + RAM64M distributed RAM
  split.buffers.psum_entries = 256;  // 512-bit wide block RAM
  EXPECT_EQ(EstimateResources(split, b, synth, cal).ip.bram, base.ip.bram + 4 * BlockRamTiles(512, 256));
  EXPECT_EQ(BlockRamTiles(512, 256), 7.5);  // 15 RAMB18 (512 x 36) beat 8 RAMB36
  // Eight units at the reference buffers need more block RAM than the xc7z020 has.
  accel::AcceleratorConfig eight = c;
  eight.units = 8;
  const FitCheck f = CheckFit(EstimateResources(eight, b, synth, cal), DeviceOfBoard(b));
  EXPECT_FALSE(f.fits);
  EXPECT_EQ(f.limit, "bram");
  EXPECT_GT(f.utilization.at("bram"), 1.0);
}

TEST(ResourceModel, UnknownDeviceIsAClearError) {
  Board b = LoadBoard("pynq-z2");
  b.json["fpga"]["device"] = "xc9z999";
  try {
    DeviceOfBoard(b);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("xc9z999"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("xc7z020"), std::string::npos);
  }
}

}  // namespace
}  // namespace potacc::platform
