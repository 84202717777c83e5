// Printing an AccelRun: the per-layer table of `potacc run --accel` and its
// JSON form (--json). Keys: config, board, pe_method, units, clock_hz,
// layers[] {node, op, device, reason, gemm {m,n,k}, cycles {config,
// load_input, load_weights, compute, nop, total}, utilization, host {...},
// bytes_to_accel, bytes_from_accel}, totals {...}.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "potacc/accel/stats.h"

namespace potacc::accel {

// One line per node (CPU nodes show the reason), then totals.
void PrintAccelRunTable(std::ostream& os, const AccelRun& run);
nlohmann::json AccelRunToJson(const AccelRun& run);
// Writes AccelRunToJson to `path` (potacc::Error if it cannot be written).
void WriteAccelRunJson(const std::string& path, const AccelRun& run);

}  // namespace potacc::accel
