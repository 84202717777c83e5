// potacc board-bench: per-operator profile of the running machine that
// potacc calibrate reads, with accelerator calls kept out of the CPU fit.
#include "potacc/platform/board_bench.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "potacc/platform/calibrate.h"
#include "potacc/quant/method.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/writer.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::platform {
namespace {

Model ApotCnn() {
  quant::RequantizeOptions o;
  o.method = &quant::MethodByName("apot");
  return quant::RequantizeModel(Generate("cnn", 1), o).model;
}

TEST(BoardBench, CpuProfileRoundTripsThroughTheCalibrateParser) {
  const Model m = Generate("cnn", 1);
  BoardBenchOptions o;
  o.runs = 2;
  int calls = 0;
  o.progress = [&](int, int) { ++calls; };
  const BoardBenchResult r = BoardBench(m, "cnn", o);
  EXPECT_EQ(calls, 3);  // warm-up + 2
  ASSERT_EQ(r.nodes.size(), m.main().operators.size());
  EXPECT_GT(r.total_avg_ms(), 0);
  const auto rows = ParseBenchmarkProfile(FormatBoardBenchProfile(r), "profile");
  ASSERT_EQ(rows.size(), r.nodes.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].node, static_cast<int>(i));
    EXPECT_EQ(rows[i].node_type, r.nodes[i].op);
    EXPECT_EQ(rows[i].device, "cpu");
    EXPECT_NEAR(rows[i].avg_ms, r.nodes[i].avg_ms, 0.0006);
    EXPECT_LE(r.nodes[i].min_ms, r.nodes[i].avg_ms + 1e-9);
    EXPECT_GE(r.nodes[i].max_ms, r.nodes[i].avg_ms - 1e-9);
  }
  BoardBenchOptions none;
  none.runs = 0;
  EXPECT_THROW(BoardBench(m, "cnn", none), Error);
}

TEST(BoardBench, AcceleratorCallsAreMarkedAndLeftOutOfTheCpuFit) {
  const Model m = ApotCnn();
  BoardBenchOptions o;
  o.runs = 1;
  o.accel = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  o.backend = "device-model";
  const BoardBenchResult r = BoardBench(m, "cnn_apot", o);
  EXPECT_EQ(r.backend, "device-model");
  int accel_nodes = 0;
  for (const auto& n : r.nodes) {
    if (n.device != "accel") continue;
    ++accel_nodes;
    EXPECT_GT(n.accel_cycles, 0) << n.node;  // the model's simulator counted them
    EXPECT_FALSE(n.cycles_measured);
    EXPECT_GT(n.bytes_to_accel, 0);
  }
  ASSERT_GT(accel_nodes, 0);
  const std::string profile = FormatBoardBenchProfile(r);
  EXPECT_NE(profile.find("potacc accelerator calls"), std::string::npos);
  const auto rows = ParseBenchmarkProfile(profile, "profile");
  int accel_rows = 0;
  for (const auto& row : rows) accel_rows += row.accelerated();
  EXPECT_EQ(accel_rows, accel_nodes);

  ProfiledModel p;
  p.name = "profile";
  p.model = &m;
  p.rows = rows;
  const CalibrationResult c = Calibrate(LoadBoard("pynq-z2"), {p});
  EXPECT_EQ(c.samples.size(), rows.size() - accel_nodes);  // CPU rows only
  bool noted = false;
  for (const auto& n : c.notes) noted |= n.find(std::to_string(accel_nodes) + " accelerator calls") != std::string::npos;
  EXPECT_TRUE(noted);
}

// The loop a board user runs: board-bench, then calibrate on its profile.
// The small CNN's CPU operators (its FC has 640 MACs) take about as long as
// the per-operator overhead on a fast host, so its FC rate alone cannot be
// fitted; a second, CPU-only profile of a large FC layer (8M MACs) pins it,
// as a user calibrating a board would profile more than one model.
TEST(BoardBenchCli, ProfileFeedsCalibrate) {
  const auto dir = testing::TempDir("board_bench_cli");
  const std::string model = (dir / "cnn_apot.tflite").string();
  SaveModel(ApotCnn(), model);
  const std::string fc_model = (dir / "fc.tflite").string();
  SaveModel(Generate("fc", 1, {{"batch", "8"}, {"in", "1024"}, {"out", "1024"}}), fc_model);
  const std::string prof = (dir / "prof.csv").string(), board = (dir / "z2.json").string();
  const std::string fc_prof = (dir / "fc.csv").string();
  const auto bench = testing::RunCli("board-bench " + model + " --accel apot --backend device-model --runs 2 -o " +
                                     prof + " --json " + (dir / "bench.json").string());
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("accel (device-model)"), std::string::npos) << bench.out;
  const auto fc_bench = testing::RunCli("board-bench " + fc_model + " --runs 2 -o " + fc_prof);
  ASSERT_EQ(fc_bench.exit_code, 0) << fc_bench.err;
  const auto cal = testing::RunCli("calibrate --board pynq-z2 --profile " + prof + " --model " + model +
                                   " --profile " + fc_prof + " --model " + fc_model + " -o " + board);
  ASSERT_EQ(cal.exit_code, 0) << cal.err;
  EXPECT_NE(cal.out.find("accelerator calls"), std::string::npos) << cal.out;
  const Board b = LoadBoard(board);
  EXPECT_EQ(b.name, "pynq-z2-calibrated");
  const auto bad = testing::RunCli("board-bench " + model + " --runs 0 -o " + prof);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(bad.err.rfind("potacc: error: ", 0), 0u) << bad.err;
}

}  // namespace
}  // namespace potacc::platform
