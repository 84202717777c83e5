// potacc run MODEL --input FILE ...: one or more inferences, top-5, timing,
// raw/dequantized outputs as JSON or raw bytes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "accel_flags.h"
#include "command.h"
#include "input_flags.h"
#include <iostream>

#include "potacc/accel/delegate.h"
#include "potacc/accel/report.h"
#include "potacc/error.h"
#include "potacc/io/image.h"
#include "potacc/io/outputs.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"
#include "run_input.h"

namespace potacc::cli {
namespace {

// Above this many MACs per inference `run` says up front that it will take a while.
constexpr int64_t kLongRunMacs = int64_t{2} << 30;

struct RunFlags {
  std::string model;
  std::vector<std::string> inputs;
  bool batch_file = false;
  bool pixels = false;
  InputFlags input;
  std::string labels;
  int label_offset = 0;
  int top = 5;
  std::string json_path;
  std::string save_output;
  int repeat = 1;
  AccelFlags accel;
};

// Class index i has the name names[i - offset] (offset 1: background class 0).
std::string LabelName(int index, const std::vector<std::string>& names, int offset) {
  const int i = index - offset;
  return i >= 0 && i < static_cast<int>(names.size()) ? names[i] : std::string();
}

void PrintTop(const std::vector<std::pair<int, float>>& top, const std::vector<std::string>& names,
              int offset) {
  for (const auto& [index, score] : top) {
    const std::string label = LabelName(index, names, offset);
    const std::string name = label.empty() ? label : "  " + label;
    std::printf("  %5d  %10.6f%s\n", index, score, name.c_str());
  }
}

// A label file for another dataset (ImageNet names on a 10-class model) would
// print plausible but wrong names; one warning line says so.
void WarnIfLabelsMismatch(const std::string& path, size_t num_names, int offset, const Tensor& out) {
  if (path.empty() || out.shape.empty()) return;
  const int64_t classes = out.shape.back();
  const int64_t covered = static_cast<int64_t>(num_names) + offset;
  if (covered == classes) return;
  std::fprintf(stderr, "warning: %s has %zu names%s but the output has %lld classes; labels may not match\n",
               path.c_str(), num_names,
               offset != 0 ? (" (+ --label-offset " + std::to_string(offset) + ")").c_str() : "",
               static_cast<long long>(classes));
}

// Files `run` reads; an output naming one of them is refused.
std::vector<std::string> InputFiles(const RunFlags& f) {
  std::vector<std::string> files = {f.model, f.labels};
  files.insert(files.end(), f.inputs.begin(), f.inputs.end());
  files.push_back(f.accel.accel);  // a configuration file (or a name, which matches no file)
  return files;
}

void Run(const RunFlags& f) {
  Check(!f.inputs.empty() || !(f.pixels || f.batch_file),
        std::string(f.pixels ? "--pixels" : "--batch-file") + " describes --input files; give --input");
  RequireDistinctFiles(f.json_path, InputFiles(f), "--json");
  RequireDistinctFiles(f.save_output, InputFiles(f), "--save-output");
  RequireDistinctFiles(f.save_output, {f.json_path}, "--save-output");
  const Model model = LoadModel(f.model);
  Interpreter interp(model);
  std::unique_ptr<accel::AcceleratorDelegate> delegate;
  if (f.accel.enabled()) {
    delegate = std::make_unique<accel::AcceleratorDelegate>(model, f.accel.Resolve(), f.accel.backend);
    delegate->Install(interp);
  }
  interp.Prepare();
  Check(interp.num_inputs() == 1, "models with " + std::to_string(interp.num_inputs()) +
                                      " inputs are not supported by potacc run");
  const Tensor& in = interp.tensor(interp.input_tensor(0));
  const Tensor& out = interp.tensor(interp.output_tensor(0));
  const std::vector<std::string> names = f.labels.empty() ? std::vector<std::string>{}
                                                          : io::LoadLabelNames(f.labels);
  WarnIfLabelsMismatch(f.labels, names.size(), f.label_offset, out);

  InputSource source;
  source.preprocess = f.input.preprocess();
  source.crop_fraction = f.input.crop_fraction;
  source.pixels = f.pixels;
  source.batch_file = f.batch_file;
  const std::vector<NamedInput> inputs = source.Collect(in, f.inputs);

  std::string saved_outputs;  // --save-output: every inference's output bytes, written at the end
  const int64_t macs = DescribeModel(model).total_macs;
  if (macs >= kLongRunMacs)
    std::fprintf(stderr, "potacc: %s does %.1f G MACs per inference on the CPU: this takes a while\n",
                 f.model.c_str(), static_cast<double>(macs) * 1e-9);
  nlohmann::json report = {{"model", f.model}, {"inputs", nlohmann::json::array()}};
  for (const NamedInput& input : inputs) {
    interp.SetInput(0, input.bytes);
    double best_ms = 1e300;
    for (int r = 0; r < f.repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      // Per node; on a big model the heartbeat keeps the clock moving inside one long layer.
      ProgressBar bar(std::chrono::milliseconds(500), /*heartbeat=*/macs >= kLongRunMacs);
      const auto& ops = model.main().operators;
      const auto nodes = static_cast<int64_t>(ops.size());
      if (!ops.empty()) bar.Draw({"run", 0, nodes, "node 0 " + BuiltinOpName(ops.front().builtin)});
      interp.Invoke([&](int node, double) {
        const auto next = static_cast<size_t>(node) + 1;
        bar.Draw({"run", node + 1, nodes,
                  next < ops.size() ? "node " + std::to_string(next) + " " + BuiltinOpName(ops[next].builtin) : ""});
      });
      bar.Clear();
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      best_ms = std::min(best_ms, ms);
    }
    const auto bytes = interp.Output(0);
    const auto scores = io::Dequantize(out, bytes);
    const auto top = io::TopK(scores, f.top);
    std::printf("%s: %.3f ms%s\n", input.name.c_str(), best_ms,
                f.repeat > 1 ? (" (best of " + std::to_string(f.repeat) + ")").c_str() : "");
    PrintTop(top, names, f.label_offset);
    if (!f.save_output.empty()) saved_outputs.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!f.json_path.empty()) {
      nlohmann::json entry = {{"input", input.name}, {"time_ms", best_ms}};
      nlohmann::json jtop = nlohmann::json::array();
      for (const auto& [index, score] : top) {
        nlohmann::json t = {{"index", index}, {"score", score}};
        if (const std::string label = LabelName(index, names, f.label_offset); !label.empty())
          t["label"] = label;
        jtop.push_back(t);
      }
      entry["top"] = jtop;
      nlohmann::json raw = nlohmann::json::array();
      switch (out.type) {
        case DataType::kInt8:
          for (uint8_t b : bytes) raw.push_back(static_cast<int8_t>(b));
          break;
        case DataType::kUInt8:
          for (uint8_t b : bytes) raw.push_back(b);
          break;
        default:
          raw = scores;  // float outputs: raw == dequantized
      }
      entry["output"] = {{"name", out.name},
                         {"type", DataTypeName(out.type)},
                         {"shape", out.shape},
                         {"raw", raw},
                         {"dequantized", scores}};
      if (delegate) entry["accelerator"] = accel::AccelRunToJson(delegate->run());
      report["inputs"].push_back(entry);
    }
    if (delegate) {
      std::cout << "\n";
      accel::PrintAccelRunTable(std::cout, delegate->run());
      std::cout.flush();
    }
  }
  OutputFiles outputs;
  if (!f.json_path.empty()) {
    // With an accelerator the top level also carries the last inference's
    // per-layer table (layers[], totals, config...), as `potacc run --accel` prints it.
    if (delegate) {
      const nlohmann::json accel_json = accel::AccelRunToJson(delegate->run());
      for (auto it = accel_json.begin(); it != accel_json.end(); ++it) report[it.key()] = it.value();
    }
    outputs.Add(f.json_path, report.dump(1) + "\n");
  }
  if (!f.save_output.empty()) outputs.Add(f.save_output, std::move(saved_outputs));
  outputs.Commit();
}

POTACC_REGISTER_COMMAND(20, [](CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a .tflite model on images or raw tensors (CPU reference)");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  cmd->add_option("--input,-i", f->inputs,
                  "PNG/JPEG/BMP image, or a raw file of the input tensor's bytes (repeatable); "
                  "without --input a deterministic pseudo-random input is used");
  cmd->add_flag("--batch-file", f->batch_file, "a raw --input holds several inputs back to back");
  cmd->add_flag("--pixels", f->pixels,
                "a raw --input holds uint8 HxWx3 pixels (preprocessed and quantized like images)");
  f->input.Add(cmd, false);
  cmd->add_option("--labels", f->labels, "class names, one per line");
  cmd->add_option("--label-offset", f->label_offset,
                  "class index of the first name in --labels (1 for 1001-class models with background)");
  cmd->add_option("--top", f->top, "how many classes to print")->check(CLI::Range(1, 100000));
  cmd->add_option("--json", f->json_path, "write outputs (raw and dequantized) and top classes as JSON")
      ->check(NonEmpty());
  cmd->add_option("--save-output", f->save_output,
                  "write the output tensor's raw little-endian bytes (appended per input)")
      ->check(NonEmpty());
  cmd->add_option("--repeat", f->repeat, "run each input N times, report the best time")
      ->check(CLI::Range(1, 100000));
  f->accel.Add(cmd, /*required=*/false);
  cmd->callback([f]() { Run(*f); });
});

}  // namespace
}  // namespace potacc::cli
