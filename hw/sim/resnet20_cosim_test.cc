// ResNet-20 layers on the RTL (default test run): three accelerated layers of
// the APoT-quantized model - a 3x3 stride-1 convolution, a stride-2 one and the
// deepest one - run through the driver on the Verilated accelerator with the
// real activations of a CIFAR-10 image, against the CPU interpreter's outputs
// (TFLite reference kernels, independent of the accelerator code). The first
// also checks every command's cycles against the event model; the others run
// with random stream stalls. The whole network is in the `slow` tests.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/lowering.h"
#include "potacc/runtime/interpreter.h"
#include "resnet20_support.h"

namespace potacc::hw {
namespace {

using testing_support::CifarInput;
using testing_support::kResnet20;
using testing_support::Resnet20;

struct LayerRun {
  int node = -1;
  int64_t m = 0, n = 0, k = 0;
  std::vector<int8_t> cpu, rtl;
  accel::PhaseCycles cycles, model_cycles;
};

// The accelerated CONV_2D nodes of the model with their GEMM shapes.
std::vector<accel::GemmLowering> AcceleratedConvs(const Model& model, const accel::AcceleratorConfig& config) {
  std::vector<accel::GemmLowering> out;
  const auto placements = accel::PlanDelegation(model, config);
  for (const auto& p : placements)
    if (p.on_accel) out.push_back(accel::LowerNode(model, p.node));
  return out;
}

LayerRun RunLayer(const Model& model, Interpreter& cpu, const accel::AcceleratorConfig& config,
                  const accel::GemmLowering& g, const std::string& backend) {
  LayerRun r;
  r.node = g.node;
  r.m = g.m;
  r.n = g.n;
  r.k = g.k;
  const Operator& op = model.main().operators.at(static_cast<size_t>(g.node));
  const auto input = cpu.tensor_bytes(op.inputs[0]);
  const auto output = cpu.tensor_bytes(op.outputs[0]);
  r.cpu.assign(reinterpret_cast<const int8_t*>(output.data()), reinterpret_cast<const int8_t*>(output.data()) + output.size());
  std::vector<int8_t> scratch;
  const int8_t* a = accel::GemmInput(g, reinterpret_cast<const int8_t*>(input.data()), &scratch);
  const accel::PreparedGemm p = accel::PrepareGemm(config, g.layer, g.m, g.act_min, g.act_max);
  EXPECT_TRUE(p.ok()) << p.refused;
  std::unique_ptr<accel::Backend> rtl = accel::MakeBackend(backend, config);
  r.rtl.assign(static_cast<size_t>(g.m * g.n), 0);
  accel::RunGemm(*rtl, p, a, g.k, r.rtl.data(), g.n);
  r.cycles = rtl->stats().cycles;
  r.model_cycles = rtl->model_stats()->cycles;
  return r;
}

TEST(Resnet20Cosim, ThreeApotLayersOnTheRtlEqualTheCpu) {
  POTACC_REQUIRE_DATA(kResnet20);
  POTACC_REQUIRE_DATA(testing_support::kCifarImages);
  const Model model = Resnet20("apot");
  const accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  Interpreter cpu(model);
  cpu.Prepare();
  cpu.SetInput(0, CifarInput(model, 0));
  cpu.Invoke();
  const std::vector<accel::GemmLowering> convs = AcceleratedConvs(model, config);
  ASSERT_GE(convs.size(), 10u);
  // A stride-1 3x3 conv of the first stage, the first stride-2 conv, the deepest conv.
  const accel::GemmLowering* first = &convs.front();
  const accel::GemmLowering* strided = nullptr;
  const accel::GemmLowering* deepest = &convs.front();
  for (const auto& g : convs) {
    if (!strided && g.m < first->m) strided = &g;
    if (g.k > deepest->k) deepest = &g;
  }
  ASSERT_NE(strided, nullptr);
  struct Case {
    const accel::GemmLowering* g;
    const char* backend;
  };
  for (const Case& c : {Case{first, "rtl"}, Case{strided, "rtl:stall=0.2,seed=11"}, Case{deepest, "rtl:stall=0.2,seed=12"}}) {
    const LayerRun r = RunLayer(model, cpu, config, *c.g, c.backend);
    SCOPED_TRACE("node " + std::to_string(r.node) + " " + std::to_string(r.m) + "x" + std::to_string(r.n) + "x" +
                 std::to_string(r.k) + " on " + c.backend);
    int64_t mismatches = 0;
    for (size_t i = 0; i < r.cpu.size(); ++i) mismatches += r.cpu[i] != r.rtl[i];
    EXPECT_EQ(mismatches, 0) << "of " << r.cpu.size() << " outputs";
    if (std::string(c.backend) == "rtl") {
      EXPECT_EQ(r.cycles.compute, r.model_cycles.compute);
      EXPECT_EQ(r.cycles.total(), r.model_cycles.total());
    } else {
      EXPECT_GT(r.cycles.total(), r.model_cycles.total());  // the stalls cost cycles
    }
  }
}

}  // namespace
}  // namespace potacc::hw
