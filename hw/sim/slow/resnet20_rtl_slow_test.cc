// The whole ResNet-20 on the RTL (CTest label `slow`; `ctest -L slow`): every
// accelerated layer of the model quantized with qkeras, apot and msq, and of
// the unmodified int8 model on the INT8 baseline, through `potacc diff`'s
// comparison (each node end to end and each accelerated layer alone against
// the TFLite reference GEMM) with random stream stalls on; and the APoT model
// without stalls, whose cycles must equal the event model's.
#include <gtest/gtest.h>

#include "potacc/accel/delegate.h"
#include "potacc/accel/diff.h"
#include "potacc/runtime/interpreter.h"
#include "resnet20_support.h"

namespace potacc::hw {
namespace {

using testing_support::CifarInput;
using testing_support::kResnet20;
using testing_support::Resnet20;

class Resnet20Rtl : public ::testing::TestWithParam<const char*> {};

TEST_P(Resnet20Rtl, WholeNetworkBitExactWithStalls) {
  POTACC_REQUIRE_DATA(kResnet20);
  POTACC_REQUIRE_DATA(testing_support::kCifarImages);
  const std::string method = GetParam();
  const Model model = Resnet20(method);
  const accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig(method, "pynq-z2");
  const accel::DiffReport r =
      accel::DiffAgainstCpu(model, config, {CifarInput(model, 0)}, {}, "rtl:stall=0.2,seed=5");
  EXPECT_EQ(r.backend, "rtl");
  EXPECT_GE(r.accel_elements(), 100000) << "accelerated outputs";
  EXPECT_EQ(r.accel_mismatches(), 0);
  EXPECT_EQ(r.end_to_end_mismatches(), 0);
  EXPECT_TRUE(r.bit_exact());
}

INSTANTIATE_TEST_SUITE_P(Methods, Resnet20Rtl, ::testing::Values("qkeras", "apot", "msq", "int8"));

TEST(Resnet20RtlCycles, WholeApotNetworkTakesTheEventModelsCycles) {
  POTACC_REQUIRE_DATA(kResnet20);
  POTACC_REQUIRE_DATA(testing_support::kCifarImages);
  const Model model = Resnet20("apot");
  accel::AcceleratorDelegate delegate(model, accel::ResolveAcceleratorConfig("apot", "pynq-z2"), "rtl");
  Interpreter interp(model);
  delegate.Install(interp);
  interp.Prepare();
  interp.SetInput(0, CifarInput(model, 1));
  interp.Invoke();
  int layers = 0;
  for (const accel::LayerStats& l : delegate.run().layers) {
    if (l.device != "accel") continue;
    ++layers;
    ASSERT_TRUE(l.has_model_cycles);
    EXPECT_EQ(l.cycles.compute, l.model_cycles.compute) << "node " << l.node;
    EXPECT_EQ(l.cycles.total(), l.model_cycles.total()) << "node " << l.node;
    EXPECT_EQ(l.cycles.post_drain, l.model_cycles.post_drain) << "node " << l.node;
  }
  EXPECT_GE(layers, 18);
}

}  // namespace
}  // namespace potacc::hw
