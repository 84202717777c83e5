#include "potacc/platform/synthetic.h"

#include <gtest/gtest.h>

#include <map>

#include "potacc/quant/method.h"

namespace potacc::platform {
namespace {

TEST(Synthetic, GemmWeightsLieOnTheMethodGrid) {
  const Model m = MakeSyntheticGemm(8, 8, 32, "apot");
  const auto& g = m.main();
  ASSERT_EQ(g.operators.size(), 1u);
  const auto* data = ConstantData(m, g.tensors[g.operators[0].inputs[1]]);
  ASSERT_NE(data, nullptr);
  for (uint8_t b : *data) EXPECT_TRUE(quant::MethodByName("apot").OnGrid(static_cast<int8_t>(b)));
  EXPECT_EQ(g.tensors[g.inputs[0]].shape, (std::vector<int32_t>{1, 8, 1, 32}));
}

// Reference §4.2: compute cycles are identical for the shift and INT8 designs;
// INT8 needs twice the weight-load beats.
TEST(Synthetic, ComputeCyclesAreTheSameForEveryPe) {
  SyntheticOptions o;
  o.m = {32};
  o.n = {64};
  o.k = {256};
  o.compare.board = LoadBoard("pynq-z2");
  o.compare.use_synth_resources = false;
  const auto rows = RunSynthetic(o);
  ASSERT_EQ(rows.size(), 5u);
  std::map<std::string, SyntheticRow> by_pe;
  for (const auto& r : rows) by_pe[r.pe] = r;
  for (const auto& [pe, r] : by_pe) {
    EXPECT_EQ(r.compute_cycles, by_pe["qkeras"].compute_cycles) << pe;
    EXPECT_GT(r.accel_cycles, r.compute_cycles);
    EXPECT_GT(r.latency_ms, r.accel_cycles / 200e6 * 1e3);  // host work and DMA set-up add to it
    EXPECT_GT(r.energy_mj, 0);
  }
  EXPECT_GT(by_pe["int8"].accel_cycles, by_pe["qkeras"].accel_cycles);
  const std::string csv = SyntheticToCsv(rows);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  const auto chart = SyntheticChart(rows, "pynq-z2");
  ASSERT_EQ(chart.groups.size(), 1u);
  EXPECT_EQ(chart.groups[0].values.size(), 5u);
}

}  // namespace
}  // namespace potacc::platform
