// Parsing Yosys output, the results JSON, and the cached hw/synth/results.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "potacc/error.h"
#include "potacc/accel/config.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/hw/fpga_target.h"
#include "potacc/hw/hw_dir.h"
#include "potacc/hw/hw_report.h"
#include "potacc/hw/synth_results.h"
#include "potacc/platform/board.h"
#include "potacc/quant/method.h"
#include "support/data_dir.h"

namespace potacc::hw {
namespace {

// Shape of Yosys 0.23 `stat -json` (hand-written, counts chosen for the test).
constexpr const char* kStatJson = R"json({
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "invocation": "stat -json ",
   "modules": {
      "\\gemm_unit": {
         "num_wires": 3194, "num_cells": 30,
         "num_cells_by_type": { "BUFG": 1, "CARRY4": 4, "FDRE": 7, "FDSE": 1, "INV": 2, "LUT2": 3,
                                "LUT6": 5, "MUXF7": 2, "MUXF8": 1, "DSP48E1": 4 }
      }
   },
   "design": {
      "num_wires": 3194, "num_cells": 30,
      "num_cells_by_type": { "BUFG": 1, "CARRY4": 4, "FDRE": 7, "FDSE": 1, "INV": 2, "LUT2": 3,
                             "LUT6": 5, "MUXF7": 2, "MUXF8": 1, "DSP48E1": 4 }
   }
})json";

TEST(SynthResults, ParsesStatJson) {
  const SynthFigures f = ParseYosysStatJson(kStatJson);
  EXPECT_EQ(f.lut, 2 + 3 + 5);  // INV counts as a LUT1
  EXPECT_EQ(f.ff, 8);
  EXPECT_EQ(f.carry, 4);
  EXPECT_EQ(f.dsp, 4);
  EXPECT_EQ(f.muxf, 3);
  EXPECT_EQ(f.lut_by_size.at("LUT2"), 3);
  EXPECT_EQ(f.lut_by_size.at("LUT6"), 5);
  EXPECT_EQ(f.lut_by_size.at("LUT4"), 0);
  EXPECT_EQ(f.lut_by_size.at("INV"), 2);
  EXPECT_EQ(f.cells.at("BUFG"), 1);
}

TEST(SynthResults, StatJsonErrorsAreClear) {
  EXPECT_THROW(ParseYosysStatJson("not json"), Error);
  EXPECT_THROW(ParseYosysStatJson(R"({"modules": {}})"), Error);
}

TEST(SynthResults, ParsesLtpLength) {
  const std::string log =
      "9. Executing LTP pass (find longest path).\n\n"
      "Longest topological path in gemm_unit (length=11):\n    0: \\x [4]\n";
  EXPECT_EQ(ParseLtpLength(log), 11);
  EXPECT_THROW(ParseLtpLength("no such line"), Error);
}

TEST(SynthResults, JsonRoundTripKeepsEveryField) {
  SynthResults r;
  r.tool = "yosys 0.23";
  SynthFigures f = FiguresFromCells({{"LUT3", 5}, {"FDRE", 2}, {"CARRY4", 1}});
  f.depth = 7;
  f.seconds = 1.5;
  r.sections["pe"]["apot"] = f;
  r.sections["gemm_unit_nodsp"]["int8"] = FiguresFromCells({{"LUT6", 100}});
  const SynthResults back = ResultsFromJson(ResultsToJson(r), "test");
  EXPECT_EQ(back.tool, "yosys 0.23");
  EXPECT_EQ(back.family, "xc7");
  EXPECT_EQ(back.Get({SynthTarget::kPe, true}, "apot"), f);
  EXPECT_EQ(back.Get({SynthTarget::kGemmUnit, false}, "int8").lut, 100);
  EXPECT_FALSE(back.Has({SynthTarget::kPe, false}, "apot"));
  EXPECT_THROW(back.Get({SynthTarget::kPe, false}, "apot"), Error);
}

TEST(SynthResults, BadJsonNamesTheFile) {
  try {
    ResultsFromJson(R"({"pe": {"apot": {"lut": 3}}})", "x.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.json: pe.apot"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LoadResults("/nonexistent/results.json"), Error);
}

TEST(SynthResults, SaveAndLoadFile) {
  SynthResults r;
  r.sections["pe"]["qkeras"] = FiguresFromCells({{"LUT2", 1}});
  const auto path = testing::TempDir("hw_results") / "r.json";
  SaveResults(r, path);
  EXPECT_EQ(LoadResults(path).Get({SynthTarget::kPe, true}, "qkeras").lut, 1);
}

// The committed file from a real Yosys run: complete, and it shows the
// paper's first result (every shift PE is cheaper than the int8 multiplier).
TEST(CachedSynthResults, CompleteAndShiftPesAreCheaper) {
  const SynthResults r = LoadResults(CachedResultsPath());
  EXPECT_EQ(r.tool.rfind("yosys ", 0), 0u) << r.tool;
  EXPECT_EQ(r.family, "xc7");
  for (SynthTarget target : {SynthTarget::kPe, SynthTarget::kGemmUnit})
    for (bool dsp : {true, false})
      for (const quant::Method* m : quant::AllMethods()) {
        const SynthFigures& f = r.Get({target, dsp}, std::string(m->name));
        EXPECT_GT(f.lut + f.dsp, 0) << SectionKey({target, dsp}) << "/" << m->name;
        EXPECT_GT(f.depth, 0) << SectionKey({target, dsp}) << "/" << m->name;
        if (target == SynthTarget::kGemmUnit && !dsp) {
          EXPECT_GE(f.ff, 64 * 32) << m->name;  // lane accumulators
        }
        if (!dsp) {
          EXPECT_EQ(f.dsp, 0) << m->name;
        }
      }
  for (SynthTarget target : {SynthTarget::kPe, SynthTarget::kGemmUnit}) {
    const int int8 = r.Get({target, false}, "int8").lut;
    for (const char* shift : {"qkeras", "apot", "msq"}) {
      EXPECT_LT(r.Get({target, false}, shift).lut, int8) << TopModule(target) << "/" << shift;
      EXPECT_LT(r.Get({target, true}, shift).lut, int8) << TopModule(target) << "/" << shift;
      EXPECT_EQ(r.Get({target, true}, shift).dsp, 0) << shift;  // nothing to put in a DSP
    }
  }
}

// The cached figures describe the RTL in hw/rtl as it is now: the hash of the
// sources recorded by the synthesis run equals the current one, and each
// whole-accelerator entry was synthesized from the top module its
// configuration generates today. (After changing hw/rtl, refresh the cache:
// potacc hw report --run-yosys --json hw/synth/results.json.)
// The reference design's text is what remains without POTACC_X (what Yosys
// reads for the shipped designs): regions and their directive lines go, `else
// branches stay, and anything a plain reading could get wrong is an error.
TEST(RtlSourcesHash, WithoutExtensionsIsTheTextWithoutPotaccX) {
  EXPECT_EQ(WithoutExtensions("a\nb\n"), "a\nb\n");
  EXPECT_EQ(WithoutExtensions("a\n`ifdef POTACC_X\nx\n`endif\nb\n"), "a\nb\n");
  EXPECT_EQ(WithoutExtensions("a\n  `ifdef POTACC_X  // new\nx\n`else\nold\n  `endif\nb"), "a\nold\nb");
  EXPECT_EQ(WithoutExtensions("`ifdef POTACC_X\n`define Y 1\n`endif\n"), "");
  // Another macro is ordinary text of the reference design.
  EXPECT_EQ(WithoutExtensions("`ifdef POTACC_XL\nx\n`endif\n"), "`ifdef POTACC_XL\nx\n`endif\n");
  for (const char* bad : {"`ifndef POTACC_X\nx\n`endif\n", "`ifdef POTACC_X\nx\n", "`ifdef POTACC_X\n`ifdef Y\n`endif\n`endif\n",
                          "`ifdef POTACC_X\nx\n`elsif Y\ny\n`endif\n", "`ifdef POTACC_X\n`else\n`else\n`endif\n"}) {
    EXPECT_THROW(WithoutExtensions(bad), Error) << bad;
  }
}

TEST(CachedSynthResults, DescribeTheCurrentRtl) {
  const SynthResults r = LoadResults(CachedResultsPath());
  EXPECT_EQ(r.rtl_hash, RtlSourcesHash(HwDir() / "rtl"))
      << "hw/rtl changed since hw/synth/results.json was synthesized; run "
         "`potacc hw report --run-yosys --json hw/synth/results.json`";
  const std::vector<std::string> boards = r.AccelBoards();
  EXPECT_EQ(boards.size(), platform::ShippedBoards().size());
  for (const std::string& board : boards) {
    for (const quant::Method* m : quant::AllMethods()) {
      const SynthSection section{SynthTarget::kAccel, true, board};
      ASSERT_TRUE(r.Has(section, std::string(m->name))) << board << "/" << m->name;
      const SynthFigures& f = r.Get(section, std::string(m->name));
      const accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig(f.config);
      EXPECT_EQ(config.board, board);
      EXPECT_EQ(config.method, m);
      EXPECT_EQ(f.top_hash, HashText(AccelTopVerilog(config))) << f.config << " generates another top module now";
    }
  }
}

// Every whole-accelerator design fits its board's device, its buffers are in
// block RAM / UltraRAM (not LUTs or flip-flops), and the shift designs need
// fewer LUTs than the INT8 baseline.
TEST(CachedSynthResults, WholeAcceleratorsFitTheirDevicesWithBuffersInBlockRam) {
  const SynthResults r = LoadResults(CachedResultsPath());
  for (const std::string& board : r.AccelBoards()) {
    for (const quant::Method* m : quant::AllMethods()) {
      const SynthFigures& f = r.Get({SynthTarget::kAccel, true, board}, std::string(m->name));
      const accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig(f.config);
      const FpgaTarget device = FpgaTargetOf(config);
      SCOPED_TRACE(f.config + " on " + device.device);
      ASSERT_GT(device.luts, 0);
      EXPECT_LE(f.lut + f.lutram, device.luts);
      EXPECT_LE(f.bram_tiles(), device.bram36);
      EXPECT_LE(f.dsp, device.dsps);
      EXPECT_LE(f.uram, device.urams);
      EXPECT_GT(f.depth, 0);
      // Buffer bits (global input buffer + per unit local input, weights,
      // epilogue) against the memory blocks' data capacity: 32 Kib per RAMB36
      // tile, 256 Kib per URAM288 (64-bit wide use).
      const accel::BufferGeometry& b = config.buffers;
      const double bits = 128.0 * b.gib_addresses +
                          config.units * (128.0 * b.local_input_addresses + 64.0 * b.weight_banks * b.weight_addresses +
                                          288.0 * b.wsums_entries);
      EXPECT_GE(f.bram_tiles() * 36 * 1024 + f.uram * 288.0 * 1024, 0.95 * bits);
      EXPECT_LT(f.lutram * 64.0, 0.05 * bits) << "buffers mapped to distributed RAM";
    }
    for (const char* shift : {"qkeras", "apot", "msq"}) {
      EXPECT_GT(AccelLutSaving(r, board, shift), 0) << board << "/" << shift;
    }
  }
}

}  // namespace
}  // namespace potacc::hw
