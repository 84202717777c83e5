// Bridges the accelerator simulator's per-layer statistics (accel/stats.h)
// into the timeline's workload: CPU nodes keep their CPU work, delegated
// nodes carry host work, transfers and simulated cycles.
#pragma once

#include <string>

#include "potacc/accel/stats.h"
#include "potacc/model.h"
#include "potacc/platform/workload.h"

namespace potacc::platform {

// One delegated layer's statistics as timeline input.
AccelNodeWork AccelNodeFromStats(const accel::LayerStats& layer, const std::string& pe_method);

// The model's workload with every layer the run placed on the accelerator
// replaced by its accelerator work. Throws potacc::Error if the run does not
// describe this model (node count or operator mismatch).
Workload AccelWorkload(const Model& model, const accel::AccelRun& run, const std::string& name);

}  // namespace potacc::platform
