// One ResNet-20 inference with the accelerated layers on the Verilated
// whole-accelerator RTL (the rtl backend), the model quantized with each
// method as `potacc quantize --method M` does (int8: unmodified), PYNQ-Z2
// configuration. Reports the accelerator cycles simulated and their rate.
//   build/hw/rtl_bench [--benchmark_filter=apot]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "potacc/accel/delegate.h"
#include "potacc/runtime/interpreter.h"
#include "resnet20_support.h"

namespace {

using namespace potacc;

void BM_Resnet20OnRtl(benchmark::State& state, const std::string& method) {
  if (!std::filesystem::exists(potacc::testing::DataPath(hw::testing_support::kResnet20))) {
    state.SkipWithError("shared data not found (set POTACC_DATA)");
    return;
  }
  const Model model = hw::testing_support::Resnet20(method);
  accel::AcceleratorDelegate delegate(model, accel::ResolveAcceleratorConfig(method, "pynq-z2"), "rtl");
  Interpreter interp(model);
  delegate.Install(interp);
  interp.Prepare();
  interp.SetInput(0, hw::testing_support::CifarInput(model, 0));
  int64_t cycles = 0;
  for (auto _ : state) {
    interp.Invoke();
    cycles += delegate.run().total_cycles().total();
  }
  state.counters["accel_cycles"] = benchmark::Counter(static_cast<double>(cycles) / state.iterations());
  state.counters["cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Resnet20OnRtl, apot, std::string("apot"))->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Resnet20OnRtl, qkeras, std::string("qkeras"))->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Resnet20OnRtl, msq, std::string("msq"))->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Resnet20OnRtl, int8, std::string("int8"))->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
