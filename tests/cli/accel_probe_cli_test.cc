// CLI fixes around the accelerator timing probe and flag handling:
// `gen gemm --method`, `run/diff --first-conv`, --board with a configuration,
// `compare --threads` bounds, boolean generator flags, demo --help, label-count warning.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

nlohmann::json ReadJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

class AccelProbeCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = new std::filesystem::path(TempDir("cli_probe")); }
  static std::filesystem::path Dir() { return *dir_; }
  // `potacc gen gemm` with extra arguments; returns the model path.
  static std::string Gemm(const std::string& name, const std::string& args) {
    const std::string path = (Dir() / (name + ".tflite")).string();
    const auto r = RunCli("gen gemm " + args + " -o " + path);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }
  // Runs `potacc run MODEL ARGS --json F` and returns the JSON report.
  static nlohmann::json RunJson(const std::string& model, const std::string& args) {
    const auto json = Dir() / "run.json";
    const auto r = RunCli("run " + model + " " + args + " --json " + json.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadJson(json);
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* AccelProbeCliTest::dir_ = nullptr;

// Reference §4.2: the released design computes a 64x64x256 GEMM in 8418 cycles
// on the PYNQ-Z2 with QKeras PEs (the sample measurement table).
TEST_F(AccelProbeCliTest, GemmProbeReproducesTheReferenceComputeCycles) {
  const std::string model = Gemm("g64_qkeras", "--m 64 --n 64 --k 256 --method qkeras");
  const auto doc = RunJson(model, "--accel qkeras --first-conv accel");
  EXPECT_EQ(doc["board"], "pynq-z2");
  EXPECT_EQ(doc["totals"]["accel_layers"], 1);
  EXPECT_EQ(doc["totals"]["cycles"]["compute"], 8418);
  ASSERT_EQ(doc["layers"].size(), 1u);
  EXPECT_EQ(doc["layers"][0]["device"], "accel");
}

// The probe's weights lie on the chosen method's grid, so every accelerator
// accepts it; with random int8 weights the shift accelerators keep it on the CPU.
TEST_F(AccelProbeCliTest, GemmMethodPutsWeightsOnThatGrid) {
  for (const std::string m : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    const std::string model = Gemm("g_" + m, "--m 16 --n 16 --k 64 --method " + m);
    EXPECT_EQ(RunJson(model, "--accel " + m + " --first-conv accel")["totals"]["accel_layers"], 1) << m;
  }
  const std::string random = Gemm("g_random", "--m 16 --n 16 --k 64");
  EXPECT_EQ(RunJson(random, "--accel qkeras --first-conv accel")["totals"]["accel_layers"], 0);
  ExpectOneLineError(RunCli("gen gemm --method foo -o " + (Dir() / "x.tflite").string()), "--method");
}

// INT8/APoT configurations keep the first CONV_2D on the CPU (§5.1);
// --first-conv overrides the configuration either way.
TEST_F(AccelProbeCliTest, FirstConvOverridesTheConfiguration) {
  const std::string apot = Gemm("g_apot_fc", "--m 16 --n 16 --k 64 --method apot");
  EXPECT_EQ(RunJson(apot, "--accel apot")["totals"]["accel_layers"], 0);
  EXPECT_EQ(RunJson(apot, "--accel apot --first-conv config")["totals"]["accel_layers"], 0);
  EXPECT_EQ(RunJson(apot, "--accel apot --first-conv accel")["totals"]["accel_layers"], 1);
  const std::string msq = Gemm("g_msq_fc", "--m 16 --n 16 --k 64 --method msq");
  EXPECT_EQ(RunJson(msq, "--accel msq")["totals"]["accel_layers"], 1);
  EXPECT_EQ(RunJson(msq, "--accel msq --first-conv cpu")["totals"]["accel_layers"], 0);

  const auto diff = RunCli("diff " + apot + " --accel apot --first-conv accel");
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("CONV_2D            accel"), std::string::npos) << diff.out;
  ExpectOneLineError(RunCli("run " + apot + " --accel apot --first-conv gpu"), "--first-conv");
}

TEST_F(AccelProbeCliTest, BoardIsRejectedWithAConfigurationNameOrFile) {
  const std::string model = Gemm("g_board", "--m 8 --n 8 --k 32 --method apot");
  ExpectOneLineError(RunCli("run " + model + " --accel potacc-v12-pynq-z2-apot --board kv260"),
                     "--board applies only to a method name");
  ExpectOneLineError(RunCli("diff " + model + " --accel potacc-v12-pynq-z2-apot --board kv260"),
                     "--board applies only to a method name");
  // A method name takes the board; a configuration name alone still works.
  EXPECT_EQ(RunJson(model, "--accel apot --board kv260")["board"], "kv260");
  EXPECT_EQ(RunJson(model, "--accel potacc-v12-pynq-z2-apot")["board"], "pynq-z2");
}

TEST_F(AccelProbeCliTest, CompareThreadsMustFitTheBoard) {
  ExpectOneLineError(RunCli("compare --threads 99"), "--threads");
  ExpectOneLineError(RunCli("compare --threads -5"), "--threads");
  // The PYNQ-Z2's Cortex-A9 has 2 cores (configs/boards/pynq-z2.json).
  ExpectOneLineError(RunCli("compare --board pynq-z2 --threads 3 --synthetic"), "has 2 CPU core(s)");
}

TEST_F(AccelProbeCliTest, BooleanGeneratorParametersAreFlags) {
  const auto dw = (Dir() / "dw.tflite").string();
  auto r = RunCli("gen conv --depthwise --cin 8 --cout 8 -o " + dw);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(RunCli("info " + dw).out.find("DEPTHWISE_CONV_2D"), std::string::npos);
  r = RunCli("gen conv --cin 8 --depthwise -o " + dw);  // flag last
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(RunCli("info " + dw).out.find("DEPTHWISE_CONV_2D"), std::string::npos);
  r = RunCli("gen conv --depthwise true --cin 8 -o " + dw);  // explicit value still works
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(RunCli("info " + dw).out.find("DEPTHWISE_CONV_2D"), std::string::npos);
  const auto conv = (Dir() / "conv.tflite").string();
  r = RunCli("gen conv --depthwise false --cin 8 -o " + conv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RunCli("info " + conv).out.find("DEPTHWISE_CONV_2D"), std::string::npos);
  ExpectOneLineError(RunCli("gen conv --depthwise=maybe -o " + conv), "--depthwise");
}

TEST_F(AccelProbeCliTest, DemoHelpListsEveryFourBitMethod) {
  const auto r = RunCli("demo --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("qkeras, apot, msq, uniform4"), std::string::npos) << r.out;
}

// A 10-class model with a 1000-name label file warns once on stderr.
TEST_F(AccelProbeCliTest, LabelCountMismatchWarns) {
  const auto cnn = (Dir() / "cnn.tflite").string();
  ASSERT_EQ(RunCli("gen cnn -o " + cnn).exit_code, 0);
  const auto write_labels = [&](const std::string& name, int n) {
    const auto path = (Dir() / name).string();
    std::ofstream out(path);
    for (int i = 0; i < n; ++i) out << "class" << i << "\n";
    return path;
  };
  const std::string thousand = write_labels("l1000.txt", 1000), ten = write_labels("l10.txt", 10),
                    nine = write_labels("l9.txt", 9);
  auto r = RunCli("run " + cnn + " --labels " + thousand);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("10 classes"), std::string::npos) << r.err;
  r = RunCli("run " + cnn + " --labels " + ten);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  r = RunCli("run " + cnn + " --labels " + nine + " --label-offset 1");  // background class 0 + 9 names
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace potacc::testing
