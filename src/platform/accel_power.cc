#include "potacc/platform/accel_power.h"

#include <algorithm>
#include <fstream>

#include "potacc/error.h"
#include "potacc/util/file.h"
#include "potacc/hw/synth_results.h"

namespace potacc::platform {
namespace {

Resources ReadCounts(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected an object of resource counts");
  return ResourcesFrom([&](const char* key) {
    if (!j.contains(key)) return 0.0;
    if (!j.at(key).is_number()) throw Error(where + "." + key + ": expected a number");
    return j.at(key).get<double>();
  });
}

Resources Scale(const Resources& r, double s) {
  return {r.lut * s, r.ff * s, r.dsp * s, r.bram * s, r.uram * s};
}

// Per-unit figures for a method: the synthesized GEMM unit (LUT-mapped
// preferred), else 64 PEs.
std::optional<Resources> UnitOf(const HwSynthResults& s, const std::string& method) {
  for (const auto* units : {&s.gemm_unit_nodsp, &s.gemm_unit})
    if (auto it = units->find(method); it != units->end()) return it->second;
  for (const auto* pes : {&s.pe_nodsp, &s.pe})
    if (auto it = pes->find(method); it != pes->end()) return Scale(it->second, kPesPerUnit);
  return std::nullopt;
}

// Shell + array split of one resource from two published designs (a, b) and
// the synthesized size ratio of their arrays: S + A_a = P_a, S + A_a*rho = P_b.
// Returns the method's count S + A_a * ratio_m, or nullopt if ill-posed.
std::optional<double> SplitScale(double published_a, double published_b, double unit_a, double unit_b,
                                 double unit_m) {
  if (unit_a <= 0) return std::nullopt;
  const double rho = unit_b / unit_a;
  if (rho >= 0.95) return std::nullopt;  // arrays too similar to separate shell and array
  const double array_a = (published_a - published_b) / (1.0 - rho);
  const double shell = published_a - array_a;
  if (array_a <= 0 || shell < 0) return std::nullopt;
  return shell + array_a * unit_m / unit_a;
}

// The published INT8 counts times method/int8 of the synthesized whole
// accelerators of the board's design, resource by resource (a resource the
// synthesized int8 design does not use keeps the published count).
std::optional<Resources> WholeDesignScale(const Board& board, const std::string& method, const HwSynthResults* synth) {
  if (!synth) return std::nullopt;
  const auto designs = synth->accel.find(board.accel_board);
  const auto p8 = board.power.published_resources.find("int8");
  if (designs == synth->accel.end() || p8 == board.power.published_resources.end()) return std::nullopt;
  const auto ours = designs->second.find(method), ours8 = designs->second.find("int8");
  if (ours == designs->second.end() || ours8 == designs->second.end()) return std::nullopt;
  auto scale = [](double published8, double m, double m8) { return m8 > 0 ? published8 * m / m8 : published8; };
  const Resources &P = p8->second, &M = ours->second, &M8 = ours8->second;
  return Resources{scale(P.lut, M.lut, M8.lut), scale(P.ff, M.ff, M8.ff), scale(P.dsp, M.dsp, M8.dsp),
                   scale(P.bram, M.bram, M8.bram), scale(P.uram, M.uram, M8.uram)};
}

}  // namespace

std::filesystem::path DefaultHwSynthResultsPath() {
  return hw::CachedResultsPath();  // one place decides (POTACC_HW_DIR, hw_dir.h)
}

std::optional<HwSynthResults> LoadHwSynthResults(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  const std::string text = ReadTextFile(path.string());
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
  HwSynthResults r;
  r.file = path;
  const std::pair<const char*, std::map<std::string, Resources>*> blocks[] = {
      {"pe", &r.pe}, {"gemm_unit", &r.gemm_unit}, {"pe_nodsp", &r.pe_nodsp}, {"gemm_unit_nodsp", &r.gemm_unit_nodsp}};
  if (doc.contains("accel") && doc.at("accel").is_object()) {
    for (const auto& [board, methods] : doc.at("accel").items()) {
      if (!methods.is_object()) continue;
      for (const auto& [method, item] : methods.items()) {
        if (!item.is_object()) continue;
        const std::string where = path.string() + ": accel." + board + "." + method;
        Resources res = ReadCounts(item, where);
        if (item.contains("lutram") && item.at("lutram").is_number())
          res.lut += item.at("lutram").get<double>();  // LUTs as memory count as LUTs (Vivado's figure)
        res.bram = item.value("bram_tiles", item.value("bram36", 0) + item.value("bram18", 0) / 2.0);
        r.accel[board][method] = res;
      }
    }
  }
  for (const auto& [block, dst_ptr] : blocks) {
    if (!doc.contains(block) || !doc.at(block).is_object()) continue;
    auto& dst = *dst_ptr;
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
  AccelPowerModel m;
  m.method = method;
  if (it != published.end()) {
    m.resources = it->second;
    m.resource_source = "published Vivado figures (board file, reference §7)";
  } else if (auto whole = WholeDesignScale(board, method, synth)) {
    m.resources = *whole;
    m.resource_source = "published INT8 design (reference §7) scaled by the synthesized whole accelerators' " + method +
                        "/int8 ratio (" + synth->file.filename().string() + ", accel." + board.accel_board + ")";
  } else {
    auto p8 = published.find("int8");
    auto pq = published.find("qkeras");
    std::optional<Resources> u8, uq, um;
    if (synth) {
      u8 = UnitOf(*synth, "int8");
      uq = UnitOf(*synth, "qkeras");
      um = UnitOf(*synth, method);
    }
    std::optional<double> lut, ff;
    if (p8 != published.end() && pq != published.end() && u8 && uq && um) {
      lut = SplitScale(p8->second.lut, pq->second.lut, u8->lut, uq->lut, um->lut);
      ff = SplitScale(p8->second.ff, pq->second.ff, u8->ff, uq->ff, um->ff);
    }
    if (!lut) {
      std::string known;
      for (const auto& [k, v] : published) known += (known.empty() ? "" : ", ") + k;
      throw Error("board " + board.name + ": no resource figures for accelerator \"" + method +
                  "\" (power.published_resources has: " + known +
                  "; hw/synth/results.json can fill in others once it has int8, qkeras and " + method + ")");
    }
    m.resources = p8->second;  // DSP and memories as in the INT8 design
    m.resources.lut = *lut;
    if (ff) m.resources.ff = *ff;
    m.resource_source = "published INT8/QKeras designs (reference §7) split into shell + array, array scaled by "
                        "synthesized GEMM units (" + synth->file.filename().string() + ")";
  }
  return AccelPowerFromResources(board, method, m.resources, m.resource_source);
}

AccelPowerModel AccelPowerFromResources(const Board& board, const std::string& method, const Resources& r,
                                        const std::string& source) {
  AccelPowerModel m;
  m.method = method;
  m.resources = r;
  m.resource_source = source;
  const PowerModel& p = board.power;
  const double f = board.fpga_clock_hz;
  m.clock_w = f * r.ff * p.ff_clock_j_per_cycle;
  m.active_w = f * (p.logic_toggle_rate *
                        (r.lut * p.lut_j_per_toggle + r.ff * p.ff_j_per_toggle + r.dsp * p.dsp_j_per_op) +
                    p.memory_access_rate * (r.bram * p.bram_j_per_access + r.uram * p.uram_j_per_access));
  return m;
}

}  // namespace potacc::platform
