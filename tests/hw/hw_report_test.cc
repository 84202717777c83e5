// The comparison tables of `potacc hw report` on hand-made figures.
#include <gtest/gtest.h>

#include "potacc/hw/hw_report.h"

namespace potacc::hw {
namespace {

SynthFigures Luts(int lut) {
  SynthFigures f = FiguresFromCells({{"LUT4", lut}});
  f.depth = 3;
  return f;
}

SynthResults Sample() {
  SynthResults r;
  r.tool = "yosys 0.23";
  for (const char* key : {"pe", "pe_nodsp"}) {
    r.sections[key]["qkeras"] = Luts(20);
    r.sections[key]["int8"] = Luts(80);
  }
  r.sections["pe"]["int8"] = Luts(10);  // multiplier in a DSP
  r.sections["gemm_unit"]["qkeras"] = Luts(5000);
  r.sections["gemm_unit_nodsp"]["qkeras"] = Luts(5000);
  r.sections["gemm_unit"]["int8"] = Luts(6000);
  r.sections["gemm_unit_nodsp"]["int8"] = Luts(10000);
  return r;
}

TEST(HwReport, RatiosAreAgainstTheLutOnlyMultiplier) {
  const SynthResults r = Sample();
  EXPECT_DOUBLE_EQ(LutRatioToMultiplier(r, {SynthTarget::kPe, false}, "qkeras"), 0.25);
  EXPECT_DOUBLE_EQ(LutRatioToMultiplier(r, {SynthTarget::kPe, true}, "int8"), 0.125);
  EXPECT_DOUBLE_EQ(LutRatioToMultiplier(r, {SynthTarget::kGemmUnit, false}, "qkeras"), 0.5);
}

TEST(HwReport, ArrayEstimateBesideVivado) {
  const std::string text = FormatHwReport(Sample(), "test figures");
  EXPECT_NE(text.find("test figures"), std::string::npos);
  EXPECT_NE(text.find("0.25x"), std::string::npos) << text;
  // PYNQ-Z2: 4 units -> 20.0k (qkeras) vs 40.0k (int8): -50 %, 20.0k saved;
  // Vivado: 25,734 vs 37,133 -> -31 %, 11.4k saved; ratio 20000/11399 = 1.75.
  EXPECT_NE(text.find("PYNQ-Z2 (4 GEMM units)"), std::string::npos);
  EXPECT_NE(text.find("20.0k"), std::string::npos);
  EXPECT_NE(text.find("-50 %"), std::string::npos);
  EXPECT_NE(text.find("-31 %"), std::string::npos);
  EXPECT_NE(text.find("1.75"), std::string::npos) << text;
  // KV260: 8 units -> 40.0k vs 80.0k.
  EXPECT_NE(text.find("KV260 (8 GEMM units)"), std::string::npos);
  EXPECT_NE(text.find("80.0k"), std::string::npos);
}

TEST(HwReport, ReferenceFiguresAreTheVivadoIpLuts) {
  const auto& boards = ReferenceBoards();
  ASSERT_EQ(boards.size(), 2u);
  EXPECT_EQ(boards[0].units, 4);
  EXPECT_EQ(boards[0].vivado_ip_luts.at("int8"), 37133);
  EXPECT_EQ(boards[1].units, 8);
  EXPECT_EQ(boards[1].vivado_ip_luts.at("apot"), 57073);
}

}  // namespace
}  // namespace potacc::hw
