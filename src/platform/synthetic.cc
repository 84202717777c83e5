#include "potacc/platform/synthetic.h"

#include <cmath>

#include "potacc/error.h"
#include "potacc/platform/accel_power.h"
#include "potacc/platform/accel_workload.h"
#include "potacc/report/csv.h"
#include "potacc/report/table.h"
#include "potacc/tflite/basic_models.h"

namespace potacc::platform {

Model MakeSyntheticGemm(int m, int n, int k, const std::string& pe, uint64_t seed) {
  Model model = MakeGemmModel(m, n, k, seed, pe);  // the `potacc gen gemm --method PE` probe
  model.description = "potacc compare --synthetic: " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                      std::to_string(k) + " GEMM, " + pe + " weights";
  return model;
}

std::vector<SyntheticRow> RunSynthetic(const SyntheticOptions& options) {
  const CompareOptions& co = options.compare;
  const Board& board = co.board;
  std::optional<HwSynthResults> synth;
  if (co.use_synth_resources) synth = LoadHwSynthResults(DefaultHwSynthResultsPath());
  const AccelExecutor executor = co.executor ? co.executor : AccelExecutor(SimulateAccelerator);
  const accel::AccelBoard accel_board = accel::AccelBoardOf(board);
  std::vector<SyntheticRow> rows;
  const auto total =
      static_cast<int64_t>(options.m.size() * options.n.size() * options.k.size() * options.pes.size());
  auto progress = [&](int64_t n, const std::string& status = "") {
    ReportProgress(co.progress, "synthetic", n, total, status);
  };
  int64_t done = 0;
  for (int m : options.m) {
    for (int n : options.n) {
      for (int k : options.k) {
        double cpu_ms = 0;
        for (const std::string& pe : options.pes) {
          progress(done, std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) + " " + pe);
          const Model model = MakeSyntheticGemm(m, n, k, pe);
          if (cpu_ms == 0) {
            const Workload cw = CpuWorkload(model, "gemm");
            cpu_ms = ComputeTimeline(board, cw, nullptr, co.timeline).latency_s * 1e3;
          }
          accel::AcceleratorConfig cfg = accel::ComposeAcceleratorConfig(co.accel_family, accel_board, pe);
          CheckAcceleratorFitsBoard(cfg, board);
          // The single layer is also the first CONV_2D: the study measures the accelerator,
          // so the INT8/APoT "first conv stays on the CPU" rule (§5.1) does not apply.
          cfg.first_conv_on_cpu = false;
          const AccelExecution ex = executor(model, cfg, DeterministicInputs(model), false);
          const Workload w = AccelWorkload(model, ex.run, "gemm");
          AccelPowerModel pl;
          try {
            pl = AccelPowerFor(board, pe, synth ? &*synth : nullptr);
          } catch (const Error&) {
            pl = AccelPowerFor(board, "int8", nullptr);  // no figures for this PE: the INT8 design's
          }
          const Timeline tl = ComputeTimeline(board, w, &pl, co.timeline);
          SyntheticRow r;
          r.m = m, r.n = n, r.k = k;
          r.pe = pe;
          for (const auto& l : ex.run.layers) {
            if (l.device != "accel") continue;
            r.accel_cycles += l.cycles.total();
            r.compute_cycles += l.cycles.compute;
          }
          r.macs_per_cycle = r.accel_cycles > 0 ? static_cast<double>(m) * n * k / r.accel_cycles : 0.0;
          r.latency_ms = tl.latency_s * 1e3;
          r.energy_mj = tl.energy.total() * 1e3;
          r.cpu_latency_ms = cpu_ms;
          rows.push_back(r);
          progress(++done);
        }
      }
    }
  }
  return rows;
}

namespace {
std::string Shape(const SyntheticRow& r) {
  return std::to_string(r.m) + "x" + std::to_string(r.n) + "x" + std::to_string(r.k);
}
}  // namespace

std::string SyntheticToText(const std::vector<SyntheticRow>& rows, const std::string& board) {
  using report::Fixed;
  report::Table t({"MxNxK", "PE", "accel cycles", "compute cycles", "MAC/cycle", "latency ms", "energy mJ",
                   "CPU ms", "vs CPU"});
  std::string last;
  for (const auto& r : rows) {
    if (!last.empty() && last != Shape(r)) t.AddSeparator();
    last = Shape(r);
    t.AddRow({Shape(r), r.pe, std::to_string(r.accel_cycles), std::to_string(r.compute_cycles),
              Fixed(r.macs_per_cycle, 1), Fixed(r.latency_ms, 3), Fixed(r.energy_mj, 3), Fixed(r.cpu_latency_ms, 3),
              report::Ratio(r.cpu_latency_ms / r.latency_ms)});
  }
  return "synthetic GEMM sweep on " + board + "\n\n" +
         t.Render();
}

std::string SyntheticToCsv(const std::vector<SyntheticRow>& rows) {
  using report::CsvLine;
  std::string out = CsvLine({"m", "n", "k", "pe", "accel_cycles", "compute_cycles", "macs_per_cycle", "latency_ms",
                             "energy_mj", "cpu_latency_ms"});
  for (const auto& r : rows)
    out += CsvLine({std::to_string(r.m), std::to_string(r.n), std::to_string(r.k), r.pe,
                    std::to_string(r.accel_cycles), std::to_string(r.compute_cycles),
                    report::Fixed(r.macs_per_cycle, 4), report::Fixed(r.latency_ms, 6),
                    report::Fixed(r.energy_mj, 6), report::Fixed(r.cpu_latency_ms, 6)});
  return out;
}

nlohmann::json SyntheticToJson(const std::vector<SyntheticRow>& rows, const std::string& board) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows)
    arr.push_back({{"m", r.m},
                   {"n", r.n},
                   {"k", r.k},
                   {"pe", r.pe},
                   {"accel_cycles", r.accel_cycles},
                   {"compute_cycles", r.compute_cycles},
                   {"macs_per_cycle", r.macs_per_cycle},
                   {"latency_ms", r.latency_ms},
                   {"energy_mj", r.energy_mj},
                   {"cpu_latency_ms", r.cpu_latency_ms}});
  return {{"board", board}, {"synthetic", arr}};
}

report::BarChart SyntheticChart(const std::vector<SyntheticRow>& rows, const std::string& board) {
  report::BarChart c;
  c.title = "Synthetic GEMM latency per PE type, " + board;
  c.y_label = "latency (ms)";
  for (const auto& r : rows) {
    if (std::find(c.series.begin(), c.series.end(), r.pe) == c.series.end()) c.series.push_back(r.pe);
    if (c.groups.empty() || c.groups.back().label != Shape(r)) c.groups.push_back({Shape(r), {}});
  }
  for (auto& g : c.groups) g.values.assign(c.series.size(), NAN);
  size_t gi = 0;
  for (const auto& r : rows) {
    while (c.groups[gi].label != Shape(r)) ++gi;
    const size_t si = std::find(c.series.begin(), c.series.end(), r.pe) - c.series.begin();
    c.groups[gi].values[si] = r.latency_ms;
  }
  return c;
}

}  // namespace potacc::platform
