// Co-simulation of potacc-x's depthwise mode in the whole-accelerator RTL
// (window generators: hw/rtl/dw_window.v, dw_pixels.v; CONFIG_DW and the slab
// LOAD_INP in input_handler.v) against the C++ simulator and the CPU:
//  * every output word of every COMPUTE equals the simulator's, and the cycles
//    of every command and the per-unit counters equal the event model's;
//  * the layer through the RTL backend (random stream stalls) equals the CPU
//    reference kernel byte for byte (potacc diff).
// Shapes: strides 1, 2, 4 (pixels wrapping into the next output row at every
// bank offset), kernels 1..5, dilation 1..2, SAME and VALID padding, channel
// counts that are not a multiple of 4V, several row tiles.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "accel/potacc_x_support.h"
#include "cosim_support.h"
#include "potacc/accel/depthwise.h"
#include "potacc/accel/diff.h"
#include "potacc/platform/compare.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc::hw {
namespace {

using accel::AcceleratorConfig;
using accel::xmodes::DwShape;
using accel::xmodes::Generated;

// The Verilated potacc-x design (POTACC_RTL_CONFIGS).
constexpr const char* kDwDesign = "potacc-x-pynq-z2-apot";

struct DwLayer {
  int h, w, c, kernel, stride, dilation;
  bool same;
};

std::string Name(const DwLayer& l) {
  return std::to_string(l.h) + "x" + std::to_string(l.w) + "x" + std::to_string(l.c) + " k" +
         std::to_string(l.kernel) + " s" + std::to_string(l.stride) + " d" + std::to_string(l.dilation) +
         (l.same ? " same" : " valid");
}

Model DwModel(const DwLayer& l, uint64_t seed, const char* act = "relu6") {
  return Generated("conv", seed, DwShape(l.h, l.w, l.c, l.kernel, l.stride, l.dilation, l.same, act), "apot");
}

void CheckCommandByCommand(const AcceleratorConfig& c, const DwLayer& l, uint64_t seed) {
  SCOPED_TRACE(Name(l));
  const Model m = DwModel(l, seed);
  const accel::GemmLowering low = accel::LowerNode(m, 0);
  ASSERT_TRUE(low.refused.empty()) << low.refused;
  const accel::PreparedGemm p = accel::PrepareLayer(c, low);
  ASSERT_TRUE(p.ok()) << p.refused;
  ASSERT_TRUE(p.plan.depthwise);
  const platform::TensorBytes inputs = platform::DeterministicInputs(m, seed);
  CompareCommandByCommand(c, p, reinterpret_cast<const int8_t*>(inputs[0].data()), low.k, "rtl", true);
}

TEST(DepthwiseCosim, RandomLayersMatchTheSimulatorWordForWordAndCycleForCycle) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig(kDwDesign);
  ASSERT_TRUE(c.depthwise_mode());
  std::mt19937 rng(31);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 14; ++trial) {
    DwLayer l;
    l.kernel = pick(1, 5);
    l.stride = 1 << (trial % 3);
    l.dilation = l.kernel > 1 ? pick(1, 2) : 1;
    const int span = (l.kernel - 1) * l.dilation + 1;
    l.h = pick(span, 15);
    l.w = pick(span, 15);
    l.c = pick(1, 40);
    l.same = trial % 2 == 0;
    CheckCommandByCommand(c, l, 100 + trial);
  }
}

// MobileNetV2-like layers: 3x3 stride 1 and 2 over wide rows (the slabs of
// several output rows per tile, several row tiles per layer).
TEST(DepthwiseCosim, WideLayersInSeveralRowTiles) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig(kDwDesign);
  for (const DwLayer& l : {DwLayer{112, 112, 16, 3, 1, 1, true}, DwLayer{57, 57, 20, 3, 2, 1, true},
                           DwLayer{14, 14, 100, 3, 1, 1, true}, DwLayer{7, 7, 36, 5, 1, 1, true}}) {
    const Model m = DwModel(l, 7);
    const accel::PreparedGemm p = accel::PrepareLayer(c, accel::LowerNode(m, 0));
    ASSERT_TRUE(p.ok()) << p.refused;
    if (l.h == 112) {
      EXPECT_GT(p.plan.row_tiles(), 1) << Name(l);
    }
    CheckCommandByCommand(c, l, 7);
  }
}

// The layer end to end through the RTL backend with random stalls: the
// scattered outputs equal the CPU's DEPTHWISE_CONV_2D reference kernel.
TEST(DepthwiseCosim, LayersThroughTheRtlBackendEqualTheCpu) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig(kDwDesign);
  const char* acts[] = {"none", "relu", "relu6"};
  int i = 0;
  for (const DwLayer& l : {DwLayer{9, 11, 13, 3, 1, 1, true}, DwLayer{16, 16, 8, 3, 2, 1, true},
                           DwLayer{12, 10, 5, 5, 1, 2, false}, DwLayer{13, 13, 17, 3, 4, 1, true}}) {
    SCOPED_TRACE(Name(l));
    const Model m = DwModel(l, 40 + i, acts[i % 3]);
    const accel::DiffReport r =
        accel::DiffAgainstCpu(m, c, platform::DeterministicInputs(m, i), {}, "rtl:stall=0.1,seed=" + std::to_string(i));
    ASSERT_EQ(r.layers.size(), 1u);
    EXPECT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
    EXPECT_GT(r.accel_elements(), 0);
    EXPECT_TRUE(r.bit_exact()) << r.accel_mismatches() << " mismatches";
    ++i;
  }
}

// Every depthwise layer of the shared ImageNet APoT MobileNetV2, requantized
// as `potacc quantize --method apot --depthwise` does (real weights, scales and
// geometries: 3x3, strides 1 and 2, 112x112x32 down to 7x7x960), on random
// inputs: word for word and cycle for cycle. (`potacc diff --backend rtl` on the
// whole model: README section 8.)
TEST(DepthwiseCosim, EveryDepthwiseLayerOfTheImageNetApotMobileNetV2) {
  constexpr const char* kModel = "models/potacc/potaccAPoTmobilenet_v2_4bit.tflite";
  POTACC_REQUIRE_DATA(kModel);
  quant::RequantizeOptions options;
  options.method = &quant::MethodByName("apot");
  options.include_depthwise = true;
  const Model model = quant::RequantizeModel(LoadModel(::potacc::testing::DataPath(kModel).string()), options).model;
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig(kDwDesign);
  std::mt19937 rng(3);
  int layers = 0;
  const Subgraph& g = model.main();
  for (int node = 0; node < static_cast<int>(g.operators.size()); ++node) {
    if (g.operators[node].op() != BuiltinOp::kDepthwiseConv2D) continue;
    SCOPED_TRACE("node " + std::to_string(node));
    const accel::GemmLowering low = accel::LowerNode(model, node);
    ASSERT_TRUE(low.refused.empty()) << low.refused;
    const accel::PreparedGemm p = accel::PrepareLayer(c, low);
    ASSERT_TRUE(p.ok()) << p.refused;
    std::vector<int8_t> input(static_cast<size_t>(g.tensors.at(g.operators[node].inputs[0]).num_elements()));
    for (int8_t& v : input) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    CompareCommandByCommand(c, p, input.data(), low.k, "rtl", true);
    ++layers;
  }
  EXPECT_EQ(layers, 17);
}

}  // namespace
}  // namespace potacc::hw
