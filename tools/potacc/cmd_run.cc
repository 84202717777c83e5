// potacc run MODEL --input FILE ...: one or more inferences, top-5, timing,
// raw/dequantized outputs as JSON or raw bytes.
#include <algorithm>
#include <functional>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "accel_flags.h"
#include "command.h"
#include "exec_flags.h"
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
  std::string dump_tensors;
  int repeat = 1;
  bool profile = false;
  AccelFlags accel;
  ExecFlags exec;
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

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Times of one input's repeats: wall clock and the calling thread's CPU time
// per inference and, with a profile, per operator type (medians over the
// repeats; the CPU time of a node is read between nodes, so it counts the
// calling thread only).
struct Timing {
  std::vector<double> wall_ms, cpu_ms;
  std::map<std::string, std::vector<double>> op_wall_ms, op_cpu_ms;

  // on_node (optional) runs after every node, e.g. to draw progress.
  void Invoke(Interpreter& interp, bool profile, const std::function<void(int)>& on_node = {}) {
    std::map<std::string, double> wall, cpu;
    const auto& ops = interp.model().main().operators;
    double last_cpu = ThreadCpuMs();
    const double cpu0 = last_cpu;
    const auto t0 = std::chrono::steady_clock::now();
    if (profile || on_node) {
      interp.Invoke([&](int node, double seconds) {
        if (on_node) on_node(node);
        if (!profile) return;
        const std::string op = BuiltinOpName(ops[static_cast<size_t>(node)].builtin);
        const double now = ThreadCpuMs();
        wall[op] += 1e3 * seconds;
        cpu[op] += now - last_cpu;
        last_cpu = now;
      });
    } else {
      interp.Invoke();
    }
    wall_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    cpu_ms.push_back(ThreadCpuMs() - cpu0);
    for (const auto& [op, ms] : wall) op_wall_ms[op].push_back(ms);
    for (const auto& [op, ms] : cpu) op_cpu_ms[op].push_back(ms);
  }
  void PrintProfile() const {
    const double total = Median(cpu_ms);
    std::printf("  %-22s %10s %10s %7s\n", "operator", "CPU ms", "wall ms", "of CPU");
    for (const auto& [op, v] : op_cpu_ms) {
      const double ms = Median(v);
      std::printf("  %-22s %10.3f %10.3f %6.1f%%\n", op.c_str(), ms, Median(op_wall_ms.at(op)),
                  total > 0 ? 100.0 * ms / total : 0.0);
    }
  }
  nlohmann::json ProfileJson() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [op, v] : op_cpu_ms) j[op] = {{"cpu_ms", Median(v)}, {"wall_ms", Median(op_wall_ms.at(op))}};
    return j;
  }
};

// --dump-tensors: every activation tensor of the inference that just ran, as
// raw bytes in DIR/tensor_<index>.raw, and DIR/tensors.json listing them
// (index, name, type, shape, file); node inputs and outputs by tensor index
// are in `potacc info --json`.
void AddTensorDump(const Interpreter& interp, const std::string& dir, OutputFiles& outputs) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  Check(!ec && std::filesystem::is_directory(dir), "--dump-tensors " + dir + ": cannot create the directory" +
                                                        (ec ? " (" + ec.message() + ")" : std::string()));
  const Subgraph& g = interp.model().main();
  nlohmann::json list = nlohmann::json::array();
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const Tensor& tensor = g.tensors[t];
    if (ConstantData(interp.model(), tensor) != nullptr) continue;
    const auto bytes = interp.tensor_bytes(static_cast<int>(t));
    const std::string file = "tensor_" + std::to_string(t) + ".raw";
    outputs.Add((std::filesystem::path(dir) / file).string(), std::string(bytes.begin(), bytes.end()));
    list.push_back({{"index", t}, {"name", tensor.name}, {"type", DataTypeName(tensor.type)},
                    {"shape", tensor.shape}, {"file", file}});
  }
  outputs.Add((std::filesystem::path(dir) / "tensors.json").string(), list.dump(1) + "\n");
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
  interp.SetIsa(f.exec.Isa());
  interp.SetThreads(f.exec.Threads(1));
  std::unique_ptr<accel::AcceleratorDelegate> delegate;
  if (f.accel.enabled()) {
    delegate = std::make_unique<accel::AcceleratorDelegate>(model, f.accel.Resolve(), f.accel.backend);
    delegate->Install(interp);
  }
  interp.Prepare();
  std::vector<const Tensor*> model_inputs;
  for (int i = 0; i < interp.num_inputs(); ++i) model_inputs.push_back(&interp.tensor(interp.input_tensor(i)));
  const Tensor& out = interp.tensor(interp.output_tensor(0));
  const std::vector<std::string> names = f.labels.empty() ? std::vector<std::string>{}
                                                          : io::LoadLabelNames(f.labels);
  WarnIfLabelsMismatch(f.labels, names.size(), f.label_offset, out);

  InputSource source;
  source.preprocess = f.input.preprocess();
  source.crop_fraction = f.input.crop_fraction;
  source.pixels = f.pixels;
  source.batch_file = f.batch_file;
  const std::vector<NamedInputs> inputs = source.CollectAll(model_inputs, f.inputs);
  Check(f.dump_tensors.empty() || inputs.size() == 1,
        "--dump-tensors writes the tensors of one inference; " + std::to_string(inputs.size()) + " inputs given");

  std::string saved_outputs;  // --save-output: every inference's output bytes, written at the end
  const int64_t macs = DescribeModel(model).total_macs;
  if (macs >= kLongRunMacs)
    std::fprintf(stderr, "potacc: %s does %.1f G MACs per inference on the CPU: this takes a while\n",
                 f.model.c_str(), static_cast<double>(macs) * 1e-9);
  nlohmann::json report = {{"model", f.model}, {"inputs", nlohmann::json::array()}};
  for (const NamedInputs& input : inputs) {
    for (size_t i = 0; i < input.tensors.size(); ++i) interp.SetInput(static_cast<int>(i), input.tensors[i]);
    Timing timing;
    const auto& ops = model.main().operators;
    const auto nodes = static_cast<int64_t>(ops.size());
    for (int r = 0; r < f.repeat; ++r) {
      // Per node; on a big model the heartbeat keeps the clock moving inside one long layer.
      ProgressBar bar(std::chrono::milliseconds(500), /*heartbeat=*/macs >= kLongRunMacs);
      if (!ops.empty()) bar.Draw({"run", 0, nodes, "node 0 " + BuiltinOpName(ops.front().builtin)});
      timing.Invoke(interp, f.profile, [&](int node) {
        const auto next = static_cast<size_t>(node) + 1;
        bar.Draw({"run", node + 1, nodes,
                  next < ops.size() ? "node " + std::to_string(next) + " " + BuiltinOpName(ops[next].builtin) : ""});
      });
      bar.Clear();
    }
    const double best_ms = *std::min_element(timing.wall_ms.begin(), timing.wall_ms.end());
    const auto bytes = interp.Output(0);
    const auto scores = io::Dequantize(out, bytes);
    const auto top = io::TopK(scores, f.top);
    char median[64] = "";
    if (f.repeat > 1) std::snprintf(median, sizeof median, ", median %.3f ms", Median(timing.wall_ms));
    std::printf("%s: %.3f ms%s\n", input.name.c_str(), best_ms,
                f.repeat > 1 ? (" (best of " + std::to_string(f.repeat) + median + ")").c_str() : "");
    if (f.profile) timing.PrintProfile();
    PrintTop(top, names, f.label_offset);
    if (!f.save_output.empty()) saved_outputs.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!f.json_path.empty()) {
      nlohmann::json entry = {{"input", input.name},
                              {"time_ms", best_ms},
                              {"times_ms", timing.wall_ms},
                              {"cpu_times_ms", timing.cpu_ms},
                              {"threads", interp.threads()},
                              {"isa", kernels::IsaName(f.exec.Isa())}};
      if (f.profile) entry["operators_ms"] = timing.ProfileJson();
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
  if (!f.dump_tensors.empty()) AddTensorDump(interp, f.dump_tensors, outputs);
  outputs.Commit();
}

POTACC_REGISTER_COMMAND(20, [](CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a .tflite model on images or raw tensors (CPU reference)");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  cmd->add_option("--input,-i", f->inputs,
                  "PNG/JPEG/BMP image, or a raw file of the input tensor's bytes (repeatable; a model with k "
                  "inputs takes k raw files per inference, in input order); "
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
  cmd->add_option("--dump-tensors", f->dump_tensors,
                  "write every activation tensor of the (single) inference to DIR/tensor_<index>.raw, "
                  "listed in DIR/tensors.json")
      ->check(NonEmpty());
  cmd->add_option("--repeat", f->repeat, "run each input N times, report the best and median time")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--profile", f->profile, "print the time per operator type (median over --repeat)");
  f->exec.Add(cmd, "threads that share each inference (default 1; outputs are identical for any count)");
  f->accel.Add(cmd, /*required=*/false);
  cmd->callback([f]() { Run(*f); });
});

}  // namespace
}  // namespace potacc::cli
