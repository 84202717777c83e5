// Power of the accelerator in the programmable logic, from its resource
// counts and the simulated activity:
//   clock_w  = f * FF * E_ff_clock                          (every cycle the PL clock runs)
//   active_w = f * [ a * (LUT*E_lut + FF*E_ff + DSP*E_dsp) + b * (BRAM*E_bram + URAM*E_uram) ]
//   P(t)     = clock_w + u(t) * active_w,  u = PE utilisation from the simulator
// a = logic toggle rate, b = memory access rate (board file). Resource counts
// come from the published Vivado figures (reference §7) when the board file
// has them for the method. Otherwise (e.g. uniform4) they are derived from
// potacc's own synthesis results (hw/synth/results.json): preferably the
// synthesized whole accelerators of the board (the published INT8 design's
// counts scaled by method / int8 of the synthesized designs), else the
// LUT-mapped GEMM units (the published INT8 and QKeras designs fix the split
// between the shell and the PE array, which scales with the unit size).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "potacc/platform/board.h"

namespace potacc::platform {

// Resource counts of one synthesized block per PE method (hw/synth/results.json).
struct HwSynthResults {
  std::map<std::string, Resources> pe;         // one PE
  std::map<std::string, Resources> gemm_unit;  // one GEMM unit (4x4x4 PE array)
  // The same synthesized without DSP blocks (multipliers in LUTs, as the
  // published INT8 design maps them: it has only 16 more DSPs than the shift designs).
  std::map<std::string, Resources> pe_nodsp, gemm_unit_nodsp;
  // The whole accelerator, board -> method (lut = logic + LUTRAM, bram = tiles).
  std::map<std::string, std::map<std::string, Resources>> accel;
  std::filesystem::path file;
};

// Reads hw/synth/results.json ({"pe": {method: {lut, ff, carry, dsp, depth}},
// "gemm_unit": {method: {...}}}); nullopt when the file does not exist.
std::optional<HwSynthResults> LoadHwSynthResults(const std::filesystem::path& path);
// The repository's hw/synth/results.json.
std::filesystem::path DefaultHwSynthResultsPath();

struct AccelPowerModel {
  std::string method;
  Resources resources;
  std::string resource_source;  // where the counts came from
  double clock_w = 0;
  double active_w = 0;          // at utilisation 1

  double PowerAt(double utilization) const { return clock_w + utilization * active_w; }
};

// PE products per GEMM unit (4 rows x 4 columns x 4 depth, reference §2.2).
inline constexpr int kPesPerUnit = 64;

AccelPowerModel AccelPowerFor(const Board& board, const std::string& method,
                              const HwSynthResults* synth = nullptr);
// The power model of a design with the given resource counts (e.g. from the
// resource model of a design point, resource_model.h).
AccelPowerModel AccelPowerFromResources(const Board& board, const std::string& method, const Resources& resources,
                                        const std::string& source);

}  // namespace potacc::platform
