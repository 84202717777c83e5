// A one-layer model through potacc compare with a fixed accelerator run, on
// the round-number test board: both energy accountings and the uncertainty
// study (corners, Monte Carlo, tornado) against hand-computed values, and the
// published-figure check.
#include <gtest/gtest.h>

#include "../report/mini_xml.h"
#include "potacc/error.h"
#include "potacc/platform/compare.h"
#include "potacc/platform/published.h"
#include "potacc/platform/uncertainty.h"
#include "potacc/tflite/model_builder.h"
#include "test_board.h"

namespace potacc::platform {
namespace {

// One 1x1 CONV_2D: 4x4 pixels, 16 -> 8 channels = 2048 MACs. Its tensors:
// input 256 B, weights 128 B, bias 32 B, output 128 B = 544 B of DRAM traffic on the CPU.
std::vector<NamedModel> OneLayer() {
  ModelBuilder b(1);
  const int x = b.Input({1, 4, 4, 16});
  b.Output(b.Conv2D(x, {.out_channels = 8, .kernel = 1}));
  return {{"one", b.Build()}};
}

// The accelerator run of that layer, fixed: a design without weight preload
// (600 B of weight tiles copied per inference, as ICECS does).
AccelExecution FixedRun(const Model&, const accel::AcceleratorConfig& cfg, const TensorBytes&, bool) {
  AccelExecution ex;
  ex.run.pe_method = std::string(cfg.method->name);
  accel::LayerStats l;
  l.node = 0;
  l.op = "CONV_2D";
  l.device = "accel";
  l.m = 16, l.n = 8, l.k = 16;
  l.host.input_pack_bytes = 1000;
  l.host.weight_copy_bytes = 600;
  l.host.output_scatter_bytes = 400;
  l.host.commands = 5;
  l.host.dma_transfers = 12;
  l.row_tiles = 2, l.col_tiles = 2;
  l.bytes_to_accel = 16000;
  l.bytes_from_accel = 400;
  l.cycles.load_input = 1000;
  l.cycles.compute = 5000;
  l.units.assign(4, accel::UnitActivity{.pe_busy = 2500});  // utilization 0.5
  ex.run.layers.push_back(l);
  return ex;
}

CompareOptions Options(const Board& board) {
  CompareOptions o;
  o.board = board;
  o.methods = {};  // cpu and the INT8 design only
  o.executor = FixedRun;
  o.check_outputs = false;
  o.use_synth_resources = false;
  return o;
}

// Test board (boards_for_tests::TestBoardJson): CPU 1 GHz, 2 cores at efficiency 0.5
// (2 threads = 1.5x), 1000 cycles per operator, conv 4 MAC/cycle; host writes
// 0.5 B/cycle, reads 0.25 B/cycle, 100 cycles per command; DMA set-up 1 us;
// PL 100 MHz; DDR 4 GB/s at 100 pJ/B; power: idle 1 W, core 0.5 W, PL static
// 0.1 W, DMA 0.1 W; INT8 design 1000 LUT, 2000 FF, 10 DSP, 5 BRAM, 1 URAM.
constexpr double kIdle = 1.0, kCore = 0.5, kPlStatic = 0.1, kDma = 0.1;
constexpr double kClockW = 100e6 * 2000 * 0.1e-12;  // f x FF x E_clock = 0.02 W
constexpr double kActiveW =
    100e6 * (0.25 * (1000 * 1e-12 + 2000 * 0.5e-12 + 10 * 10e-12) + 0.5 * (5 * 20e-12 + 1 * 40e-12));  // 0.0595 W

double CpuSeconds(double conv_rate) { return (1000 + 2048 / (conv_rate * 1.5)) / 1e9; }
double AccelSeconds(double write_rate) {
  const double host = ((1000 + 600) / write_rate + 400 / 0.25 + 5 * 100) / 1e9;
  return host + 12 * 1e-6 + 1000 / 100e6 + 5000 / 100e6;  // + DMA set-up + streamed loads + compute
}

TEST(BoardStudy, BothEnergyAccountingsOfOneLayerAreTheHandSums) {
  const CompareReport r = RunCompare(OneLayer(), Options(boards_for_tests::TestBoard()));
  const ConfigResult* cpu = r.models.at(0).Find("cpu");
  const ConfigResult* acc = r.models.at(0).Find("int8");
  ASSERT_TRUE(cpu && acc);

  // CPU only: 2 busy cores; the CPU-only bitstream (an INT8 design) stays loaded.
  const double tc = CpuSeconds(4);  // 1341.33 ns
  EXPECT_NEAR(cpu->latency_ms, tc * 1e3, 1e-12);
  const double cpu_above = 2 * kCore * tc + 544 * 100e-12;
  const double cpu_board = cpu_above + (kIdle + kPlStatic + kClockW) * tc;
  EXPECT_NEAR(cpu->energy_above_idle_mj, cpu_above * 1e3, 1e-12);
  EXPECT_NEAR(cpu->energy_mj, cpu_board * 1e3, 1e-12);

  // Accelerator: host work incl. the per-inference weight copies (5.3 us) + 12 us
  // DMA set-up + 10 us loads + 50 us compute = 77.3 us.
  const double ta = AccelSeconds(0.5);
  EXPECT_NEAR(ta, 77.3e-6, 1e-12);
  EXPECT_NEAR(acc->latency_ms, ta * 1e3, 1e-12);
  const double dram = 16000 + 400 + 1000 + 2 * 600 + 400;  // streams, row split, weight copies (read + write), scatter
  const double acc_above = kCore * ta + 0.5 * kActiveW * 50e-6 + kDma * (10e-6 + 400 / 4e9) + dram * 100e-12;
  const double acc_board = acc_above + (kIdle + kPlStatic + kClockW) * ta;
  EXPECT_NEAR(acc->energy_above_idle_mj, acc_above * 1e3, 1e-12);
  EXPECT_NEAR(acc->energy_mj, acc_board * 1e3, 1e-12);
  // The ratios of each accounting.
  const Figures f = ReportFigures(r);
  EXPECT_NEAR(f.at("one/int8/energy_reduction_vs_cpu"), cpu_board / acc_board, 1e-12);
  EXPECT_NEAR(f.at("one/int8/energy_above_idle_reduction_vs_cpu"), cpu_above / acc_above, 1e-12);
}

// The test board with two documented ranges: conv 4 MAC/cycle in [2, 8], host
// writes 0.5 B/cycle in [0.25, 1].
Board TwoRangeBoard() {
  auto doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["conv_macs_per_cycle"] = boards_for_tests::R(4, 2, 8);
  doc["host_driver"]["dma_buffer_write_bytes_per_cycle"] = boards_for_tests::R(0.5, 0.25, 1.0);
  return BoardFromJson(doc, "two-range");
}

TEST(BoardStudy, CornerIntervalsOfOneLayerAreTheHandComputedCorners) {
  const Board board = TwoRangeBoard();
  const CompareReport r = RunCompare(OneLayer(), Options(board));
  UncertaintyOptions o;
  o.method = UncertaintyMethod::kCorners;
  const UncertaintyResult u = PropagateUncertainty(r, board, o);
  ASSERT_EQ(u.parameters.size(), 2u);

  // Speed-up = CPU time / accelerator time. Highest: slow CPU (2 MAC/cycle) and
  // fast host copies (1 B/cycle); lowest: 8 MAC/cycle and 0.25 B/cycle.
  const Interval s = u.figures.at("one/int8/speedup_vs_cpu");
  EXPECT_NEAR(s.central, CpuSeconds(4) / AccelSeconds(0.5), 1e-12);
  EXPECT_NEAR(s.high, CpuSeconds(2) / AccelSeconds(1.0), 1e-12);  // 1682.67 ns / 75.7 us = 0.022228
  EXPECT_NEAR(s.low, CpuSeconds(8) / AccelSeconds(0.25), 1e-12);  // 1170.67 ns / 80.5 us = 0.014543
  EXPECT_NEAR(s.high, 0.0222281, 1e-6);
  EXPECT_NEAR(s.low, 0.0145424, 1e-6);
  // Latencies move with one number each.
  const Interval lc = u.figures.at("one/cpu/latency_ms"), la = u.figures.at("one/int8/latency_ms");
  EXPECT_NEAR(lc.low, CpuSeconds(8) * 1e3, 1e-12);
  EXPECT_NEAR(lc.high, CpuSeconds(2) * 1e3, 1e-12);
  EXPECT_NEAR(la.low, AccelSeconds(1.0) * 1e3, 1e-12);
  EXPECT_NEAR(la.high, AccelSeconds(0.25) * 1e3, 1e-12);
  // The mean over one model is that model's ratio.
  EXPECT_NEAR(u.figures.at("mean/int8/speedup_vs_cpu").high, s.high, 1e-12);

  // Tornado of the mean speed-up: the CPU rate swings it most.
  ASSERT_EQ(u.tornado_figure, "mean/int8/speedup_vs_cpu");
  ASSERT_EQ(u.tornado.size(), 2u);
  EXPECT_EQ(u.tornado[0].parameter, "cpu.conv_macs_per_cycle");
  EXPECT_NEAR(u.tornado[0].at_low, CpuSeconds(2) / AccelSeconds(0.5), 1e-12);
  EXPECT_NEAR(u.tornado[0].at_high, CpuSeconds(8) / AccelSeconds(0.5), 1e-12);
  EXPECT_NEAR(u.tornado[1].at_low, CpuSeconds(4) / AccelSeconds(0.25), 1e-12);
}

TEST(BoardStudy, MonteCarloIsReproducibleAndInsideTheCorners) {
  const Board board = TwoRangeBoard();
  const CompareReport r = RunCompare(OneLayer(), Options(board));
  UncertaintyOptions o;
  o.samples = 300;
  o.seed = 42;
  const UncertaintyResult a = PropagateUncertainty(r, board, o), b = PropagateUncertainty(r, board, o);
  const Interval ia = a.figures.at("one/int8/speedup_vs_cpu"), ib = b.figures.at("one/int8/speedup_vs_cpu");
  EXPECT_EQ(ia.low, ib.low);
  EXPECT_EQ(ia.high, ib.high);
  EXPECT_GT(ia.low, CpuSeconds(8) / AccelSeconds(0.25));
  EXPECT_LT(ia.high, CpuSeconds(2) / AccelSeconds(1.0));
  EXPECT_LE(ia.low, ia.central);
  EXPECT_GE(ia.high, ia.central);
  EXPECT_LT(ia.low, ia.high);
  o.seed = 43;
  EXPECT_NE(PropagateUncertainty(r, board, o).figures.at("one/int8/speedup_vs_cpu").low, ia.low);
}

TEST(BoardStudy, OutputsAreReadableAndWellFormed) {
  const Board board = TwoRangeBoard();
  const CompareReport r = RunCompare(OneLayer(), Options(board));
  UncertaintyOptions o;
  o.samples = 50;
  const UncertaintyResult u = PropagateUncertainty(r, board, o);
  const std::string text = UncertaintyToText(r, u);
  EXPECT_NE(text.find("Monte Carlo over 2 board numbers"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu.conv_macs_per_cycle"), std::string::npos) << text;
  EXPECT_NE(text.find("energy mJ (above idle)"), std::string::npos) << text;
  const nlohmann::json j = UncertaintyToJson(u);
  EXPECT_EQ(j["parameters"].size(), 2u);
  EXPECT_EQ(j["tornado"]["bars"].size(), 2u);
  EXPECT_TRUE(j["figures"].contains("one/int8/energy_above_idle_mj"));
  const std::string svg = report::RenderTornadoSvg(TornadoChartOf(u, board.name));
  const auto doc = potacc::testing::MiniXml::Parse(svg);
  std::vector<const potacc::testing::XmlNode*> groups;
  doc->FindAll("g", groups);
  int bars = 0;
  for (const auto* g : groups) bars += g->attrs.count("class") && g->attrs.at("class") == "tornado-bar";
  EXPECT_EQ(bars, 2);
}

TEST(BoardStudy, StudyRefusesBadRequests) {
  const CompareReport r = RunCompare(OneLayer(), Options(boards_for_tests::TestBoard()));
  EXPECT_THROW(PropagateUncertainty(r, boards_for_tests::TestBoard(), {}), Error);  // no ranges
  const Board board = TwoRangeBoard();
  UncertaintyOptions o;
  o.samples = 0;
  EXPECT_THROW(PropagateUncertainty(r, board, o), Error);
  o.samples = 10;
  o.tornado_figure = "mean/qkeras/speedup_vs_cpu";  // not compared
  EXPECT_THROW(PropagateUncertainty(r, board, o), Error);
}

TEST(BoardStudy, PublishedFiguresMatchTheirComparisonOnly) {
  const auto figures = LoadPublishedFigures();
  ASSERT_GE(figures.size(), 6u);
  CompareReport r;
  r.board = "pynq-z2";
  r.accel_family = "icecs-v2";
  for (const char* name : {"mobilenetv2", "resnet18", "inceptionv1"}) {
    ModelResult m;
    m.name = name;
    for (auto [config, ms] : {std::pair{"cpu", 100.0}, {"int8", 50.0}, {"qkeras", 40.0}}) {
      ConfigResult c;
      c.name = config;
      c.latency_ms = ms;
      c.energy_mj = 2 * ms;
      c.energy_above_idle_mj = ms / 2;
      m.configs.push_back(c);
    }
    r.models.push_back(m);
  }
  const auto checks = CheckPublished(r, figures, nullptr);
  ASSERT_EQ(checks.size(), 4u);  // the ICECS abstract's four averages
  for (const auto& c : checks) {
    EXPECT_EQ(c.figure->paper, "ICECS 2024");
    const double expect = c.figure->metric.find("vs_cpu") != std::string::npos ? 2.5 : 1.25;
    EXPECT_DOUBLE_EQ(c.interval.central, expect) << c.predicted;
    if (c.figure->metric.rfind("energy", 0) == 0) {
      EXPECT_EQ(c.accounting, "whole_board");
    }
  }
  const std::string text = PublishedToText(checks);
  EXPECT_NE(text.find("whole board"), std::string::npos) << text;
  EXPECT_NE(text.find("USB power meter"), std::string::npos) << text;
  // Another family or another model set: the ICECS figures do not apply.
  r.accel_family = "potacc-v12";
  for (const auto& c : CheckPublished(r, figures, nullptr)) EXPECT_NE(c.figure->paper, "ICECS 2024");
  r.accel_family = "icecs-v2";
  r.models.pop_back();
  EXPECT_TRUE(CheckPublished(r, figures, nullptr).empty());
}

}  // namespace
}  // namespace potacc::platform
