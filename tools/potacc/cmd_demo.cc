// potacc demo: the whole pipeline on built-in generated models, no files needed.
//   1. a generated CNN runs on the CPU runtime (bit-exact int8 kernels);
//   2. its conv/FC weights are requantized onto the APoT grid;
//   3. the quantized model runs on the simulated shift accelerator and is
//      compared output by output with the CPU;
//   4. the board comparison table (CPU vs INT8 vs shift accelerators) for the
//      reference evaluation's three ImageNet networks, with JSON/CSV/SVG files.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "command.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/report.h"
#include "potacc/error.h"
#include "potacc/io/outputs.h"
#include "potacc/platform/compare.h"
#include "potacc/quant/method.h"
#include "potacc/quant/requantize.h"
#include "potacc/report/svg_chart.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/writer.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"

namespace potacc::cli {
namespace {

struct DemoFlags {
  std::string out_dir = "potacc-demo";
  std::string board = "pynq-z2";
  std::string method = "apot";
  std::string family = accel::kDefaultFamily;
  bool quick = false;
};

// "qkeras, apot, msq, uniform4": every 4-bit PE method, from the method table.
std::string FourBitMethodNames() {
  std::string names;
  for (const quant::Method* m : quant::AllMethods())
    if (m->code_bits == 4) names += (names.empty() ? "" : ", ") + std::string(m->name);
  return names;
}

void Section(const std::string& title) { std::printf("\n== %s ==\n", title.c_str()); }

void RunDemo(const DemoFlags& f) {
  namespace fs = std::filesystem;
  const fs::path dir(f.out_dir);
  // Steps 3 and 4 use the same board model and the accelerator composed for
  // it; everything is resolved before the demo runs, and its files are
  // written at the end, together (a failing step leaves no partial output).
  const quant::Method& method = quant::MethodByName(f.method);
  const platform::Board board = platform::LoadBoard(f.board);
  const accel::AcceleratorConfig config =
      accel::ComposeAcceleratorConfig(f.family, accel::AccelBoardOf(board), std::string(method.name));
  OutputFiles outputs;

  Section("1. CPU runtime: generated CIFAR-sized CNN (potacc gen cnn)");
  const Model cnn = Generate("cnn", 1);
  outputs.Add((dir / "cnn.tflite").string(), WriteModel(cnn));
  const platform::TensorBytes inputs = platform::DeterministicInputs(cnn, 7);
  Interpreter cpu(cnn);
  cpu.Prepare();
  cpu.SetInput(0, inputs[0]);
  const auto t0 = std::chrono::steady_clock::now();
  cpu.Invoke();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %zu operators, one inference in %.3f ms on the CPU; top-5:\n",
              (dir / "cnn.tflite").c_str(), cnn.main().operators.size(), ms);
  const Tensor& out = cpu.tensor(cpu.output_tensor(0));
  for (const auto& [index, score] : io::TopK(io::Dequantize(out, cpu.Output(0)), 5))
    std::printf("  class %d  %.4f\n", index, score);

  Section("2. PoT quantization: conv/FC weights onto the " + std::string(method.name) + " grid");
  quant::RequantizeOptions qopt;
  qopt.method = &method;
  const quant::RequantizeResult q = quant::RequantizeModel(cnn, qopt);
  outputs.Add((dir / ("cnn_" + std::string(method.name) + ".tflite")).string(), WriteModel(q.model));
  for (const auto& layer : q.layers) {
    if (!layer.quantized) continue;
    std::printf("  node %2d %-16s %3d channels, SQNR %5.1f dB\n", layer.node, layer.op.c_str(), layer.channels,
                layer.sqnr_db);
  }

  Section("3. Shift accelerator (" + config.name + ") vs CPU");
  Interpreter cpu_q(q.model);
  cpu_q.Prepare();
  cpu_q.SetInput(0, inputs[0]);
  cpu_q.Invoke();
  accel::AcceleratorDelegate delegate(q.model, config);
  Interpreter acc(q.model);
  delegate.Install(acc);
  acc.Prepare();
  acc.SetInput(0, inputs[0]);
  acc.Invoke();
  accel::PrintAccelRunTable(std::cout, delegate.run());
  std::cout.flush();
  const auto a = acc.Output(0), c = cpu_q.Output(0);
  size_t mismatches = 0;
  for (size_t i = 0; i < a.size(); ++i) mismatches += a[i] != c[i];
  std::printf("accelerator output vs CPU reference: %zu of %zu bytes differ%s\n", mismatches, a.size(),
              mismatches == 0 ? " (bit-exact)" : "");
  Check(mismatches == 0, "accelerator output differs from the CPU reference");

  Section("4. Board comparison on " + f.board + ": CPU-only vs INT8 vs shift accelerators");
  platform::CompareOptions copt;
  copt.board = board;
  copt.accel_family = f.family;
  ProgressBar bar;
  copt.progress = bar.Callback();
  std::vector<platform::NamedModel> models;
  if (f.quick) {
    models.push_back({"cnn", cnn});
  } else {
    models = platform::BuiltinCompareModels(1);
  }
  const platform::CompareReport report = platform::RunCompare(models, copt);
  bar.Clear();
  std::cout << platform::CompareToText(report);
  outputs.Add((dir / "compare.json").string(), platform::CompareToJson(report).dump(2) + "\n");
  outputs.Add((dir / "compare.csv").string(), platform::CompareToCsv(report));
  outputs.Add((dir / "compare.svg").string(), report::RenderSvg(platform::CompareChart(report)));
  std::cout.flush();
  fs::create_directories(dir);
  outputs.Commit();
  std::printf("\nwrote %s/{cnn.tflite, cnn_%s.tflite, compare.json, compare.csv, compare.svg}\n",
              f.out_dir.c_str(), std::string(method.name).c_str());
}

POTACC_REGISTER_COMMAND(1, [](CLI::App& app) {
  auto f = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "The whole pipeline on built-in generated models: CPU run, PoT quantization, "
              "accelerator vs CPU, board comparison table");
  cmd->add_option("--out", f->out_dir, "folder for the generated models and the comparison files")
      ->check(NonEmpty());
  cmd->add_option("--board", f->board, "board model (configs/boards)")->check(NonEmpty());
  cmd->add_option("--family", f->family, "accelerator family (configs/accel/families, or a family .json file)")
      ->check(NonEmpty())
      ->capture_default_str();
  cmd->add_option("--method", f->method, "4-bit method for steps 2-3 (" + FourBitMethodNames() + ")")
      ->capture_default_str();
  cmd->add_flag("--quick", f->quick, "compare only the small CNN (seconds instead of the ImageNet networks)");
  cmd->callback([f]() { RunDemo(*f); });
});

}  // namespace
}  // namespace potacc::cli
