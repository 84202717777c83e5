// The hardware comparison the reference work makes: shift-PE cost relative to
// the multiplier PE, per PE and per GEMM unit, the whole-array estimate, and
// the whole accelerator (hw/rtl/potacc_accel.v) per board beside the
// reference design's Vivado figures (reference-accelerator.md §7).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "potacc/hw/synth_results.h"
#include "potacc/platform/board.h"

namespace potacc::hw {

// One board of the reference design: GEMM units and Vivado place-and-route
// figures of the accelerator IP ("ip" scope) per method, read from the shipped
// board files (configs/boards/*.json, power.published_resources, reference §7).
struct ReferenceBoard {
  std::string name;   // "PYNQ-Z2"
  std::string board;  // "pynq-z2"
  int units;
  std::map<std::string, int> vivado_ip_luts;             // qkeras, msq, apot, int8
  std::map<std::string, platform::Resources> vivado_ip;  // lut, ff, dsp, bram tiles, uram
};
// The shipped boards, fewest GEMM units first.
const std::vector<ReferenceBoard>& ReferenceBoards();

// The method every ratio is relative to, and the section it is taken from
// (all multipliers in LUTs, as in the reference INT8 design).
inline constexpr const char* kBaselineMethod = "int8";

// lut(section, method) / lut(same target, -nodsp, int8).
double LutRatioToMultiplier(const SynthResults& results, const SynthSection& section, const std::string& method);

// Whole accelerator: 1 - LUT(method) / LUT(int8) on `board` (LUT = logic +
// LUTRAM), the shift designs' saving. Throws potacc::Error when absent.
double AccelLutSaving(const SynthResults& results, const std::string& board, const std::string& method);

// The tables printed by `potacc hw report`. `origin` says where the figures
// come from (a fresh Yosys run or the cached file).
std::string FormatHwReport(const SynthResults& results, const std::string& origin);

// The README's hardware table (Markdown): PE and GEMM-unit LUTs without DSPs
// and their ratios to int8, and the first reference board's whole array
// beside its Vivado figure (`potacc hw report --markdown`, scripts/reproduce.sh).
std::string FormatHwReadmeTable(const SynthResults& results);

}  // namespace potacc::hw
