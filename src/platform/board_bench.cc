#include "potacc/platform/board_bench.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

#include "potacc/accel/delegate.h"
#include "potacc/error.h"
#include "potacc/kernels/gemm.h"
#include "potacc/platform/calibrate.h"
#include "potacc/platform/compare.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::platform {

double BoardBenchResult::total_avg_ms() const {
  double t = 0;
  for (const auto& n : nodes) t += n.avg_ms;
  return t;
}

BoardBenchResult BoardBench(const Model& model, const std::string& model_name, const BoardBenchOptions& options) {
  Check(options.runs >= 1 && options.runs <= 100000, "board-bench: --runs must be in [1, 100000]");
  BoardBenchResult r;
  r.model = model_name;
  r.isa = kernels::IsaName(kernels::BestIsa());
  r.runs = options.runs;
  Interpreter interp(model);
  std::unique_ptr<accel::AcceleratorDelegate> delegate;
  if (options.accel) {
    delegate = std::make_unique<accel::AcceleratorDelegate>(model, *options.accel, options.backend);
    delegate->Install(interp);
    r.config = options.accel->name;
    r.backend = delegate->backend().name();
  }
  interp.Prepare();
  interp.SetInput(0, DeterministicInputs(model, options.input_seed).at(0));
  const auto& ops = model.main().operators;
  r.nodes.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    BenchNode& n = r.nodes[i];
    n.node = static_cast<int>(i);
    n.op = BuiltinOpName(ops[i].builtin);
    n.device = "cpu";
    n.name = "[" + model.main().tensors.at(ops[i].outputs.at(0)).name + "]:" + std::to_string(i);
    n.min_ms = std::numeric_limits<double>::max();
  }
  for (int run = 0; run <= options.runs; ++run) {
    interp.Invoke();
    const auto& seconds = interp.node_seconds();
    for (size_t i = 0; i < r.nodes.size(); ++i) {
      BenchNode& n = r.nodes[i];
      const double ms = seconds[i] * 1e3;
      if (run == 0) {
        n.first_ms = ms;
        continue;
      }
      n.avg_ms += ms / options.runs;
      n.min_ms = std::min(n.min_ms, ms);
      n.max_ms = std::max(n.max_ms, ms);
    }
    if (options.progress) options.progress(run, options.runs);
  }
  if (delegate) {
    for (const accel::LayerStats& L : delegate->run().layers) {
      if (L.device != "accel" || L.node < 0 || L.node >= static_cast<int>(r.nodes.size())) continue;
      BenchNode& n = r.nodes[L.node];
      n.device = "accel";
      n.accel_cycles = L.cycles.total();
      n.cycles_measured = delegate->backend().stats().measured;
      n.bytes_to_accel = L.bytes_to_accel;
      n.bytes_from_accel = L.bytes_from_accel;
    }
  }
  return r;
}

std::string FormatBoardBenchProfile(const BoardBenchResult& r) {
  std::vector<ProfileCsvRow> rows;
  for (const auto& n : r.nodes) rows.push_back({n.op, n.first_ms, n.avg_ms, r.runs, n.device, n.name});
  std::string out = "potacc board-bench: model " + r.model + ", CPU kernels " + r.isa + ", " +
                    (r.config.empty() ? std::string("CPU only") : "accelerator " + r.config + " on the " + r.backend +
                                                                        " backend") +
                    ", " + std::to_string(r.runs) + " timed runs after one warm-up\n";
  out += FormatProfileCsv(rows);
  if (r.config.empty()) return out;
  out += "\n============================== potacc accelerator calls ==============================\n";
  out += "node, op, avg_ms, min_ms, max_ms, first_ms, accel_cycles, cycles_from, bytes_to_accel, bytes_from_accel\n";
  char buf[400];
  for (const auto& n : r.nodes) {
    if (n.device != "accel") continue;
    std::snprintf(buf, sizeof buf, "%d, %s, %.3f, %.3f, %.3f, %.3f, %lld, %s, %lld, %lld\n", n.node, n.op.c_str(),
                  n.avg_ms, n.min_ms, n.max_ms, n.first_ms, static_cast<long long>(n.accel_cycles),
                  n.accel_cycles == 0 ? "none" : (n.cycles_measured ? "hardware" : "model"),
                  static_cast<long long>(n.bytes_to_accel), static_cast<long long>(n.bytes_from_accel));
    out += buf;
  }
  return out;
}

}  // namespace potacc::platform
