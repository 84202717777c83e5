// End-to-end latency and energy of one inference on a board.
//
// Latency: nodes run in graph order. A CPU node costs
//   op_overhead + work / (rate * clock * speedup(threads))
// (speedup only for multithreaded kernels). An accelerator node costs, in the
// reference design's sequential mode (reference §5.4: "host copy time, DMA
// time and accelerator time add up"):
//   host work (im2col + row split + output scatter + commands) + DMA set-up
//   + transfers (max of streamed beats and DDR bandwidth) + accelerator cycles.
// In overlapped mode (potacc's improvement: double-buffered DMA buffers) the
// host side H and the device side D of a layer pipeline over its tiles:
//   max(H, D) + min(H, D) / tiles.
//
// Energy = the power model integrated over that timeline, per component:
//   ps_idle      P_ps_idle * latency
//   cpu_cores    P_core * busy cores * time (host driver: one core, busy-polling while it waits)
//   pl_static    P_pl_static * latency            (when a bitstream is loaded)
//   accel_clock  f * FF * E_clock * latency       (the loaded design's clock tree)
//   accel_dynamic  u * P_active * accelerator compute time
//   dma          P_dma * streaming time
//   ddr          E_byte * DRAM bytes
// energy_above_idle removes the first four terms' idle share, i.e. what the
// reference evaluation measures (inference power minus idle power, §9).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "potacc/platform/accel_power.h"
#include "potacc/platform/board.h"
#include "potacc/platform/workload.h"

namespace potacc::platform {

struct TimelineOptions {
  int threads = 0;        // CPU threads for CPU nodes; 0 = all cores of the board
  bool overlap = false;   // overlap host work with transfers + accelerator compute (every accelerated
                          // layer; a design with mode host_overlap overlaps its own layers regardless)
};

struct NodeTiming {
  int node = -1;
  std::string op;
  bool on_accel = false;
  double start_s = 0;
  double seconds = 0;          // wall time of this node
  double cpu_s = 0;            // CPU kernel time
  double host_s = 0;           // driver host work (im2col, split, scatter, commands)
  double dma_setup_s = 0;
  double transfer_s = 0;
  double accel_s = 0;          // accelerator compute (config + compute + drain)
  double energy_j = 0;         // variable (non-idle) energy of this node
};

// Time by activity (seconds). In overlapped mode they sum to more than the latency.
struct PhaseTimes {
  double cpu = 0, host = 0, dma_setup = 0, transfer = 0, accel = 0;
};

struct Energy {
  double ps_idle = 0, cpu_cores = 0, pl_static = 0, accel_clock = 0, accel_dynamic = 0, dma = 0,
         ddr = 0;
  double total() const {
    return ps_idle + cpu_cores + pl_static + accel_clock + accel_dynamic + dma + ddr;
  }
  double above_idle() const { return cpu_cores + accel_dynamic + dma + ddr; }
  // name -> joules, in a fixed order, for reports.
  std::vector<std::pair<std::string, double>> components() const;
};

struct Timeline {
  double latency_s = 0;
  int threads = 1;
  bool overlap = false;
  PhaseTimes phases;
  Energy energy;
  std::vector<NodeTiming> nodes;
};

// pl_design: the design loaded in the programmable logic (its clock-tree power
// runs for the whole inference); nullptr when no bitstream is loaded.
// Throws potacc::Error if an accelerator node is present without pl_design.
Timeline ComputeTimeline(const Board& board, const Workload& work, const AccelPowerModel* pl_design,
                         const TimelineOptions& options = {});

// Seconds of one CPU node with n threads (exposed for calibration and tests).
double CpuNodeSeconds(const CpuCostModel& cpu, const NodeWork& node, int threads);
// 1 + (n - 1) * efficiency, n clamped to [1, cores].
double ThreadSpeedup(const CpuCostModel& cpu, int threads);

}  // namespace potacc::platform
