// Data-free timing (EstimateAccelRun): the same placement, cycles, host work
// and stream bytes per layer as a real run of the delegate, for the reference
// designs and every potacc-x mode.
#include <gtest/gtest.h>

#include "accel/potacc_x_support.h"
#include "potacc/accel/delegate.h"
#include "potacc/platform/compare.h"

namespace potacc::accel {
namespace {

using xmodes::QuantizedFor;
using xmodes::WithModes;

void ExpectSameRun(const AccelRun& est, const AccelRun& run, const std::string& what) {
  ASSERT_EQ(est.layers.size(), run.layers.size()) << what;
  EXPECT_EQ(est.host_overlap, run.host_overlap) << what;
  for (size_t i = 0; i < run.layers.size(); ++i) {
    const LayerStats &e = est.layers[i], &r = run.layers[i];
    const std::string at = what + " node " + std::to_string(i) + " " + r.op;
    ASSERT_EQ(e.device, r.device) << at << ": " << e.reason << " | " << r.reason;
    EXPECT_EQ(e.reason, r.reason) << at;
    if (r.device != "accel") continue;
    EXPECT_EQ(e.cycles.total(), r.cycles.total()) << at;
    EXPECT_EQ(e.cycles.compute, r.cycles.compute) << at;
    EXPECT_EQ(e.cycles.load_input, r.cycles.load_input) << at;
    EXPECT_EQ(e.cycles.load_weights, r.cycles.load_weights) << at;
    EXPECT_EQ(e.cycles.output_beats, r.cycles.output_beats) << at;
    EXPECT_EQ(e.host.input_pack_bytes, r.host.input_pack_bytes) << at;
    EXPECT_EQ(e.host.output_scatter_bytes, r.host.output_scatter_bytes) << at;
    EXPECT_EQ(e.host.im2col_bytes, r.host.im2col_bytes) << at;
    EXPECT_EQ(e.host.commands, r.host.commands) << at;
    EXPECT_EQ(e.host.dma_transfers, r.host.dma_transfers) << at;
    EXPECT_EQ(e.host.weight_copy_bytes, r.host.weight_copy_bytes) << at;
    EXPECT_EQ(e.bytes_to_accel, r.bytes_to_accel) << at;
    EXPECT_EQ(e.bytes_from_accel, r.bytes_from_accel) << at;
    EXPECT_EQ(e.k_chunks, r.k_chunks) << at;
    ASSERT_EQ(e.units.size(), r.units.size()) << at;
    for (size_t u = 0; u < r.units.size(); ++u) EXPECT_EQ(e.units[u].pe_busy, r.units[u].pe_busy) << at;
  }
}

AccelRun Simulated(const Model& m, const AcceleratorConfig& c) {
  return platform::SimulateAccelerator(m, c, platform::DeterministicInputs(m), false).run;
}

TEST(Estimate, EqualsASimulatedRunOnEveryMode) {
  const Model cnn = Generate("cnn", 4);  // conv, depthwise, FC, pools
  const Model r20 = Generate("resnet20", 4);
  for (const char* method : {"qkeras", "int8"}) {
    const Model q = QuantizedFor(cnn, method), q20 = QuantizedFor(r20, method);
    std::vector<AcceleratorConfig> configs = {ResolveAcceleratorConfig(method, "pynq-z2"),
                                              WithModes(method, "pynq-z2", true, false),
                                              WithModes(method, "kv260", true, true, 8)};
    AcceleratorConfig all = WithModes(method, "pynq-z2", true, true, 16);
    all.accepted_ops.push_back(BuiltinOp::kFullyConnected);
    all.modes[kModeWeightPreload] = 0;
    all.modes[kModeHostOverlap] = 1;
    all.buffers.weight_addresses = 64;  // depth split on ordinary layers
    all.buffers.local_input_addresses = 48;
    configs.push_back(all);
    for (const AcceleratorConfig& c : configs) {
      ExpectSameRun(EstimateAccelRun(q, c), Simulated(q, c), std::string("cnn ") + c.name);
      ExpectSameRun(EstimateAccelRun(q20, c), Simulated(q20, c), std::string("resnet20 ") + c.name);
    }
  }
}

TEST(Estimate, ModesChangeWhatRuns) {
  const Model q = QuantizedFor(Generate("cnn", 4), "apot");
  const AccelRun ref = EstimateAccelRun(q, ResolveAcceleratorConfig("apot", "pynq-z2"));
  const AccelRun dw = EstimateAccelRun(q, WithModes("apot", "pynq-z2", true, false));
  EXPECT_GT(dw.accel_layers(), ref.accel_layers());
  AcceleratorConfig no_preload = ResolveAcceleratorConfig("apot", "pynq-z2");
  no_preload.modes[kModeWeightPreload] = 0;
  EXPECT_GT(EstimateAccelRun(q, no_preload).total_host().weight_copy_bytes, 0);
  EXPECT_EQ(ref.total_host().weight_copy_bytes, 0);
}

}  // namespace
}  // namespace potacc::accel
