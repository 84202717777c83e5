// Simulating whole models on the accelerator: outputs (every layer through the
// PE arithmetic) and cycle counts, one inference per iteration, one core.
// Targets (docs/accelerator.md): ImageNet APoT MobileNetV2 < 1 s, CIFAR-10
// ResNet-20 < 0.1 s. Needs ../shared/data (skips otherwise), except the
// generated DeiT-tiny.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>

#include "potacc/accel/delegate.h"
#include "potacc/accel/driver.h"
#include "potacc/quant/requantize.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/source_tree.h"

namespace {

using namespace potacc;

std::string DataPath(const std::string& rel) {
  const char* env = std::getenv("POTACC_DATA");
  return (env && *env ? std::filesystem::path(env) : DefaultDataDir()).string() + "/" + rel;
}

std::vector<uint8_t> RandomInput(const Tensor& t) {
  std::mt19937 rng(42);
  std::vector<uint8_t> bytes(static_cast<size_t>(t.num_elements() * DataTypeSize(t.type)));
  if (t.type == DataType::kFloat32) {
    auto* f = reinterpret_cast<float*>(bytes.data());
    for (int64_t i = 0; i < t.num_elements(); ++i) f[i] = std::uniform_real_distribution<float>(-2, 2)(rng);
  } else {
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  }
  return bytes;
}

// config empty = CPU only.
void RunLoadedModel(benchmark::State& state, const Model& model, const std::string& config) {
  std::unique_ptr<accel::AcceleratorDelegate> delegate;
  Interpreter interp(model);
  if (!config.empty()) {
    delegate = std::make_unique<accel::AcceleratorDelegate>(model, accel::ResolveAcceleratorConfig(config));
    delegate->Install(interp);
  }
  interp.Prepare();
  const auto input = RandomInput(interp.tensor(interp.input_tensor(0)));
  interp.SetInput(0, input);
  for (auto _ : state) {
    interp.Invoke();
    benchmark::DoNotOptimize(interp.Output(0).data());
  }
  if (delegate) {
    const auto& run = delegate->run();
    state.counters["accel_layers"] = run.accel_layers();
    state.counters["accel_cycles"] = static_cast<double>(run.total_cycles().total());
    state.counters["accel_ms"] = 1e3 * run.seconds(run.total_cycles().total());
    state.counters["GMAC"] = static_cast<double>(run.total_accel_macs()) / 1e9;
  }
}

void RunModel(benchmark::State& state, const std::string& model_rel, const std::string& config) {
  const std::string path = DataPath(model_rel);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  RunLoadedModel(state, LoadModel(path), config);
}

// The generated DeiT-tiny (224x224) on potacc-hls: its 73 FULLY_CONNECTED
// layers (and the patch CONV_2D) on the accelerator, the rest on the CPU.
// arg 0: int8 baseline on the model as generated; 1: qkeras on the model
// requantized onto the qkeras grid (`potacc quantize --method qkeras
// --top-level merge-bottom`).
void BM_DeitTiny_Hls(benchmark::State& state) {
  const bool qkeras = state.range(0) != 0;
  Model model = Generate("deit-tiny", 1);
  if (qkeras) {
    quant::RequantizeOptions ro;
    ro.method = &quant::MethodByName("qkeras");
    ro.channel.top_level = quant::TopLevelPolicy::kMergeBottom;
    model = quant::RequantizeModel(model, ro).model;
  }
  RunLoadedModel(state, model, qkeras ? "potacc-hls-pynq-z2-qkeras" : "potacc-hls-pynq-z2-int8");
}
BENCHMARK(BM_DeitTiny_Hls)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// One whole-model benchmark: the model under ../shared/data and the
// accelerator config ("" = CPU only). The shipped PoTAcc models hold the int8
// APoT grid (not potacc's integer levels), so the shift accelerator runs them
// with the released v12 host encoder, exactly as the reference delegate does.
struct ModelBench {
  const char* name;
  const char* model;
  const char* config;
};
constexpr const char* kMobileNetV2Apot = "models/potacc/potaccAPoTmobilenet_v2_4bit.tflite";
constexpr const char* kResNet20Apot = "models/potacc/potaccAPoT_res20_4bit.tflite";
constexpr ModelBench kModelBenches[] = {
    {"BM_MobileNetV2_ImageNet_Apot", kMobileNetV2Apot, "potacc-v12released-pynq-z2-apot"},
    {"BM_MobileNetV2_ImageNet_Apot_Kria", kMobileNetV2Apot, "potacc-v12released-kv260-apot"},
    {"BM_MobileNetV2_ImageNet_Int8", "models/potacc/potacc_benchmark_mobilenetv2.tflite",
     "potacc-v12-pynq-z2-int8"},
    {"BM_MobileNetV2_ImageNet_CpuOnly", kMobileNetV2Apot, ""},
    {"BM_ResNet20_Cifar_Apot", kResNet20Apot, "potacc-v12released-pynq-z2-apot"},
    {"BM_ResNet20_Cifar_Int8", kResNet20Apot, "potacc-v12-pynq-z2-int8"},
    {"BM_ResNet20_Cifar_CpuOnly", kResNet20Apot, ""},
};

[[maybe_unused]] const bool kModelBenchesRegistered = [] {
  for (const ModelBench& b : kModelBenches) {
    benchmark::RegisterBenchmark(b.name, [b](benchmark::State& s) { RunModel(s, b.model, b.config); })
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

// Timing only (no data): the cycle model of one big GEMM.
void BM_TimingOnly_ResNet18Layer(benchmark::State& state) {
  const auto c = accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot");
  const auto plan = accel::PlanTiles(c, 784, 128, 1152);
  for (auto _ : state) benchmark::DoNotOptimize(accel::EstimateGemmCycles(c, plan).total());
}

BENCHMARK(BM_TimingOnly_ResNet18Layer)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
