// Synthesis figures of the RTL (hw/rtl) as measured by Yosys, and the JSON
// file that carries them (hw/synth/results.json). The JSON keys are a
// contract with the board/energy model: do not rename them.
//
//   {"tool": "yosys 0.23", "family": "xc7", "rtl_hash": "<hash of hw/rtl/*.v>",
//    "pe":              {method: {lut, ff, carry, dsp, depth, muxf, lut_by_size{...}, cells{...}}},
//    "gemm_unit":       {...},      // DSP inference allowed
//    "pe_nodsp":        {...},      // synth_xilinx -nodsp (everything in LUTs)
//    "gemm_unit_nodsp": {...},
//    "accel": {board: {method: {..., bram36, bram18, uram, lutram, family, config, top_hash}}}}
//                                 // the whole accelerator (hw/rtl/potacc_accel.v) per board
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace potacc::hw {

struct SynthFigures {
  int lut = 0;    // LUT1..LUT6 plus INV (an inverter occupies a LUT1 on xc7)
  int ff = 0;     // FDRE/FDSE/FDCE/FDPE/LDCE/LDPE
  int carry = 0;  // CARRY4
  int dsp = 0;    // DSP48E1
  int muxf = 0;   // MUXF7/MUXF8 (slice muxes, no LUT)
  int depth = 0;  // cells on the longest combinational path (Yosys `ltp`)
  int bram36 = 0;  // RAMB36E1/E2
  int bram18 = 0;  // RAMB18E1/E2
  int uram = 0;    // URAM288
  int lutram = 0;  // LUTs used as distributed RAM or shift registers (RAM32M = 4, SRL16E = 1, ...)
  std::map<std::string, int> lut_by_size;  // "LUT1".."LUT6", "INV"
  std::map<std::string, int> cells;        // every cell type -> count
  double seconds = 0;                      // Yosys wall time for this run
  // Whole-accelerator entries: the Yosys family, the configuration it was
  // generated from and the hash of its generated top module.
  std::string family, config, top_hash;

  // Block-RAM tiles as Vivado counts them (a RAMB18 is half a tile).
  double bram_tiles() const { return bram36 + bram18 / 2.0; }
  bool operator==(const SynthFigures&) const = default;
};

// The sections of the results file.
enum class SynthTarget { kPe, kGemmUnit, kAccel };
struct SynthSection {
  SynthTarget target = SynthTarget::kPe;
  bool dsp = true;    // false = -nodsp (kAccel: DSPs for the PPU only, the PE multipliers in LUTs)
  std::string board;  // kAccel: the board ("pynq-z2", "kv260")
  // A constructor, not an aggregate: GCC 12 reports nested brace
  // initialisation of the string as maybe-uninitialized.
  SynthSection() = default;
  SynthSection(SynthTarget t, bool with_dsp, std::string on_board = {})
      : target(t), dsp(with_dsp), board(std::move(on_board)) {}
};
// Section key: "pe", "gemm_unit", "pe_nodsp", "gemm_unit_nodsp", "accel/<board>"
// (in the JSON: "accel": {board: ...}).
inline constexpr const char* kAccelSectionPrefix = "accel/";
std::string SectionKey(const SynthSection& section);
// Top module name: "pe" / "gemm_unit" / "potacc_accel_top".
std::string TopModule(SynthTarget target);

using MethodFigures = std::map<std::string, SynthFigures>;  // method name -> figures

struct SynthResults {
  std::string tool = "yosys";  // e.g. "yosys 0.23"
  std::string family = "xc7";
  std::string rtl_hash;        // RtlSourcesHash of the RTL that was synthesized
  std::map<std::string, MethodFigures> sections;  // SectionKey -> per-method figures

  // Throws potacc::Error naming the missing section/method.
  const SynthFigures& Get(const SynthSection& section, const std::string& method) const;
  bool Has(const SynthSection& section, const std::string& method) const;
  // Boards with whole-accelerator figures.
  std::vector<std::string> AccelBoards() const;
  // Copies every entry of `other` over this one's (a partial run into the cache).
  void Merge(const SynthResults& other);
};

// FNV-1a 64-bit of a text, 16 hex digits.
std::string HashText(const std::string& text);
// Hash of the reference design's RTL sources (every *.v in `rtl_dir`, by name
// and content, in name order, as Yosys reads them for the shipped designs:
// without the potacc-x regions, see WithoutExtensions): recorded in
// results.json, so a test can tell when the cached figures no longer describe
// the RTL.
std::string RtlSourcesHash(const std::filesystem::path& rtl_dir);
// `text` without its potacc-x regions: what the preprocessor gives when
// POTACC_X is not defined. A region is "`ifdef POTACC_X" ... ["`else" ...]
// "`endif" (directive lines dropped, the `else branch kept). Throws
// potacc::Error for anything this plain reading could get wrong: another
// directive naming POTACC_X (`ifndef, `elsif), a directive other than
// `define/`undef inside a region, a region without `endif.
std::string WithoutExtensions(const std::string& text);

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
