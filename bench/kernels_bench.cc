// Google Benchmark of the int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
// kernels on the layer shapes of ImageNet MobileNetV2 (224x224, width 1.0).
//
//   BM_MobileNetV2AllLayers/<isa>   every conv/dw/FC layer once, in order: the
//                                   proxy for one inference's conv work
//   BM_Layer/<index>/<isa>          one layer (index into the table printed by --v)
//   BM_ConvReference/...            the readable reference, for the speed-up
//
// isa: 0 = portable C++, 1 = AVX2, 2 = AVX-VNNI, 3 = AVX-512 VNNI (the
// values of kernels::Isa; skipped when the CPU lacks them).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/conv_2d.h"
#include "potacc/kernels/depthwise_conv_2d.h"
#include "potacc/kernels/fully_connected.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/source_tree.h"

namespace {

using namespace potacc;
using namespace potacc::kernels;

enum class Kind { kConv, kDepthwise, kFullyConnected };

struct LayerSpec {
  Kind kind;
  int size;  // input height = width
  int in_c, out_c, filter, stride;
};

std::vector<LayerSpec> MobileNetV2() {
  std::vector<LayerSpec> l;
  l.push_back({Kind::kConv, 224, 3, 32, 3, 2});
  l.push_back({Kind::kDepthwise, 112, 32, 32, 3, 1});
  l.push_back({Kind::kConv, 112, 32, 16, 1, 1});
  int cin = 16, r = 112;
  const int blocks[][3] = {{24, 2, 2}, {32, 3, 2}, {64, 4, 2}, {96, 3, 1}, {160, 3, 2}, {320, 1, 1}};
  for (const auto& b : blocks) {
    for (int i = 0; i < b[1]; ++i) {
      const int stride = i == 0 ? b[2] : 1;
      const int e = cin * 6;
      l.push_back({Kind::kConv, r, cin, e, 1, 1});
      l.push_back({Kind::kDepthwise, r, e, e, 3, stride});
      r = (r + stride - 1) / stride;
      l.push_back({Kind::kConv, r, e, b[0], 1, 1});
      cin = b[0];
    }
  }
  l.push_back({Kind::kConv, 7, 320, 1280, 1, 1});
  l.push_back({Kind::kFullyConnected, 1, 1280, 1000, 1, 1});
  return l;
}

// One prepared layer: random int8 data, realistic per-channel multipliers,
// weights packed once (as the registered kernel does in Prepare).
struct Layer {
  LayerSpec spec;
  ConvShape shape;
  std::vector<int8_t> input, filter, output;
  std::vector<int32_t> bias, multiplier;
  std::vector<int> shift;
  Int8Params q;
  std::map<Isa, PackedWeightsInt8> packed;  // per ISA, packed on first use
  PackedDepthwiseInt8 depthwise;
  int64_t macs = 0;

  explicit Layer(const LayerSpec& s, std::mt19937& rng) : spec(s) {
    std::uniform_int_distribution<int> d8(-128, 127), dbias(-5000, 5000);
    std::uniform_real_distribution<double> dm(std::log(2e-3), std::log(5e-2));
    shape.in_h = shape.in_w = s.size;
    shape.in_c = s.in_c;
    shape.out_c = s.out_c;
    shape.filter_h = shape.filter_w = s.filter;
    shape.stride_h = shape.stride_w = s.stride;
    ResolvePadding(shape, Padding::kSame);
    const int taps = s.kind == Kind::kDepthwise ? s.filter * s.filter : shape.depth();
    input.resize(static_cast<size_t>(s.size) * s.size * s.in_c);
    filter.resize(static_cast<size_t>(taps) * s.out_c);
    output.resize(static_cast<size_t>(shape.rows()) * s.out_c);
    for (auto& v : input) v = static_cast<int8_t>(d8(rng));
    for (auto& v : filter) v = static_cast<int8_t>(d8(rng) | 1);
    bias.resize(s.out_c);
    multiplier.resize(s.out_c);
    shift.resize(s.out_c);
    for (int c = 0; c < s.out_c; ++c) {
      bias[c] = dbias(rng);
      fixed_point::QuantizeMultiplier(std::exp(dm(rng)), &multiplier[c], &shift[c]);
    }
    q.input_offset = 128;  // zero point -128, as after a ReLU6
    q.output_zero_point = -128;
    q.multiplier = multiplier.data();
    q.shift = shift.data();
    if (s.kind == Kind::kFullyConnected) {
      macs = int64_t{s.in_c} * s.out_c;
    } else if (s.kind == Kind::kConv) {
      macs = shape.rows() * shape.depth() * s.out_c;
    } else {
      depthwise = PackedDepthwiseInt8(shape, q, filter.data(), bias.data());
      macs = shape.rows() * taps * s.out_c;
    }
  }

  const PackedWeightsInt8& Packed(Isa isa) {
    auto it = packed.find(isa);
    if (it == packed.end()) {
      const int k = spec.kind == Kind::kFullyConnected ? spec.in_c : shape.depth();
      it = packed.emplace(isa, PackedWeightsInt8(filter.data(), spec.out_c, k, bias.data(), q, isa)).first;
    }
    return it->second;
  }

  void Run(Isa isa) {
    switch (spec.kind) {
      case Kind::kConv:
        ConvInt8(shape, q, Packed(isa), input.data(), output.data(), isa);
        break;
      case Kind::kDepthwise:
        DepthwiseConvInt8(shape, q, depthwise, input.data(), output.data(), isa);
        break;
      case Kind::kFullyConnected:
        FullyConnectedInt8({1, spec.in_c, spec.out_c}, q, Packed(isa), input.data(), output.data(), isa);
        break;
    }
  }

  std::string Name() const {
    const char* k = spec.kind == Kind::kConv ? "conv" : spec.kind == Kind::kDepthwise ? "dw" : "fc";
    return std::string(k) + std::to_string(spec.filter) + "x" + std::to_string(spec.filter) + "/s" +
           std::to_string(spec.stride) + " " + std::to_string(spec.size) + "x" +
           std::to_string(spec.size) + "x" + std::to_string(spec.in_c) + "->" +
           std::to_string(spec.out_c);
  }
};

std::vector<std::unique_ptr<Layer>>& Layers() {
  static std::vector<std::unique_ptr<Layer>> layers = [] {
    std::mt19937 rng(2024);
    std::vector<std::unique_ptr<Layer>> v;
    for (const LayerSpec& s : MobileNetV2()) v.push_back(std::make_unique<Layer>(s, rng));
    return v;
  }();
  return layers;
}

bool SkipIsa(benchmark::State& state, Isa isa) {
  if (!IsaSupported(isa)) {
    state.SkipWithError((std::string("CPU lacks ") + IsaName(isa)).c_str());
    return true;
  }
  return false;
}

void BM_MobileNetV2AllLayers(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (SkipIsa(state, isa)) return;
  int64_t macs = 0;
  for (auto& l : Layers()) macs += l->macs;
  for (auto _ : state) {
    for (auto& l : Layers()) l->Run(isa);
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(macs) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(IsaName(isa)) + ", " + std::to_string(Layers().size()) + " layers, " +
                 std::to_string(macs / 1000000) + " M MACs");
}
BENCHMARK(BM_MobileNetV2AllLayers)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_Layer(benchmark::State& state) {
  Layer& l = *Layers().at(state.range(0));
  const Isa isa = static_cast<Isa>(state.range(1));
  if (SkipIsa(state, isa)) return;
  for (auto _ : state) {
    l.Run(isa);
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(l.macs) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(l.Name());
}
BENCHMARK(BM_Layer)
    ->ArgsProduct({benchmark::CreateDenseRange(0, static_cast<int>(MobileNetV2().size()) - 1, 1), {1, 3}})
    ->Unit(benchmark::kMicrosecond);

// The readable reference on a few representative layers (slow: for the ratio only).
void BM_ConvReference(benchmark::State& state) {
  Layer& l = *Layers().at(state.range(0));
  for (auto _ : state) {
    if (l.spec.kind == Kind::kDepthwise) {
      DepthwiseConvInt8Reference(l.shape, l.q, l.input.data(), l.filter.data(), l.bias.data(),
                                 l.output.data());
    } else {
      ConvInt8Reference(l.shape, l.q, l.input.data(), l.filter.data(), l.bias.data(), l.output.data());
    }
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(l.macs) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(l.Name() + " (reference)");
}
// 0: first conv, 1: first depthwise, 3: first expand 1x1
BENCHMARK(BM_ConvReference)->Arg(0)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

// A whole model through the Interpreter on a uniform random float input in
// [lo, hi), with the time per operator type as counters (ms per inference).
void TimeModel(benchmark::State& state, const Model& model, float lo, float hi, Isa isa, int threads) {
  Interpreter interp(model);
  interp.SetIsa(isa);
  interp.SetThreads(threads);
  interp.Prepare();
  auto in = interp.tensor_data<float>(interp.input_tensor(0));
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& v : in) v = d(rng);
  std::map<std::string, double> per_op;
  for (auto _ : state) {
    interp.Invoke();
    const auto& ops = model.main().operators;
    for (size_t n = 0; n < ops.size(); ++n) per_op[BuiltinOpName(ops[n].builtin)] += interp.node_seconds()[n];
  }
  for (const auto& [op, seconds] : per_op) {
    state.counters[op + "_ms"] = seconds * 1e3 / static_cast<double>(state.iterations());
  }
  state.SetLabel(std::string("isa ") + IsaName(isa) + ", " + std::to_string(interp.threads()) + " thread(s)");
}

// The whole int8 MobileNetV2 (shared data). Args: isa, threads.
void BM_MobileNetV2Model(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (SkipIsa(state, isa)) return;
  const char* env = std::getenv("POTACC_DATA");
  const std::filesystem::path path = (env && *env ? std::filesystem::path(env) : DefaultDataDir()) /
                                     "models/potacc/potacc_benchmark_mobilenetv2.tflite";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("model not found: " + path.string()).c_str());
    return;
  }
  TimeModel(state, LoadModel(path.string()), 0.0f, 1.0f, isa, static_cast<int>(state.range(1)));
}
BENCHMARK(BM_MobileNetV2Model)
    ->Args({3, 1})
    ->Args({2, 1})
    ->Args({1, 1})
    ->Args({3, 2})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// The generated int8 DeiT-tiny (`potacc gen deit-tiny`, 224x224) on a
// normalised-image-like input; arg 0: the default GELU form (MUL/ADD/TANH),
// arg 1: the GELU operator (--gelu exact).
void BM_DeitTinyModel(benchmark::State& state) {
  const Model model = Generate("deit-tiny", 1, {{"gelu", state.range(0) ? "exact" : "tanh-ops"}});
  TimeModel(state, model, -2.1f, 2.6f, BestIsa(), 1);
}
BENCHMARK(BM_DeitTinyModel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
