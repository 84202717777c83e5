#include "potacc/platform/accel_workload.h"

#include <algorithm>

#include "potacc/accel/config.h"
#include "potacc/error.h"

namespace potacc::platform {

POTACC_REGISTER_ACCEL_MODE(accel::ModeSpec{accel::kModeHostOverlap,
                                           "double-buffered DMA buffers: the host prepares tile t+1 while the "
                                           "accelerator runs tile t (board timeline)",
                                           0, 0, 1});

AccelNodeWork AccelNodeFromStats(const accel::LayerStats& l, const std::string& pe_method) {
  AccelNodeWork a;
  a.m = l.m;
  a.n = l.n;
  a.k = l.k;
  a.im2col_bytes = l.host.im2col_bytes;
  a.input_pack_bytes = l.host.input_pack_bytes;
  a.weight_copy_bytes = l.host.weight_copy_bytes;
  a.output_unpack_bytes = l.host.output_scatter_bytes;
  a.commands = l.host.commands;
  a.dma_transfers = l.host.dma_transfers;
  a.tiles = std::max<int64_t>(1, l.row_tiles * std::max<int64_t>(1, l.col_tiles));
  a.bytes_to_accel = l.bytes_to_accel;
  a.bytes_from_accel = l.bytes_from_accel;
  a.load_cycles = l.cycles.load_input + l.cycles.load_weights;
  a.compute_cycles = l.cycles.config + l.cycles.compute + l.cycles.nop;
  int64_t busy = 0;
  for (const auto& u : l.units) busy += u.pe_busy;
  const double unit_cycles = static_cast<double>(l.units.size()) * static_cast<double>(l.cycles.compute);
  a.pe_utilization = unit_cycles > 0 ? std::clamp(busy / unit_cycles, 0.0, 1.0) : 0.0;
  a.pe_method = pe_method;
  return a;
}

Workload AccelWorkload(const Model& model, const accel::AccelRun& run, const std::string& name) {
  Workload w = CpuWorkload(model, name);
  if (run.layers.size() != w.nodes.size())
    throw Error(name + ": accelerator run has " + std::to_string(run.layers.size()) + " layers, model has " +
                std::to_string(w.nodes.size()) + " nodes");
  for (size_t i = 0; i < run.layers.size(); ++i) {
    const accel::LayerStats& l = run.layers[i];
    if (l.device != "accel") continue;
    if (!l.op.empty() && l.op != w.nodes[i].op)
      throw Error(name + ": accelerator run node " + std::to_string(i) + " is " + l.op + ", model has " +
                  w.nodes[i].op);
    w.nodes[i].on_accel = true;
    w.nodes[i].accel = AccelNodeFromStats(l, run.pe_method);
    w.nodes[i].accel.overlap = run.host_overlap;
  }
  return w;
}

}  // namespace potacc::platform
