#include "potacc/accel/report.h"

#include <algorithm>
#include <fstream>

#include "accel/format.h"
#include "potacc/accel/backend.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

using detail::Fmt;

nlohmann::json CyclesJson(const PhaseCycles& c) {
  return {{"config", c.config},         {"load_input", c.load_input}, {"load_weights", c.load_weights},
          {"compute", c.compute},       {"nop", c.nop},               {"total", c.total()},
          {"post_drain", c.post_drain}, {"output_beats", c.output_beats}};
}

nlohmann::json HostJson(const HostWork& h) {
  return {{"im2col_bytes", h.im2col_bytes},
          {"input_pack_bytes", h.input_pack_bytes},
          {"weight_copy_bytes", h.weight_copy_bytes},
          {"output_scatter_bytes", h.output_scatter_bytes},
          {"row_split_copies", h.row_split_copies},
          {"commands", h.commands},
          {"dma_transfers", h.dma_transfers}};
}

// The event model's cycles summed over the layers that have them.
PhaseCycles ModelTotal(const AccelRun& run) {
  PhaseCycles c;
  for (const LayerStats& l : run.layers)
    if (l.device == "accel" && l.has_model_cycles) c += l.model_cycles;
  return c;
}

}  // namespace

void PrintAccelRunTable(std::ostream& os, const AccelRun& run) {
  os << "accelerator " << run.config_name << " (" << run.pe_method << ", " << run.units << " units @ "
     << Fmt("%.0f", run.clock_hz / 1e6) << " MHz, peak " << run.peak_macs_per_cycle << " MAC/cycle) on the "
     << (run.backend.empty() ? kDefaultBackend : run.backend) << " backend\n";
  bool model = false;
  for (const LayerStats& l : run.layers) model = model || l.has_model_cycles;
  if (model)
    os << "cycles counted by the " << run.backend << " backend; 'vs model' = its total minus the event model's for the "
          "same commands\n";
  os << Fmt("%4s  %-18s %-5s %-18s %8s %9s %9s %10s %10s %6s  %s\n", "node", "op", "dev", "GEMM MxNxK", "config",
            "load_in", "load_wgt", "compute", "total", "util", model ? "vs model  note" : "note");
  for (const LayerStats& l : run.layers) {
    if (l.device == "accel") {
      const std::string gemm = std::to_string(l.m) + "x" + std::to_string(l.n) + "x" + std::to_string(l.k);
      std::string note = l.invocations == 0 ? "not run" : Fmt("%lldx%lld tiles", static_cast<long long>(l.row_tiles),
                                                               static_cast<long long>(l.col_tiles));
      if (l.k_chunks > 1) note += Fmt(", %lld K-chunks", static_cast<long long>(l.k_chunks));
      if (model) note = Fmt("%+8lld  ", static_cast<long long>(l.cycles.total() - l.model_cycles.total())) + note;
      os << Fmt("%4d  %-18s %-5s %-18s %8lld %9lld %9lld %10lld %10lld %5.1f%%  %s\n", l.node, l.op.c_str(), "accel",
                gemm.c_str(), static_cast<long long>(l.cycles.config), static_cast<long long>(l.cycles.load_input),
                static_cast<long long>(l.cycles.load_weights), static_cast<long long>(l.cycles.compute),
                static_cast<long long>(l.cycles.total()), 100.0 * l.utilization, note.c_str());
    } else {
      os << Fmt("%4d  %-18s %-5s %-18s %8s %9s %9s %10s %10s %6s  %s\n", l.node, l.op.c_str(), "cpu", "-", "", "", "", "",
                "", "", l.reason.c_str());
    }
  }
  const PhaseCycles t = run.total_cycles();
  const int64_t macs = run.total_accel_macs();
  const double util = t.total() > 0 ? static_cast<double>(macs) / (static_cast<double>(t.total()) * run.peak_macs_per_cycle) : 0;
  os << Fmt("total: %d of %zu nodes on the accelerator, %.3f GMAC; cycles config %lld, load_input %lld, load_weights %lld, "
            "compute %lld, nop %lld = %lld (%.3f ms at %.0f MHz), utilization %.1f%%\n",
            run.accel_layers(), run.layers.size(), static_cast<double>(macs) / 1e9, static_cast<long long>(t.config),
            static_cast<long long>(t.load_input), static_cast<long long>(t.load_weights), static_cast<long long>(t.compute),
            static_cast<long long>(t.nop), static_cast<long long>(t.total()), 1e3 * run.seconds(t.total()),
            run.clock_hz / 1e6, 100.0 * util);
  if (model) {
    const PhaseCycles mt = ModelTotal(run);
    os << Fmt("event model for the same commands: compute %lld, total %lld cycles (%s backend %+lld)\n",
              static_cast<long long>(mt.compute), static_cast<long long>(mt.total()), run.backend.c_str(),
              static_cast<long long>(t.total() - mt.total()));
  }
}

nlohmann::json AccelRunToJson(const AccelRun& run) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerStats& l : run.layers) {
    nlohmann::json j = {{"node", l.node}, {"op", l.op}, {"device", l.device}};
    if (l.device == "accel") {
      j["gemm"] = {{"m", l.m}, {"n", l.n}, {"k", l.k}, {"rm", l.rm}, {"rn", l.rn}, {"rk", l.rk}};
      j["tiling"] = {{"col_inc", l.col_inc}, {"row_inc", l.row_inc}, {"row_tiles", l.row_tiles},
                     {"col_tiles", l.col_tiles}, {"weight_loads", l.weight_loads}, {"k_chunks", l.k_chunks}};
      j["cycles"] = CyclesJson(l.cycles);
      if (l.has_model_cycles) j["model_cycles"] = CyclesJson(l.model_cycles);
      j["macs"] = l.macs();
      j["utilization"] = l.utilization;
      j["compute_utilization"] = l.compute_utilization;
      j["host"] = HostJson(l.host);
      j["bytes_to_accel"] = l.bytes_to_accel;
      j["bytes_from_accel"] = l.bytes_from_accel;
      j["preload_weight_bytes"] = l.preload_weight_bytes;
      nlohmann::json units = nlohmann::json::array();
      for (const UnitActivity& u : l.units)
        units.push_back({{"pe_busy", u.pe_busy}, {"ppu_busy", u.ppu_busy}, {"tiles", u.tiles},
                         {"idle", std::max<int64_t>(0, l.cycles.compute - u.pe_busy)}});
      j["units"] = units;
      j["invocations"] = l.invocations;
    } else {
      j["reason"] = l.reason;
      j["cycles"] = CyclesJson(PhaseCycles{});  // nothing on the accelerator
    }
    layers.push_back(j);
  }
  const PhaseCycles t = run.total_cycles();
  const int64_t macs = run.total_accel_macs();
  nlohmann::json totals = {{"accel_layers", run.accel_layers()},
                           {"cpu_layers", static_cast<int>(run.layers.size()) - run.accel_layers()},
                           {"macs", macs},
                           {"cycles", CyclesJson(t)},
                           {"seconds", run.seconds(t.total())},
                           {"utilization", t.total() > 0 ? static_cast<double>(macs) /
                                                               (static_cast<double>(t.total()) * run.peak_macs_per_cycle)
                                                         : 0.0},
                           {"host", HostJson(run.total_host())}};
  bool model = false;
  for (const LayerStats& l : run.layers) model = model || l.has_model_cycles;
  if (model) totals["model_cycles"] = CyclesJson(ModelTotal(run));
  return {{"config", run.config_name}, {"backend", run.backend}, {"board", run.board},   {"pe_method", run.pe_method},
          {"units", run.units},        {"clock_hz", run.clock_hz}, {"peak_macs_per_cycle", run.peak_macs_per_cycle},
          {"layers", layers},          {"totals", totals}};
}

void WriteAccelRunJson(const std::string& path, const AccelRun& run) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write '" + path + "'");
  out << AccelRunToJson(run).dump(2) << "\n";
  if (!out) throw Error("error writing '" + path + "'");
}

}  // namespace potacc::accel
