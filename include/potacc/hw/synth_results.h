// Synthesis figures of the RTL (hw/rtl) as measured by Yosys, and the JSON
// file that carries them (hw/synth/results.json). The JSON keys are a
// contract with the board/energy model: do not rename them.
//
//   {"tool": "yosys 0.23", "family": "xc7",
//    "pe":              {method: {lut, ff, carry, dsp, depth, muxf, lut_by_size{...}, cells{...}}},
//    "gemm_unit":       {...},      // DSP inference allowed
//    "pe_nodsp":        {...},      // synth_xilinx -nodsp (everything in LUTs)
//    "gemm_unit_nodsp": {...}}
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace potacc::hw {

struct SynthFigures {
  int lut = 0;    // LUT1..LUT6 plus INV (an inverter occupies a LUT1 on xc7)
  int ff = 0;     // FDRE/FDSE/FDCE/FDPE/LDCE/LDPE
  int carry = 0;  // CARRY4
  int dsp = 0;    // DSP48E1
  int muxf = 0;   // MUXF7/MUXF8 (slice muxes, no LUT)
  int depth = 0;  // cells on the longest combinational path (Yosys `ltp`)
  std::map<std::string, int> lut_by_size;  // "LUT1".."LUT6", "INV"
  std::map<std::string, int> cells;        // every cell type -> count
  double seconds = 0;                      // Yosys wall time for this run

  bool operator==(const SynthFigures&) const = default;
};

// The four sections of the results file.
enum class SynthTarget { kPe, kGemmUnit };
struct SynthSection {
  SynthTarget target;
  bool dsp;  // false = -nodsp
};
// Section key in the JSON: "pe", "gemm_unit", "pe_nodsp", "gemm_unit_nodsp".
std::string SectionKey(SynthSection section);
// Top module name: "pe" / "gemm_unit".
std::string TopModule(SynthTarget target);

using MethodFigures = std::map<std::string, SynthFigures>;  // method name -> figures

struct SynthResults {
  std::string tool = "yosys";  // e.g. "yosys 0.23"
  std::string family = "xc7";
  std::map<std::string, MethodFigures> sections;  // SectionKey -> per-method figures

  // Throws potacc::Error naming the missing section/method.
  const SynthFigures& Get(SynthSection section, const std::string& method) const;
  bool Has(SynthSection section, const std::string& method) const;
};

// Figures from the output of `stat -json` (the whole design, or its single
// module). The depth is not part of it (see ParseLtpLength).
SynthFigures ParseYosysStatJson(const std::string& json_text);
// Figures from a cell-type histogram (what ParseYosysStatJson uses).
SynthFigures FiguresFromCells(const std::map<std::string, int>& cells);
// The length in "Longest topological path in <module> (length=N)" of a Yosys
// log; throws potacc::Error when absent.
int ParseLtpLength(const std::string& log_text);

std::string ResultsToJson(const SynthResults& results);
// `origin` names the text's file in error messages.
SynthResults ResultsFromJson(const std::string& json_text, const std::string& origin);
SynthResults LoadResults(const std::filesystem::path& path);
void SaveResults(const SynthResults& results, const std::filesystem::path& path);

// The cached results file: <HwDir()>/synth/results.json (hw/synth/results.json
// of the source tree unless POTACC_HW_DIR is set; see hw_dir.h).
std::filesystem::path CachedResultsPath();

}  // namespace potacc::hw
