#include "potacc/platform/resource_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "potacc/error.h"
#include "potacc/util/source_tree.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

Resources Add(const Resources& a, const Resources& b) {
  return {a.lut + b.lut, a.ff + b.ff, a.dsp + b.dsp, a.bram + b.bram, a.uram + b.uram};
}

const json& DevicesDoc() {
  static const json doc = [] {
    const std::string path = DevicesFilePath();
    std::ifstream in(path);
    if (!in) throw Error("cannot read the device list " + path + " (set POTACC_CONFIG_DIR to a folder holding devices.json)");
    try {
      return json::parse(in);
    } catch (const json::parse_error& e) {
      throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
    }
  }();
  return doc;
}

double ModelValue(const std::string& key) {
  const json& m = DevicesDoc().at("model");
  if (!m.contains(key) || !m.at(key).contains("value") || !m.at(key).at("value").is_number())
    throw Error(DevicesFilePath() + ": model." + key + ".value missing");
  return m.at(key).at("value").get<double>();
}

Resources Counts(const json& j, const std::string& where) {
  return ResourcesFrom([&](const char* k) {
    if (!j.contains(k) || !j.at(k).is_number()) throw Error(where + "." + k + ": expected a number");
    return j.at(k).get<double>();
  });
}

// Per-unit Yosys figures of a method's GEMM unit (multipliers in LUTs, as the
// published INT8 design maps them).
Resources UnitFigures(const HwSynthResults& s, const std::string& method) {
  for (const auto* units : {&s.gemm_unit_nodsp, &s.gemm_unit})
    if (auto it = units->find(method); it != units->end()) return it->second;
  throw Error(s.file.string() + ": no synthesized GEMM unit for method \"" + method + "\"");
}

// Partial-sum buffers of at most accel::kPsumLutramEntries (64) entries are
// distributed RAM: Yosys maps the 64 x 512-bit simple dual-port buffer into
// RAM64M (3 data bits x 64 entries in 4 LUTs), 684 LUTs per unit in the
// synthesized potacc-x-pynq-z2-apot (3,188 - 452 LUTRAM over 4 units).
using accel::kPsumLutramEntries;
double PsumLuts(const accel::AcceleratorConfig& c) {
  if (!c.depth_split() || c.buffers.psum_entries > kPsumLutramEntries) return 0;
  return std::ceil(512.0 / 3) * 4 * c.units;
}

// Block memories of one design point: per-unit weight + local input buffers
// (+ the partial-sum buffer), the shared global input buffer.
Resources BufferMemories(const accel::AcceleratorConfig& c, bool uram) {
  const accel::BufferGeometry& b = c.buffers;
  Resources unit;
  auto place = [&](int64_t width, int64_t depth, int copies, bool may_use_uram) {
    if (uram && may_use_uram)
      unit.uram += copies * UramBlocks(width, depth);
    else
      unit.bram += copies * BlockRamTiles(width, depth);
  };
  place(64, b.weight_addresses, b.weight_banks, true);      // 64-bit words (INT8: two banks)
  if (c.depthwise_mode())  // the window generator: 4 lane copies x 4 pixel banks of 32-bit words (hw/rtl/dw_window.v)
    place(32, b.local_input_addresses, 16, true);
  else
    place(64, b.local_input_addresses, 2, true);            // banks a (rows 0,1) and b (rows 2,3)
  // 16 x 32-bit sums per entry; a shallow buffer lives in distributed RAM (PsumLuts).
  if (c.depth_split() && b.psum_entries > kPsumLutramEntries) place(512, b.psum_entries, 1, false);
  Resources r{0, 0, 0, unit.bram * c.units, unit.uram * c.units};
  r.bram += 4 * BlockRamTiles(32, b.gib_addresses);         // 4 banks x 32 bit
  return r;
}

double Published(const Board& board, const std::string& method, double Resources::*field) {
  return board.power.published_resources.at(method).*field;
}

}  // namespace

std::string DevicesFilePath() {
  if (const char* env = std::getenv(accel::kConfigDirEnv); env && *env) return std::string(env) + "/devices.json";
  return (SourceTreeDir() / "configs" / "devices.json").string();
}

Device DeviceOfBoard(const Board& board) {
  std::string part;
  if (board.json.contains("fpga") && board.json.at("fpga").contains("device") &&
      board.json.at("fpga").at("device").is_string())
    part = board.json.at("fpga").at("device").get<std::string>();
  const json& devices = DevicesDoc().at("devices");
  std::string known;
  for (const auto& [name, d] : devices.items()) {
    known += (known.empty() ? "" : ", ") + name;
    if (part.rfind(name, 0) != 0) continue;  // "xc7z020-1" starts with "xc7z020"
    Device dev;
    dev.name = name;
    dev.description = d.value("description", "");
    dev.uram_buffers = d.value("uram_buffers", false);
    dev.capacity = Counts(d.at("capacity"), DevicesFilePath() + ": devices." + name + ".capacity");
    dev.platform = Counts(d.at("platform"), DevicesFilePath() + ": devices." + name + ".platform");
    return dev;
  }
  throw Error("board " + board.name + ": FPGA device \"" + part + "\" is not in " + DevicesFilePath() +
              " (known: " + known + ")");
}

double BlockRamTiles(int64_t width_bits, int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  // (depth, width) aspect ratios of a RAMB36 and of a RAMB18 (half a tile).
  static const std::pair<int64_t, int64_t> k36[] = {{32768, 1}, {16384, 2}, {8192, 4}, {4096, 9},
                                                    {2048, 18}, {1024, 36}, {512, 72}};
  static const std::pair<int64_t, int64_t> k18[] = {{16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}, {512, 36}};
  double best = 1e300;
  for (const auto& [d, w] : k36)
    best = std::min(best, static_cast<double>(((width_bits + w - 1) / w) * ((depth + d - 1) / d)));
  for (const auto& [d, w] : k18)
    best = std::min(best, 0.5 * static_cast<double>(((width_bits + w - 1) / w) * ((depth + d - 1) / d)));
  return best;
}

double UramBlocks(int64_t width_bits, int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  return static_cast<double>(((width_bits + 71) / 72) * ((depth + 4095) / 4096));
}

ResourceCalibration CalibrateResources(const Board& board, const HwSynthResults& synth) {
  ResourceCalibration cal;
  cal.board = board.name;
  cal.v0 = board.accel_units;
  cal.fixed_fraction = ModelValue("fixed_shell_fraction");
  std::vector<std::string> methods;
  for (const auto& [m, r] : board.power.published_resources) methods.push_back(m);
  if (methods.size() < 2 || !board.power.published_resources.count("int8"))
    throw Error("board " + board.name +
                ": the resource model needs published Vivado figures (power.published_resources) of the INT8 "
                "design and at least one shift design");
  // LUT: least squares of published = I + V0 * alpha * U_lut over the methods.
  double mx = 0, my = 0;
  for (const auto& m : methods) {
    mx += cal.v0 * UnitFigures(synth, m).lut;
    my += Published(board, m, &Resources::lut);
  }
  mx /= methods.size();
  my /= methods.size();
  double sxy = 0, sxx = 0;
  for (const auto& m : methods) {
    const double x = cal.v0 * UnitFigures(synth, m).lut - mx;
    sxy += x * (Published(board, m, &Resources::lut) - my);
    sxx += x * x;
  }
  Check(sxx > 0, "resource model: the synthesized GEMM units of the published methods are all the same size");
  cal.alpha_lut = sxy / sxx;
  cal.shell_lut = my - cal.alpha_lut * mx;
  // FF: registers map one to one (alpha = 1); the intercept is the mean residual.
  double ff = 0;
  for (const auto& m : methods) ff += Published(board, m, &Resources::ff) - cal.v0 * UnitFigures(synth, m).ff;
  cal.shell_ff = ff / methods.size();
  // Misc BRAM: published minus the geometry of the reference buffers (FIFOs, epilogue arrays).
  const accel::AcceleratorConfig ref =
      accel::ComposeAcceleratorConfig(accel::kDefaultFamily, accel::AccelBoardOf(board), "qkeras");
  const Device dev = DeviceOfBoard(board);
  cal.misc_bram = Published(board, "qkeras", &Resources::bram) - BufferMemories(ref, dev.uram_buffers).bram;
  for (const auto& m : methods)
    cal.lut_check[m] = {Published(board, m, &Resources::lut),
                        cal.shell_lut + cal.alpha_lut * cal.v0 * UnitFigures(synth, m).lut};
  return cal;
}

ResourceEstimate EstimateResources(const accel::AcceleratorConfig& c, const Board& board, const HwSynthResults& synth,
                                   const ResourceCalibration& cal) {
  const Device dev = DeviceOfBoard(board);
  const std::string method(c.method->name);
  const Resources unit = UnitFigures(synth, method);
  const double V = c.units;
  const double shell_scale = cal.fixed_fraction + (1.0 - cal.fixed_fraction) * V / cal.v0;
  ResourceEstimate e;
  e.device = dev.name;
  e.parts["pe_array"] = {V * cal.alpha_lut * unit.lut, V * unit.ff, 0, 0, 0};
  const bool int8 = c.method->code_bits == 8;
  e.parts["shell"] = {cal.shell_lut * shell_scale, cal.shell_ff * shell_scale, 7 * V + 4 + (int8 ? 16 : 0), 0, 0};
  Resources mem = BufferMemories(c, dev.uram_buffers);
  mem.bram += cal.misc_bram;
  e.parts["buffers"] = mem;
  if (c.depthwise_mode())
    e.parts["depthwise"] = {V * ModelValue("depthwise_lut_per_unit"), V * ModelValue("depthwise_ff_per_unit"),
                            ModelValue("depthwise_dsp"), 0, 0};
  if (c.depth_split())
    e.parts["psum"] = {V * ModelValue("psum_lut_per_unit") + PsumLuts(c), V * ModelValue("psum_ff_per_unit"), 0, 0, 0};
  for (const auto& [name, r] : e.parts) e.ip = Add(e.ip, r);
  e.parts["platform"] = dev.platform;
  e.total = Add(e.ip, dev.platform);
  e.source = "shell and array fitted to the published " + board.name + " designs (reference §7), array scaled by " +
             synth.file.filename().string() + ", buffers by block-RAM geometry, modes per " + "configs/devices.json";
  return e;
}

FitCheck CheckFit(const ResourceEstimate& e, const Device& d) {
  FitCheck f;
  f.fits = true;
  const std::pair<const char*, double Resources::*> fields[] = {
      {"lut", &Resources::lut}, {"ff", &Resources::ff}, {"bram", &Resources::bram}, {"dsp", &Resources::dsp},
      {"uram", &Resources::uram}};
  for (const auto& [name, field] : fields) {
    const double need = e.total.*field, have = d.capacity.*field;
    const double u = have > 0 ? need / have : (need > 0 ? INFINITY : 0);
    f.utilization[name] = u;
    if (u > f.worst || f.limit.empty()) {
      f.worst = u;
      f.limit = name;
    }
    if (u > 1.0) f.fits = false;
  }
  return f;
}

}  // namespace potacc::platform
