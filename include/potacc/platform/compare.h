// The comparison table of the reference work, for any model on any board:
// CPU-only vs the INT8 multiplier accelerator vs each shift accelerator
// (qkeras, apot, msq; weights requantized onto the method's grid), latency
// and energy of one inference from the board model, with the accelerator
// outputs checked against the CPU reference run of the same weights.
// `potacc compare` and `potacc demo` call RunCompare.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/accel/config.h"
#include "potacc/accel/stats.h"
#include "potacc/model.h"
#include "potacc/platform/board.h"
#include "potacc/platform/timeline.h"
#include "potacc/platform/workload.h"
#include "potacc/report/svg_chart.h"
#include "potacc/util/progress.h"

namespace potacc::platform {

// Input tensors of one inference, one byte vector per model input.
using TensorBytes = std::vector<std::vector<uint8_t>>;

// One model run with an accelerator: per-layer statistics and (when asked)
// the output tensors.
struct AccelExecution {
  accel::AccelRun run;
  TensorBytes outputs;
};

// Runs `model` with `config` delegated; `functional` = compute the outputs too.
using AccelExecutor = std::function<AccelExecution(const Model& model, const accel::AcceleratorConfig& config,
                                                   const TensorBytes& inputs, bool functional)>;
// The accelerator simulator of accel/ (used when CompareOptions::executor is empty).
AccelExecution SimulateAccelerator(const Model& model, const accel::AcceleratorConfig& config,
                                   const TensorBytes& inputs, bool functional);

// The CPU reference run (potacc's int8 kernels, bit-exact with TFLite).
TensorBytes RunCpuReference(const Model& model, const TensorBytes& inputs);
// One deterministic pseudo-random input per model input (float inputs in [0, 1),
// integer inputs uniform over their type).
TensorBytes DeterministicInputs(const Model& model, uint64_t seed = 1);

struct CompareOptions {
  Board board;
  TimelineOptions timeline;              // threads, overlap
  std::vector<std::string> methods = {"qkeras", "apot", "msq"};  // shift accelerators
  // Accelerator family (configs/accel/families/<family>.json, or a family .json
  // file), composed with the board and each method.
  std::string accel_family = accel::kDefaultFamily;
  bool check_outputs = true;             // run CPU reference + functional simulation
  bool use_synth_resources = true;       // use hw/synth/results.json when present
  AccelExecutor executor;                // empty: SimulateAccelerator
  ProgressCallback progress;             // reported from the calling thread
};

struct ConfigResult {
  std::string name;           // cpu | int8 | qkeras | apot | msq
  std::string accel_config;   // accelerator configuration name ("" for cpu)
  double latency_ms = 0;
  double energy_mj = 0;       // whole board, integrated over the inference
  double energy_above_idle_mj = 0;  // minus idle power (the reference's §9 methodology)
  std::optional<bool> outputs_match_cpu;  // nullopt when not checked
  int64_t mismatched_bytes = 0;
  int accel_layers = 0;
  int cpu_layers = 0;
  double accel_mac_fraction = 0;  // share of the model's MACs run on the accelerator
  std::string resource_source;    // where the accelerator power's resource counts came from
  Timeline timeline;
  // What the run asks of the board and which design the PL holds meanwhile
  // (nullopt: none): enough to re-evaluate latency and energy on other board
  // values without re-running the accelerator (EvaluateOnBoard).
  Workload workload;
  std::optional<Resources> pl_resources;
};

struct ModelResult {
  std::string name;
  int64_t macs = 0;
  std::vector<ConfigResult> configs;  // cpu, int8, then the shift methods
  const ConfigResult* Find(const std::string& config) const;
};

// Ratios of one shift method, over models.
struct MethodSummary {
  std::string method;
  double speedup_vs_cpu = 0, speedup_vs_int8 = 0;                    // arithmetic means
  double energy_reduction_vs_cpu = 0, energy_reduction_vs_int8 = 0;  // arithmetic means (x less energy)
  double geo_speedup_vs_cpu = 0, geo_speedup_vs_int8 = 0;            // geometric means
  double geo_energy_reduction_vs_cpu = 0, geo_energy_reduction_vs_int8 = 0;
  // The same with energy above idle (how the reference measured power).
  double energy_above_idle_reduction_vs_cpu = 0, energy_above_idle_reduction_vs_int8 = 0;
};

struct CompareReport {
  std::string board;
  int threads = 1;
  bool overlap = false;
  TimelineOptions timeline;
  std::string accel_family;
  std::vector<ModelResult> models;
  std::vector<MethodSummary> summary;  // one per shift method
  MethodSummary int8_summary;          // the INT8 accelerator vs CPU (vs_int8 fields = 1)
};

struct NamedModel {
  std::string name;
  Model model;
};

// The reference evaluation's three ImageNet networks, generated (gen/).
std::vector<NamedModel> BuiltinCompareModels(uint64_t seed = 1);

CompareReport RunCompare(const std::vector<NamedModel>& models, const CompareOptions& options);

// Latency, both energies and the timeline of one configuration's run on
// `board` (its workload and PL design as recorded).
void EvaluateOnBoard(ConfigResult& result, const Board& board, const TimelineOptions& options);
// The report with every configuration re-evaluated on `board` (same
// accelerator runs; only board numbers differ) and re-summarized.
CompareReport EvaluateReport(const CompareReport& report, const Board& board);

// The two energy accountings, as the output names them.
inline constexpr const char* kWholeBoardAccounting =
    "whole board: everything the supply delivers during the inference (idle board, PL static power and clock tree "
    "whenever a bitstream is loaded, busy cores incl. the host's per-inference preparation, accelerator, DMA, DRAM) - "
    "what a USB meter integrating mWh over the run sees (the reference group's PYNQ method)";
inline constexpr const char* kAboveIdleAccounting =
    "above idle: inference power minus idle power with the bitstream loaded (drops idle board, PL static power and "
    "clock tree) - the reference's Kria INA260 method";
// Computes the summary of a report from its models (RunCompare calls it).
void Summarize(CompareReport& report, const std::vector<std::string>& methods);

// Outputs. JSON: models[] {name, configs[] {name, latency_ms, energy_mj,
// outputs_match_cpu, ...}}, summary {method: {speedup_vs_cpu, speedup_vs_int8,
// energy_reduction_vs_cpu, energy_reduction_vs_int8}}.
nlohmann::json CompareToJson(const CompareReport& report);
std::string CompareToCsv(const CompareReport& report);
std::string CompareToText(const CompareReport& report);
// Grouped bars: one group per model, one bar per accelerator configuration (speed-up vs CPU).
report::BarChart CompareChart(const CompareReport& report);

}  // namespace potacc::platform
