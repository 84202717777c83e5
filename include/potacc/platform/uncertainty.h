// Uncertainty of a board comparison: every board number that carries a
// plausible range (configs/boards/*.json) is varied, the accelerator runs stay
// as simulated, and every figure of the report - each latency, both energies,
// each ratio and each mean - gets a central value (all numbers at their
// documented values) and an interval.
//
//   Monte Carlo: `samples` boards, each number drawn independently and
//     log-uniformly in [low, high] (uniformly when low is 0) from a fixed seed;
//     interval = the central `coverage` of the samples, widened to include the
//     central value.
//   Corners: per figure, every number at the end of its range that moves the
//     figure up (down) in a one-at-a-time sweep; interval = the figure at those
//     two corners. Exact for figures monotonic in each number.
//
// The tornado of a figure: one bar per ranged number, the figure with that
// number at its low and at its high end (all others at their values).
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/platform/board.h"
#include "potacc/platform/compare.h"
#include "potacc/report/svg_chart.h"

namespace potacc::platform {

// The named figures of a report:
//   <model>/<config>/latency_ms | energy_mj | energy_above_idle_mj
//   <model>/<config>/speedup_vs_cpu | speedup_vs_int8 | energy_reduction_vs_cpu | energy_reduction_vs_int8 |
//                    energy_above_idle_reduction_vs_cpu | energy_above_idle_reduction_vs_int8
//   mean/<config>/<ratio>        arithmetic mean over models (the published statistic)
//   max/<ratio>                  largest per-model ratio of any shift configuration
using Figures = std::map<std::string, double>;
Figures ReportFigures(const CompareReport& report);

struct Interval {
  double central = NAN, low = NAN, high = NAN;
  bool Contains(double v) const { return v >= low && v <= high; }
};

enum class UncertaintyMethod : uint8_t { kMonteCarlo, kCorners };

struct UncertaintyOptions {
  UncertaintyMethod method = UncertaintyMethod::kMonteCarlo;
  int samples = 1000;       // Monte Carlo boards
  uint64_t seed = 1;
  double coverage = 0.95;   // Monte Carlo interval: central 95 % of the samples
  // Figure of the tornado (default: mean speed-up vs CPU of the first shift configuration).
  std::string tornado_figure;
};

struct TornadoBar {
  std::string parameter;  // "cpu.conv_macs_per_cycle"
  double low = 0, high = 0;         // the parameter's range
  double at_low = 0, at_high = 0;   // the figure there
  double swing() const { return std::fabs(at_high - at_low); }
};

struct UncertaintyResult {
  UncertaintyMethod method = UncertaintyMethod::kMonteCarlo;
  int samples = 0;  // boards evaluated
  uint64_t seed = 0;
  double coverage = 0;
  std::vector<BoardValue> parameters;      // the ranged numbers varied
  std::map<std::string, Interval> figures;  // every figure of ReportFigures
  std::string tornado_figure;
  double tornado_central = NAN;
  std::vector<TornadoBar> tornado;  // largest swing first
};

// The board numbers with a range (the parameters of the study).
std::vector<BoardValue> RangedValues(const Board& board);

// Throws potacc::Error when the board has no ranged number, samples < 1 or
// the tornado figure is not a figure of the report.
UncertaintyResult PropagateUncertainty(const CompareReport& report, const Board& board,
                                       const UncertaintyOptions& options);

// Readable table: central value and interval of every latency, energy and ratio.
std::string UncertaintyToText(const CompareReport& report, const UncertaintyResult& u);
nlohmann::json UncertaintyToJson(const UncertaintyResult& u);
report::TornadoChart TornadoChartOf(const UncertaintyResult& u, const std::string& board);

}  // namespace potacc::platform
