// potacc run MODEL --input FILE ...: one or more inferences, top-5, timing,
// raw/dequantized outputs as JSON or raw bytes.
#include <algorithm>
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
#include "potacc/tflite/reader.h"
#include "run_input.h"

namespace potacc::cli {
namespace {

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

  void Invoke(Interpreter& interp, bool profile) {
    std::map<std::string, double> wall, cpu;
    const auto& ops = interp.model().main().operators;
    double last_cpu = ThreadCpuMs();
    const double cpu0 = last_cpu;
    const auto t0 = std::chrono::steady_clock::now();
    if (profile) {
      interp.Invoke([&](int node, double seconds) {
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

void Run(const RunFlags& f) {
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

  std::unique_ptr<std::ofstream> raw_out;
  if (!f.save_output.empty()) {
    raw_out = std::make_unique<std::ofstream>(f.save_output, std::ios::binary | std::ios::trunc);
    if (!*raw_out) throw Error("cannot write " + f.save_output);
  }
  nlohmann::json report = {{"model", f.model}, {"inputs", nlohmann::json::array()}};
  for (const NamedInput& input : inputs) {
    interp.SetInput(0, input.bytes);
    Timing timing;
    for (int r = 0; r < f.repeat; ++r) timing.Invoke(interp, f.profile);
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
    if (raw_out) raw_out->write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
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
  if (!f.json_path.empty()) {
    // With an accelerator the top level also carries the last inference's
    // per-layer table (layers[], totals, config...), as `potacc run --accel` prints it.
    if (delegate) {
      const nlohmann::json accel_json = accel::AccelRunToJson(delegate->run());
      for (auto it = accel_json.begin(); it != accel_json.end(); ++it) report[it.key()] = it.value();
    }
    std::ofstream j(f.json_path);
    if (!j) throw Error("cannot write " + f.json_path);
    j << report.dump(1) << "\n";
  }
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
  cmd->add_option("--json", f->json_path, "write outputs (raw and dequantized) and top classes as JSON");
  cmd->add_option("--save-output", f->save_output,
                  "write the output tensor's raw little-endian bytes (appended per input)");
  cmd->add_option("--repeat", f->repeat, "run each input N times, report the best and median time")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--profile", f->profile, "print the time per operator type (median over --repeat)");
  f->exec.Add(cmd, "threads that share each inference (default 1; outputs are identical for any count)");
  f->accel.Add(cmd, /*required=*/false);
  cmd->callback([f]() { Run(*f); });
});

}  // namespace
}  // namespace potacc::cli
