// The hardware comparison the reference work makes: shift-PE cost relative to
// the multiplier PE, per PE and per GEMM unit, and the whole-array estimate
// beside the reference design's Vivado figures (reference-accelerator.md §7).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "potacc/hw/synth_results.h"

namespace potacc::hw {

// One board of the reference design: GEMM units and Vivado place-and-route
// LUTs of the accelerator IP ("ip" scope) per method.
struct ReferenceBoard {
  std::string name;
  int units;
  std::map<std::string, int> vivado_ip_luts;  // qkeras, msq, apot, int8
};
const std::vector<ReferenceBoard>& ReferenceBoards();

// The method every ratio is relative to, and the section it is taken from
// (all multipliers in LUTs, as in the reference INT8 design).
inline constexpr const char* kBaselineMethod = "int8";

// lut(section, method) / lut(same target, -nodsp, int8).
double LutRatioToMultiplier(const SynthResults& results, SynthSection section, const std::string& method);

// The tables printed by `potacc hw report`. `origin` says where the figures
// come from (a fresh Yosys run or the cached file).
std::string FormatHwReport(const SynthResults& results, const std::string& origin);

}  // namespace potacc::hw
