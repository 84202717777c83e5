#include "potacc/platform/accel_power.h"

#include <algorithm>
#include <fstream>

#include "potacc/error.h"

namespace potacc::platform {
namespace {

Resources ReadCounts(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected an object of resource counts");
  Resources r;
  auto get = [&](const char* key) {
    if (!j.contains(key)) return 0.0;
    if (!j.at(key).is_number()) throw Error(where + "." + key + ": expected a number");
    return j.at(key).get<double>();
  };
  r.lut = get("lut");
  r.ff = get("ff");
  r.dsp = get("dsp");
  r.bram = get("bram");
  r.uram = get("uram");
  return r;
}

Resources Scale(const Resources& r, double s) {
  return {r.lut * s, r.ff * s, r.dsp * s, r.bram * s, r.uram * s};
}

// Per-unit figures for a method: the synthesized GEMM unit, else PEs x 64.
std::optional<Resources> UnitOf(const HwSynthResults& s, const std::string& method) {
  if (auto it = s.gemm_unit.find(method); it != s.gemm_unit.end()) return it->second;
  if (auto it = s.pe.find(method); it != s.pe.end()) return Scale(it->second, kPesPerUnit);
  return std::nullopt;
}

}  // namespace

std::filesystem::path DefaultHwSynthResultsPath() {
  return std::filesystem::path(POTACC_SOURCE_DIR) / "hw" / "synth" / "results.json";
}

std::optional<HwSynthResults> LoadHwSynthResults(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
  HwSynthResults r;
  r.file = path;
  for (const char* block : {"pe", "gemm_unit"}) {
    if (!doc.contains(block)) continue;
    auto& dst = std::string(block) == "pe" ? r.pe : r.gemm_unit;
    for (const auto& [method, item] : doc.at(block).items()) {
      if (!item.is_object()) continue;
      dst[method] = ReadCounts(item, path.string() + ": " + block + "." + method);
    }
  }
  return r;
}

AccelPowerModel AccelPowerFor(const Board& board, const std::string& method,
                              const HwSynthResults* synth) {
  const auto& published = board.power.published_resources;
  auto it = published.find(method);
  if (it == published.end()) {
    std::string known;
    for (const auto& [k, v] : published) known += (known.empty() ? "" : ", ") + k;
    throw Error("board " + board.name + ": no published resource figures for accelerator \"" +
                method + "\" (power.published_resources has: " + known + ")");
  }
  AccelPowerModel m;
  m.method = method;
  m.resources = it->second;
  m.resource_source = "published Vivado figures (board file, reference §7)";
  if (synth) {
    auto base_it = published.find("int8");
    auto unit_m = UnitOf(*synth, method);
    auto unit_int8 = UnitOf(*synth, "int8");
    if (base_it != published.end() && unit_m && unit_int8) {
      // Keep the published shell (buffers, control, PPU, stream logic) of the INT8
      // design and swap its array for V synthesized units of this method.
      const double v = board.accel_units;
      const Resources& base = base_it->second;
      Resources r;
      r.lut = std::max(0.0, base.lut - v * unit_int8->lut) + v * unit_m->lut;
      r.ff = std::max(0.0, base.ff - v * unit_int8->ff) + v * unit_m->ff;
      r.dsp = std::max(0.0, base.dsp - v * unit_int8->dsp) + v * unit_m->dsp;
      r.bram = it->second.bram;
      r.uram = it->second.uram;
      m.resources = r;
      m.resource_source = "published INT8 shell (reference §7) + " + std::to_string(board.accel_units) +
                          " x synthesized GEMM unit (" + synth->file.filename().string() + ")";
    }
  }
  const PowerModel& p = board.power;
  const double f = board.fpga_clock_hz;
  const Resources& r = m.resources;
  m.clock_w = f * r.ff * p.ff_clock_j_per_cycle;
  m.active_w = f * (p.logic_toggle_rate *
                        (r.lut * p.lut_j_per_toggle + r.ff * p.ff_j_per_toggle + r.dsp * p.dsp_j_per_op) +
                    p.memory_access_rate * (r.bram * p.bram_j_per_access + r.uram * p.uram_j_per_access));
  return m;
}

}  // namespace potacc::platform
