// `potacc board-bench`: times every operator of a model as it runs on the
// board itself (potacc's CPU kernels, and each accelerator call through a
// backend: "device" on a board, "device-model" or "sim" elsewhere), and
// writes a profile in the CSV format `potacc calibrate` reads (TFLite
// benchmark_model's per-operator format, plus a "device" column so the
// accelerator calls stay out of the CPU fit, plus a section with the
// accelerator's cycle counts where the backend has them).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "potacc/accel/config.h"
#include "potacc/model.h"

namespace potacc::platform {

struct BoardBenchOptions {
  std::optional<accel::AcceleratorConfig> accel;  // none: every node on the CPU
  std::string backend = "sim";
  int runs = 10;            // timed inferences after one warm-up inference
  uint64_t input_seed = 1;  // deterministic input (latency does not depend on values)
  // Called after each inference (0..runs, the warm-up first).
  std::function<void(int done, int total)> progress;
};

struct BenchNode {
  int node = -1;
  std::string op;          // "CONV_2D"
  std::string device;      // "cpu" or "accel"
  std::string name;        // "[output tensor]:node"
  double first_ms = 0;     // warm-up inference (accelerated: includes the weight preload)
  double avg_ms = 0, min_ms = 0, max_ms = 0;
  int64_t accel_cycles = 0;     // per inference, from the backend's counters (0: none)
  bool cycles_measured = false; // counted by hardware, not a model
  int64_t bytes_to_accel = 0, bytes_from_accel = 0;
};

struct BoardBenchResult {
  std::string model;
  std::string isa;      // CPU kernels' instruction set (kernels/gemm.h)
  std::string config;   // accelerator configuration, empty for CPU only
  std::string backend;  // "" for CPU only
  int runs = 0;
  std::vector<BenchNode> nodes;
  double total_avg_ms() const;
};

// Throws potacc::Error for runs outside [1, 100000].
BoardBenchResult BoardBench(const Model& model, const std::string& model_name, const BoardBenchOptions& options);

// The profile: the per-operator CSV, then a "potacc accelerator calls" section.
std::string FormatBoardBenchProfile(const BoardBenchResult& result);

}  // namespace potacc::platform
