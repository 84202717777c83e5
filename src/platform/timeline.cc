#include "potacc/platform/timeline.h"

#include <algorithm>

#include "potacc/error.h"

namespace potacc::platform {

std::vector<std::pair<std::string, double>> Energy::components() const {
  return {{"ps_idle", ps_idle},         {"cpu_cores", cpu_cores}, {"pl_static", pl_static},
          {"accel_clock", accel_clock}, {"accel_dynamic", accel_dynamic},
          {"dma", dma},                 {"ddr", ddr}};
}

double ThreadSpeedup(const CpuCostModel& cpu, int threads) {
  const int n = std::clamp(threads, 1, std::max(1, cpu.cores));
  return 1.0 + (n - 1) * cpu.thread_efficiency;
}

double CpuNodeSeconds(const CpuCostModel& cpu, const NodeWork& node, int threads) {
  double cycles = 0;
  switch (node.op_class) {
    case OpClass::kConv: cycles = node.macs / cpu.conv_macs_per_cycle; break;
    case OpClass::kDepthwise: cycles = node.macs / cpu.depthwise_macs_per_cycle; break;
    case OpClass::kFullyConnected: cycles = node.macs / cpu.fc_macs_per_cycle; break;
    case OpClass::kMatMul: cycles = node.macs / cpu.matmul_macs_per_cycle; break;
    case OpClass::kElementwise: cycles = node.bytes / cpu.elementwise_bytes_per_cycle; break;
    case OpClass::kNonlinear: cycles = node.bytes / cpu.nonlinear_bytes_per_cycle; break;
    case OpClass::kDataMovement: cycles = node.bytes / cpu.data_movement_bytes_per_cycle; break;
  }
  if (IsMultithreaded(node.op_class)) cycles /= ThreadSpeedup(cpu, threads);
  return (cpu.op_overhead_cycles + cycles) / cpu.clock_hz;
}

Timeline ComputeTimeline(const Board& board, const Workload& work, const AccelPowerModel* pl_design,
                         const TimelineOptions& options) {
  Timeline tl;
  tl.threads = std::clamp(options.threads > 0 ? options.threads : board.cpu.cores, 1,
                          std::max(1, board.cpu.cores));
  tl.overlap = options.overlap;
  const PowerModel& pw = board.power;
  const double f_cpu = board.cpu.clock_hz;
  const double f_pl = board.fpga_clock_hz;
  const double ddr_bw = board.memory.ddr_bandwidth_bytes_per_s;

  double t = 0;
  for (const NodeWork& n : work.nodes) {
    NodeTiming nt;
    nt.node = n.node;
    nt.op = n.op;
    nt.on_accel = n.on_accel;
    nt.start_s = t;
    double node_energy = 0;
    if (!n.on_accel) {
      nt.cpu_s = CpuNodeSeconds(board.cpu, n, tl.threads);
      nt.seconds = nt.cpu_s;
      const int busy = IsMultithreaded(n.op_class) ? tl.threads : 1;
      const double e_cpu = busy * pw.core_active_w * nt.cpu_s;
      const double e_ddr = n.ddr_bytes * board.memory.ddr_energy_j_per_byte;
      tl.energy.cpu_cores += e_cpu;
      tl.energy.ddr += e_ddr;
      node_energy = e_cpu + e_ddr;
      tl.phases.cpu += nt.cpu_s;
    } else {
      if (!pl_design)
        throw Error("timeline: node " + std::to_string(n.node) + " (" + n.op +
                    ") is on the accelerator but no accelerator design is loaded");
      const AccelNodeWork& a = n.accel;
      const HostDriverCost& h = board.host;
      nt.host_s = (a.im2col_bytes / h.im2col_bytes_per_cycle +
                   (a.input_pack_bytes + a.weight_copy_bytes) / h.dma_buffer_write_bytes_per_cycle +
                   a.output_unpack_bytes / h.dma_buffer_read_bytes_per_cycle +
                   a.commands * h.per_command_cycles) /
                  f_cpu;
      nt.dma_setup_s = a.dma_transfers * board.dma.setup_seconds;
      // Streams deliver one beat per cycle unless DRAM cannot keep up.
      nt.transfer_s = std::max(a.load_cycles / f_pl, a.bytes_to_accel / ddr_bw);
      const double compute_s = a.compute_cycles / f_pl;
      nt.accel_s = std::max(compute_s, a.bytes_from_accel / ddr_bw);
      const double host_side = nt.host_s + nt.dma_setup_s;
      const double device_side = nt.transfer_s + nt.accel_s;
      if (options.overlap || a.overlap) {
        const double tiles = std::max<int64_t>(1, a.tiles);
        nt.seconds = std::max(host_side, device_side) + std::min(host_side, device_side) / tiles;
      } else {
        nt.seconds = host_side + device_side;
      }
      // One host thread drives the accelerator: busy copying, else polling.
      const double e_cpu = pw.core_active_w * nt.seconds;
      const double stream_s = nt.transfer_s + a.bytes_from_accel / board.dma.stream_bandwidth_bytes_per_s;
      const double e_dma = pw.dma_active_w * stream_s;
      const double e_dyn = std::clamp(a.pe_utilization, 0.0, 1.0) * pl_design->active_w * compute_s;
      const int64_t dram_bytes = a.bytes_to_accel + a.bytes_from_accel + 2 * a.im2col_bytes +
                                 a.input_pack_bytes + 2 * a.weight_copy_bytes + a.output_unpack_bytes;
      const double e_ddr = dram_bytes * board.memory.ddr_energy_j_per_byte;
      tl.energy.cpu_cores += e_cpu;
      tl.energy.dma += e_dma;
      tl.energy.accel_dynamic += e_dyn;
      tl.energy.ddr += e_ddr;
      node_energy = e_cpu + e_dma + e_dyn + e_ddr;
      tl.phases.host += nt.host_s;
      tl.phases.dma_setup += nt.dma_setup_s;
      tl.phases.transfer += nt.transfer_s;
      tl.phases.accel += nt.accel_s;
    }
    nt.energy_j = node_energy;
    t += nt.seconds;
    tl.nodes.push_back(std::move(nt));
  }
  tl.latency_s = t;
  tl.energy.ps_idle = pw.ps_idle_w * t;
  if (pl_design) {
    tl.energy.pl_static = pw.pl_static_w * t;
    tl.energy.accel_clock = pl_design->clock_w * t;
  }
  return tl;
}

}  // namespace potacc::platform
