// Accelerator vs CPU reference, node by node (`potacc diff`). Two kinds of
// comparison per node:
//  * end to end: the node's outputs in the accelerated run vs the CPU run
//    (differences propagate downstream);
//  * isolated (accelerated nodes): the accelerator's output vs the TFLite
//    reference GEMM of that layer computed on the very input the accelerator
//    saw, so each layer's own error (e.g. the single-rounding PPU's ±1 LSB)
//    is counted without upstream effects.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "potacc/accel/config.h"
#include "potacc/model.h"
#include "potacc/util/progress.h"

namespace potacc::accel {

struct LayerDiff {
  int node = -1;
  std::string op, device, reason;
  int64_t elements = 0, mismatches = 0;
  double max_abs = 0;
  int64_t isolated_elements = 0, isolated_mismatches = 0, isolated_off_by_one = 0;
  double isolated_max_abs = 0;
};

struct DiffReport {
  std::string config;
  std::string backend;
  int inputs = 0;
  std::vector<LayerDiff> layers;
  int64_t accel_elements() const;
  int64_t accel_mismatches() const;        // isolated, summed over accelerated layers
  int64_t accel_off_by_one() const;
  int64_t end_to_end_mismatches() const;   // all nodes
  bool bit_exact() const { return end_to_end_mismatches() == 0 && accel_mismatches() == 0; }
};

// Runs every input (raw bytes of input tensor 0) through the CPU reference and
// through the accelerator configuration, comparing per node.
// progress: one report per input. backend: where the accelerated layers run
// (backend.h).
DiffReport DiffAgainstCpu(const Model& model, const AcceleratorConfig& config,
                          const std::vector<std::vector<uint8_t>>& inputs, const ProgressCallback& progress = {},
                          const std::string& backend = "sim");

void PrintDiffReport(std::ostream& os, const DiffReport& report);

}  // namespace potacc::accel
