// The reference work's first experiment: single-GEMM layers swept over
// M x N x K, run on every PE type's accelerator, reporting cycles, latency
// and energy per PE (`potacc compare --synthetic`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/platform/compare.h"

namespace potacc::platform {

struct SyntheticOptions {
  std::vector<int> m = {128, 256, 512};    // rows (output pixels)
  std::vector<int> n = {64, 256, 1024};    // columns (output channels)
  std::vector<int> k = {256, 512, 1024};   // depth
  std::vector<std::string> pes = {"int8", "qkeras", "apot", "msq", "uniform4"};
  CompareOptions compare;                  // board, timeline, accel family, executor
};

struct SyntheticRow {
  int m = 0, n = 0, k = 0;
  std::string pe;
  int64_t accel_cycles = 0;    // all accelerator commands of the layer
  int64_t compute_cycles = 0;  // COMPUTE commands only
  double macs_per_cycle = 0;   // over all accelerator cycles
  double latency_ms = 0;       // end to end on the board (host work + transfers + accelerator)
  double energy_mj = 0;
  double cpu_latency_ms = 0;   // the same GEMM on the board's CPU
};

// A 1x1 CONV_2D over [1, M, 1, K] with N filters whose weights lie on the PE
// method's grid (so no requantization is needed).
Model MakeSyntheticGemm(int m, int n, int k, const std::string& pe, uint64_t seed = 1);

std::vector<SyntheticRow> RunSynthetic(const SyntheticOptions& options);

std::string SyntheticToText(const std::vector<SyntheticRow>& rows, const std::string& board);
std::string SyntheticToCsv(const std::vector<SyntheticRow>& rows);
nlohmann::json SyntheticToJson(const std::vector<SyntheticRow>& rows, const std::string& board);
// One group per GEMM shape, one bar per PE (latency in ms).
report::BarChart SyntheticChart(const std::vector<SyntheticRow>& rows, const std::string& board);

}  // namespace potacc::platform
