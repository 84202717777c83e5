#include "potacc/platform/calibrate.h"

#include <gtest/gtest.h>

#include "potacc/error.h"
#include "potacc/platform/workload.h"
#include "potacc/tflite/generators.h"

namespace potacc::platform {
namespace {

// The layout of TFLite's StatsCalculator CSV (tensorflow/core/util/stats_calculator.cc):
// an init-phase section, then the regular runs' Run Order, then "Top by
// Computation Time" and the per-type summary.
constexpr const char* kProfile = R"(Profiling Info for Benchmark Initialization:
============================== Run Order ==============================
node type, first, avg_ms, %, cdf%, mem KB, times called, name
AllocateTensors, 9.000, 9.000, 100.000%, 100.000%, 0.000, 1, AllocateTensors/0

Operator-wise Profiling Info for Regular Benchmark Runs:
============================== Run Order ==============================
node type, start, first, avg_ms, %, cdf%, mem KB, times called, name
CONV_2D, 0.000, 1.500, 1.250, 50.000%, 50.000%, 0.000, 1, [model/conv	with comma]:0
ADD, 1.300, 0.800, 0.750, 30.000%, 80.000%, 0.000, 1, [model/add]:4
SOFTMAX, 2.100, 0.600, 0.500, 20.000%, 100.000%, 0.000, 1, [Identity]:7

============================== Top by Computation Time ==============================
node type, start, first, avg_ms, %, cdf%, mem KB, times called, name
CONV_2D, 0.000, 1.500, 1.250, 50.000%, 50.000%, 0.000, 1, [model/conv	with comma]:0

============================== Summary by node type ==============================
node type, count, avg_ms, avg %, cdf %, mem KB, times called
CONV_2D, 1, 1.250, 50.000%, 50.000%, 0.000, 1
)";

TEST(Calibrate, ParsesBenchmarkModelCsv) {
  const auto rows = ParseBenchmarkProfile(kProfile, "prof.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].node_type, "CONV_2D");
  EXPECT_DOUBLE_EQ(rows[0].avg_ms, 1.25);
  EXPECT_EQ(rows[0].node, 0);
  EXPECT_EQ(rows[1].node_type, "ADD");
  EXPECT_EQ(rows[1].node, 4);
  EXPECT_EQ(rows[2].node, 7);
}

TEST(Calibrate, RejectsFilesWithoutPerNodeRows) {
  try {
    ParseBenchmarkProfile("hello\nworld\n", "x.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.csv"), std::string::npos);
  }
}

// A synthetic profile: what a board with known rates would measure. The fit,
// started from different values, must recover those rates.
TEST(Calibrate, RecoversTheRatesOfASyntheticProfile) {
  const Model model = Generate("mobilenetv2", 1);
  const Board start = LoadBoard("pynq-z2");
  Board truth = start;
  truth.cpu.conv_macs_per_cycle = 3.1;
  truth.cpu.depthwise_macs_per_cycle = 1.3;
  truth.cpu.fc_macs_per_cycle = 0.6;
  truth.cpu.elementwise_bytes_per_cycle = 0.9;
  truth.cpu.data_movement_bytes_per_cycle = 2.0;
  truth.cpu.op_overhead_cycles = 6000;
  const std::string csv = FormatBenchmarkProfile(truth, model, 2);
  ProfiledModel p{"synthetic.csv", &model, ParseBenchmarkProfile(csv, "synthetic.csv"), 2, "mobilenetv2"};
  const CalibrationResult r = Calibrate(start, {p});
  EXPECT_EQ(r.samples.size(), model.main().operators.size());
  const CpuCostModel& c = r.board.cpu;
  EXPECT_NEAR(c.conv_macs_per_cycle, 3.1, 3.1 * 0.02);
  EXPECT_NEAR(c.depthwise_macs_per_cycle, 1.3, 1.3 * 0.03);
  EXPECT_NEAR(c.elementwise_bytes_per_cycle, 0.9, 0.9 * 0.1);
  EXPECT_NEAR(c.op_overhead_cycles, 6000, 600);
  EXPECT_LT(r.mean_abs_error_after, 0.01);
  EXPECT_GT(r.mean_abs_error_before, 0.05);
  // The rewritten board file carries the new values with a provenance note and loads again.
  const Board reloaded = BoardFromJson(r.board.json, "calibrated.json");
  EXPECT_DOUBLE_EQ(reloaded.cpu.conv_macs_per_cycle, c.conv_macs_per_cycle);
  EXPECT_NE(r.board.json["cpu"]["conv_macs_per_cycle"]["source"].get<std::string>().find("calibrated"),
            std::string::npos);
}

// Names without ":<index>" (older benchmark tools): rows are matched to the
// nodes of their operator type in order. One stray row among many is skipped.
TEST(Calibrate, MatchesByOperatorOrderWhenNamesCarryNoIndex) {
  const Model model = Generate("resnet20", 1);
  const Board board = LoadBoard("pynq-z2");
  std::vector<ProfileRow> rows = ParseBenchmarkProfile(FormatBenchmarkProfile(board, model, 1), "p.csv");
  for (ProfileRow& r : rows) {
    r.name = r.name.substr(0, r.name.rfind(':'));
    r.node = -1;
  }
  rows.insert(rows.begin() + 3, ProfileRow{"CUSTOM_OP", 0.5, "unknown", -1, ""});
  ASSERT_LE(1.0 / rows.size(), kMaxMismatchedRowShare);
  ProfiledModel p{"p.csv", &model, rows, 1, "resnet20"};
  const CalibrationResult r = Calibrate(board, {p});
  ASSERT_EQ(r.samples.size(), model.main().operators.size());
  for (size_t i = 0; i < r.samples.size(); ++i) EXPECT_EQ(r.samples[i].node, static_cast<int>(i));
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("CUSTOM_OP") != std::string::npos;
  EXPECT_TRUE(noted);
}

// The QA case: a MobileNetV2 profile given with --model resnet18 used to
// "match" 48 rows by operator order and write rates of 1.5e9 MACs/cycle.
TEST(Calibrate, RefusesAProfileOfAnotherModel) {
  const Model mobilenet = Generate("mobilenetv2", 1);
  const Model resnet = Generate("resnet18", 1);
  const Board board = LoadBoard("pynq-z2");
  const std::string csv = FormatBenchmarkProfile(board, mobilenet, 2);
  ProfiledModel p{"prof.csv", &resnet, ParseBenchmarkProfile(csv, "prof.csv"), 2, "resnet18"};
  // The first row whose operator differs, found independently of the matcher.
  const Workload wr = CpuWorkload(resnet, "resnet18");
  size_t first = 0;
  while (first < p.rows.size() && static_cast<size_t>(p.rows[first].node) < wr.nodes.size() &&
         wr.nodes[p.rows[first].node].op == p.rows[first].node_type)
    ++first;
  ASSERT_LT(first, p.rows.size());
  try {
    Calibrate(board, {p});
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("prof.csv"), std::string::npos) << msg;
    EXPECT_NE(msg.find("resnet18"), std::string::npos) << msg;
    EXPECT_NE(msg.find("row " + std::to_string(first + 1) + " "), std::string::npos) << msg;
    EXPECT_NE(msg.find(p.rows[first].node_type + " in the profile"), std::string::npos) << msg;
  }
}

// A profile of the right model but with only a few of its nodes (e.g. a
// truncated file) is refused too.
TEST(Calibrate, RefusesAProfileCoveringFewNodes) {
  const Model model = Generate("resnet20", 1);
  const Board board = LoadBoard("pynq-z2");
  std::vector<ProfileRow> rows = ParseBenchmarkProfile(FormatBenchmarkProfile(board, model, 1), "p.csv");
  rows.resize(rows.size() / 2);
  ProfiledModel p{"p.csv", &model, rows, 1, "resnet20"};
  try {
    Calibrate(board, {p});
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model nodes have no row"), std::string::npos) << e.what();
  }
}

// Times that fit the model's nodes but imply an impossible CPU (here 1000x
// faster than the board) give no board file.
TEST(Calibrate, RefusesImplausibleFittedRates) {
  const Model model = Generate("resnet20", 1);
  const Board start = LoadBoard("pynq-z2");
  Board absurd = start;
  absurd.cpu.conv_macs_per_cycle = 5000;  // > kMaxPlausibleRate
  ProfiledModel p{"fast.csv", &model, ParseBenchmarkProfile(FormatBenchmarkProfile(absurd, model, 1), "fast.csv"), 1,
                  "resnet20"};
  try {
    Calibrate(start, {p});
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("conv_macs_per_cycle"), std::string::npos) << msg;
    EXPECT_NE(msg.find("plausible"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace potacc::platform
