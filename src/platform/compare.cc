#include "potacc/platform/compare.h"

#include <cmath>
#include <cstring>
#include <future>
#include <map>

#include "potacc/error.h"
#include "potacc/platform/accel_power.h"
#include "potacc/platform/accel_workload.h"
#include "potacc/platform/workload.h"
#include "potacc/quant/requantize.h"
#include "potacc/report/csv.h"
#include "potacc/report/table.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/util/stats.h"

namespace potacc::platform {

const ConfigResult* ModelResult::Find(const std::string& config) const {
  for (const auto& c : configs)
    if (c.name == config) return &c;
  return nullptr;
}

TensorBytes RunCpuReference(const Model& model, const TensorBytes& inputs) {
  Interpreter interp(model);
  interp.Prepare();
  Check(static_cast<int>(inputs.size()) == interp.num_inputs(), "model has " +
                                                                   std::to_string(interp.num_inputs()) +
                                                                   " inputs, got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) interp.SetInput(static_cast<int>(i), inputs[i]);
  interp.Invoke();
  TensorBytes out;
  for (int i = 0; i < interp.num_outputs(); ++i) {
    auto o = interp.Output(i);
    out.emplace_back(o.begin(), o.end());
  }
  return out;
}

TensorBytes DeterministicInputs(const Model& model, uint64_t seed) {
  const Subgraph& g = model.main();
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  TensorBytes inputs;
  for (int idx : g.inputs) {
    const Tensor& t = g.tensors.at(idx);
    const int64_t n = t.num_elements();
    std::vector<uint8_t> bytes(static_cast<size_t>(n * std::max(1, DataTypeSize(t.type))));
    if (t.type == DataType::kFloat32) {
      for (int64_t i = 0; i < n; ++i) {
        const float v = static_cast<float>(next() >> 40) / static_cast<float>(1 << 24);
        std::memcpy(bytes.data() + i * 4, &v, 4);
      }
    } else {
      for (auto& b : bytes) b = static_cast<uint8_t>(next() >> 56);
    }
    inputs.push_back(std::move(bytes));
  }
  return inputs;
}

std::vector<NamedModel> BuiltinCompareModels(uint64_t seed) {
  std::vector<NamedModel> models;
  for (const char* name : {"mobilenetv2", "resnet18", "inceptionv1"})
    models.push_back({name, Generate(name, seed)});
  return models;
}

namespace {

// A configuration's result before the board turns it into time and energy:
// where its nodes ran and what the PL holds.
ConfigResult FromWorkload(const std::string& name, Workload w, std::optional<Resources> pl) {
  ConfigResult r;
  r.name = name;
  int64_t accel_macs = 0, macs = 0;
  for (const auto& n : w.nodes) {
    macs += n.macs;
    if (n.on_accel) {
      ++r.accel_layers;
      accel_macs += n.macs;
    } else {
      ++r.cpu_layers;
    }
  }
  r.accel_mac_fraction = macs > 0 ? static_cast<double>(accel_macs) / macs : 0.0;
  r.workload = std::move(w);
  r.pl_resources = std::move(pl);
  return r;
}

int64_t MismatchedBytes(const TensorBytes& a, const TensorBytes& b) {
  if (a.size() != b.size()) return -1;
  int64_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return -1;
    for (size_t j = 0; j < a[i].size(); ++j) diff += a[i][j] != b[i][j];
  }
  return diff;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / v.size();
}

}  // namespace

void EvaluateOnBoard(ConfigResult& r, const Board& board, const TimelineOptions& options) {
  std::optional<AccelPowerModel> pl;
  if (r.pl_resources) pl = AccelPowerFromResources(board, r.name, *r.pl_resources, r.resource_source);
  r.timeline = ComputeTimeline(board, r.workload, pl ? &*pl : nullptr, options);
  r.latency_ms = r.timeline.latency_s * 1e3;
  r.energy_mj = r.timeline.energy.total() * 1e3;
  r.energy_above_idle_mj = r.timeline.energy.above_idle() * 1e3;
}

CompareReport EvaluateReport(const CompareReport& report, const Board& board) {
  CompareReport out = report;
  for (auto& m : out.models)
    for (auto& c : m.configs) EvaluateOnBoard(c, board, out.timeline);
  std::vector<std::string> methods;
  for (const auto& s : out.summary) methods.push_back(s.method);
  Summarize(out, methods);
  return out;
}

void Summarize(CompareReport& report, const std::vector<std::string>& methods) {
  auto summarize = [&](const std::string& method) {
    MethodSummary s;
    s.method = method;
    std::vector<double> sc, si, ec, ei, ac, ai;
    for (const auto& m : report.models) {
      const ConfigResult* cpu = m.Find("cpu");
      const ConfigResult* int8 = m.Find("int8");
      const ConfigResult* me = m.Find(method);
      if (!cpu || !int8 || !me) continue;
      sc.push_back(cpu->latency_ms / me->latency_ms);
      si.push_back(int8->latency_ms / me->latency_ms);
      ec.push_back(cpu->energy_mj / me->energy_mj);
      ei.push_back(int8->energy_mj / me->energy_mj);
      ac.push_back(cpu->energy_above_idle_mj / me->energy_above_idle_mj);
      ai.push_back(int8->energy_above_idle_mj / me->energy_above_idle_mj);
    }
    s.speedup_vs_cpu = Mean(sc);
    s.speedup_vs_int8 = Mean(si);
    s.energy_reduction_vs_cpu = Mean(ec);
    s.energy_reduction_vs_int8 = Mean(ei);
    s.geo_speedup_vs_cpu = GeoMean(sc);
    s.geo_speedup_vs_int8 = GeoMean(si);
    s.geo_energy_reduction_vs_cpu = GeoMean(ec);
    s.geo_energy_reduction_vs_int8 = GeoMean(ei);
    s.energy_above_idle_reduction_vs_cpu = Mean(ac);
    s.energy_above_idle_reduction_vs_int8 = Mean(ai);
    return s;
  };
  report.summary.clear();
  for (const auto& m : methods) report.summary.push_back(summarize(m));
  report.int8_summary = summarize("int8");
}

CompareReport RunCompare(const std::vector<NamedModel>& models, const CompareOptions& options) {
  const Board& board = options.board;
  CompareReport report;
  report.board = board.name;
  report.threads = std::clamp(options.timeline.threads > 0 ? options.timeline.threads : board.cpu.cores, 1,
                              std::max(1, board.cpu.cores));
  report.overlap = options.timeline.overlap;
  report.timeline = options.timeline;
  report.accel_family = options.accel_family;
  for (const auto& m : options.methods)
    Check(quant::FindMethod(m) != nullptr, "compare: unknown quantization method \"" + m + "\"");

  std::optional<HwSynthResults> synth;
  if (options.use_synth_resources) synth = LoadHwSynthResults(DefaultHwSynthResultsPath());
  const AccelExecutor executor = options.executor ? options.executor : AccelExecutor(SimulateAccelerator);
  // The design loaded during CPU-only runs: the reference ships an INT8 accelerator in them (§8).
  const AccelPowerModel cpu_only_pl = AccelPowerFor(board, "int8", synth ? &*synth : nullptr);

  // Every configuration is composed for this board: its clock and GEMM units come from the board file.
  const accel::AccelBoard accel_board = accel::AccelBoardOf(board);
  std::vector<std::string> configs = {"int8"};
  configs.insert(configs.end(), options.methods.begin(), options.methods.end());
  const auto total = static_cast<int64_t>(models.size() * (configs.size() + 1));
  auto progress = [&](int64_t n, const std::string& status = "") {
    ReportProgress(options.progress, "compare", n, total, status);
  };
  int64_t done = 0;
  for (const NamedModel& nm : models) {
    ModelResult mr;
    mr.name = nm.name;
    progress(done, nm.name + " cpu");
    const TensorBytes inputs = DeterministicInputs(nm.model);
    TensorBytes cpu_outputs;
    if (options.check_outputs) cpu_outputs = RunCpuReference(nm.model, inputs);
    {
      Workload w = CpuWorkload(nm.model, nm.name);
      mr.macs = w.total_macs();
      ConfigResult r = FromWorkload("cpu", std::move(w),
                                    board.power.cpu_only_pl_loaded ? std::optional(cpu_only_pl.resources) : std::nullopt);
      EvaluateOnBoard(r, board, options.timeline);
      if (options.check_outputs) r.outputs_match_cpu = true;  // it is the reference
      mr.configs.push_back(std::move(r));
    }
    progress(++done);
    // The accelerator configurations are independent: run them concurrently.
    auto run_config = [&](const std::string& method) {
      const accel::AcceleratorConfig cfg = accel::ComposeAcceleratorConfig(options.accel_family, accel_board, method);
      CheckAcceleratorFitsBoard(cfg, board);
      Model quantized;
      const Model* run_model = &nm.model;
      if (method != "int8") {
        quant::RequantizeOptions ro;
        ro.method = &quant::MethodByName(method);
        // Store only grid values (QKeras channels spanning 2^0..2^7 cannot keep
        // 127-for-128 and run on the accelerator): the compared runs must offload
        // every layer the design accepts and stay bit-exact with the CPU.
        ro.channel.top_level = quant::TopLevelPolicy::kMergeBottom;
        // A design with the depthwise mode runs DEPTHWISE_CONV_2D too: its weights must be on the grid.
        ro.include_depthwise = cfg.depthwise_mode();
        quantized = quant::RequantizeModel(nm.model, ro).model;
        run_model = &quantized;
      }
      const AccelExecution ex = executor(*run_model, cfg, inputs, options.check_outputs);
      const AccelPowerModel pl = AccelPowerFor(board, method, synth ? &*synth : nullptr);
      ConfigResult r = FromWorkload(method, AccelWorkload(*run_model, ex.run, nm.name), pl.resources);
      EvaluateOnBoard(r, board, options.timeline);
      r.accel_config = cfg.name;
      r.resource_source = pl.resource_source;
      if (options.check_outputs) {
        const TensorBytes ref = method == "int8" ? cpu_outputs : RunCpuReference(*run_model, inputs);
        r.mismatched_bytes = MismatchedBytes(ref, ex.outputs);
        r.outputs_match_cpu = r.mismatched_bytes == 0;
      }
      return r;
    };
    std::vector<std::future<ConfigResult>> futures;
    for (const std::string& method : configs) futures.push_back(std::async(std::launch::async, run_config, method));
    for (size_t i = 0; i < futures.size(); ++i) {
      progress(done, nm.name + " " + configs[i]);
      mr.configs.push_back(futures[i].get());
      progress(++done);
    }
    report.models.push_back(std::move(mr));
  }
  Summarize(report, options.methods);
  return report;
}

// ---------------------------------------------------------------- outputs

namespace {

nlohmann::json Finite(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json SummaryJson(const MethodSummary& s) {
  return {{"speedup_vs_cpu", Finite(s.speedup_vs_cpu)},
          {"speedup_vs_int8", Finite(s.speedup_vs_int8)},
          {"energy_reduction_vs_cpu", Finite(s.energy_reduction_vs_cpu)},
          {"energy_reduction_vs_int8", Finite(s.energy_reduction_vs_int8)},
          {"geomean",
           {{"speedup_vs_cpu", Finite(s.geo_speedup_vs_cpu)},
            {"speedup_vs_int8", Finite(s.geo_speedup_vs_int8)},
            {"energy_reduction_vs_cpu", Finite(s.geo_energy_reduction_vs_cpu)},
            {"energy_reduction_vs_int8", Finite(s.geo_energy_reduction_vs_int8)}}},
          {"energy_above_idle_reduction_vs_cpu", Finite(s.energy_above_idle_reduction_vs_cpu)},
          {"energy_above_idle_reduction_vs_int8", Finite(s.energy_above_idle_reduction_vs_int8)}};
}

}  // namespace

nlohmann::json CompareToJson(const CompareReport& report) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : report.models) {
    nlohmann::json configs = nlohmann::json::array();
    const ConfigResult* cpu = m.Find("cpu");
    const ConfigResult* int8 = m.Find("int8");
    for (const auto& c : m.configs) {
      const Timeline& tl = c.timeline;
      nlohmann::json energy = nlohmann::json::object();
      for (const auto& [k, v] : tl.energy.components()) energy[k] = v * 1e3;
      // Where the CPU's share of the latency goes (transformers: softmax,
      // layer norm, GELU stay on the CPU).
      std::map<std::string, double> cpu_by_op;
      for (const NodeTiming& n : tl.nodes)
        if (!n.on_accel) cpu_by_op[n.op] += n.seconds * 1e3;
      nlohmann::json j = {
          {"name", c.name},
          {"latency_ms", c.latency_ms},
          {"energy_mj", c.energy_mj},
          {"outputs_match_cpu", c.outputs_match_cpu ? nlohmann::json(*c.outputs_match_cpu) : nlohmann::json(nullptr)},
          {"energy_above_idle_mj", c.energy_above_idle_mj},
          {"speedup_vs_cpu", cpu ? Finite(cpu->latency_ms / c.latency_ms) : nullptr},
          {"speedup_vs_int8", int8 ? Finite(int8->latency_ms / c.latency_ms) : nullptr},
          {"energy_reduction_vs_cpu", cpu ? Finite(cpu->energy_mj / c.energy_mj) : nullptr},
          {"energy_reduction_vs_int8", int8 ? Finite(int8->energy_mj / c.energy_mj) : nullptr},
          {"accel_config", c.accel_config},
          {"accel_layers", c.accel_layers},
          {"cpu_layers", c.cpu_layers},
          {"accel_mac_fraction", c.accel_mac_fraction},
          {"mismatched_bytes", c.mismatched_bytes},
          {"phases_ms",
           {{"cpu", tl.phases.cpu * 1e3},
            {"host", tl.phases.host * 1e3},
            {"dma_setup", tl.phases.dma_setup * 1e3},
            {"transfer", tl.phases.transfer * 1e3},
            {"accel", tl.phases.accel * 1e3}}},
          {"energy_components_mj", energy},
          {"cpu_ms_by_op", cpu_by_op}};
      if (!c.resource_source.empty()) j["resource_source"] = c.resource_source;
      configs.push_back(std::move(j));
    }
    models.push_back({{"name", m.name}, {"macs", m.macs}, {"configs", configs}});
  }
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& s : report.summary) summary[s.method] = SummaryJson(s);
  return {{"board", report.board},
          {"threads", report.threads},
          {"overlap", report.overlap},
          {"accel_family", report.accel_family},
          {"models", models},
          {"summary", summary},
          {"int8_vs_cpu",
           {{"speedup_vs_cpu", Finite(report.int8_summary.speedup_vs_cpu)},
            {"energy_reduction_vs_cpu", Finite(report.int8_summary.energy_reduction_vs_cpu)}}}};
}

std::string CompareToCsv(const CompareReport& report) {
  using report::CsvLine;
  std::string out = CsvLine({"model", "config", "accel_config", "latency_ms", "energy_mj", "energy_above_idle_mj",
                             "speedup_vs_cpu", "speedup_vs_int8", "energy_reduction_vs_cpu",
                             "energy_reduction_vs_int8", "outputs_match_cpu", "accel_layers", "cpu_layers"});
  auto num = [](double v) { return std::isfinite(v) ? report::Fixed(v, 6) : std::string(); };
  for (const auto& m : report.models) {
    const ConfigResult* cpu = m.Find("cpu");
    const ConfigResult* int8 = m.Find("int8");
    for (const auto& c : m.configs) {
      out += CsvLine({m.name, c.name, c.accel_config, num(c.latency_ms), num(c.energy_mj),
                      num(c.energy_above_idle_mj), cpu ? num(cpu->latency_ms / c.latency_ms) : "",
                      int8 ? num(int8->latency_ms / c.latency_ms) : "", cpu ? num(cpu->energy_mj / c.energy_mj) : "",
                      int8 ? num(int8->energy_mj / c.energy_mj) : "",
                      c.outputs_match_cpu ? (*c.outputs_match_cpu ? "true" : "false") : "",
                      std::to_string(c.accel_layers), std::to_string(c.cpu_layers)});
    }
  }
  return out;
}

std::string CompareToText(const CompareReport& report) {
  using report::Fixed;
  using report::Ratio;
  std::string out = "board " + report.board + ", " + std::to_string(report.threads) + " CPU thread(s), " +
                    (report.overlap ? "overlapped" : "sequential") + " host/accelerator, " + report.accel_family +
                    " accelerators\n\n";
  report::Table t({"model", "config", "latency ms", "energy mJ", "above idle mJ", "vs CPU", "energy vs CPU",
                   "vs INT8", "energy vs INT8", "accel layers", "outputs"});
  for (size_t mi = 0; mi < report.models.size(); ++mi) {
    const auto& m = report.models[mi];
    if (mi) t.AddSeparator();
    const ConfigResult* cpu = m.Find("cpu");
    const ConfigResult* int8 = m.Find("int8");
    for (const auto& c : m.configs) {
      const std::string match = !c.outputs_match_cpu ? "not checked"
                                : *c.outputs_match_cpu
                                    ? "match"
                                    : std::to_string(c.mismatched_bytes) + " bytes differ";
      t.AddRow({m.name, c.name, Fixed(c.latency_ms, 2), Fixed(c.energy_mj, 2), Fixed(c.energy_above_idle_mj, 2),
                cpu ? Ratio(cpu->latency_ms / c.latency_ms) : "-", cpu ? Ratio(cpu->energy_mj / c.energy_mj) : "-",
                int8 ? Ratio(int8->latency_ms / c.latency_ms) : "-",
                int8 ? Ratio(int8->energy_mj / c.energy_mj) : "-",
                c.name == "cpu" ? "-" : std::to_string(c.accel_layers) + "/" +
                                            std::to_string(c.accel_layers + c.cpu_layers),
                match});
    }
  }
  out += t.Render();
  out += "\nmeans over " + std::to_string(report.models.size()) +
         " model(s). speed-up: arithmetic mean (geometric mean); energy reduction: arithmetic mean of whole-board "
         "energy (of energy above idle)\n";
  report::Table s({"accelerator", "speedup vs CPU", "speedup vs INT8", "energy red. vs CPU", "energy red. vs INT8"});
  auto row = [&](const MethodSummary& m, bool vs_int8) {
    s.AddRow({m.method, Ratio(m.speedup_vs_cpu) + " (" + Ratio(m.geo_speedup_vs_cpu) + ")",
              vs_int8 ? Ratio(m.speedup_vs_int8) + " (" + Ratio(m.geo_speedup_vs_int8) + ")" : "-",
              Ratio(m.energy_reduction_vs_cpu) + " (" + Ratio(m.energy_above_idle_reduction_vs_cpu) + ")",
              vs_int8 ? Ratio(m.energy_reduction_vs_int8) + " (" + Ratio(m.energy_above_idle_reduction_vs_int8) + ")"
                      : "-"});
  };
  row(report.int8_summary, false);
  for (const auto& m : report.summary) row(m, true);
  out += s.Render();
  return out;
}

report::BarChart CompareChart(const CompareReport& report) {
  report::BarChart chart;
  chart.title = "Speed-up over CPU-only (" + std::to_string(report.threads) + " threads), " + report.board;
  chart.y_label = "speed-up vs CPU (x)";
  chart.reference_line = 1.0;
  chart.series = {"int8"};
  for (const auto& s : report.summary) chart.series.push_back(s.method);
  for (const auto& m : report.models) {
    report::BarGroup g;
    g.label = m.name;
    const ConfigResult* cpu = m.Find("cpu");
    for (const auto& name : chart.series) {
      const ConfigResult* c = m.Find(name);
      g.values.push_back(cpu && c ? cpu->latency_ms / c->latency_ms : NAN);
    }
    chart.groups.push_back(std::move(g));
  }
  return chart;
}

}  // namespace potacc::platform
