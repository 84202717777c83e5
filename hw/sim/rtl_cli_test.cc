// `potacc run/diff --backend rtl`: the CLI carries the rtl backend (its static
// registrar survives linking), reproduces the reference's published cycle count
// on the RTL and is bit-exact with stream stalls.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

class RtlCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = new std::filesystem::path(TempDir("rtl_cli")); }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* RtlCliTest::dir_ = nullptr;

// Reference §4.2: the SystemC model of the published design takes 8418 cycles
// for COMPUTE of a 64 x 64 x 256 GEMM on PYNQ-Z2 (QKeras).
TEST_F(RtlCliTest, ProbeOnTheRtlTakesThePublishedComputeCycles) {
  const auto g = (*dir_ / "g.tflite").string();
  ASSERT_EQ(RunCli("gen gemm --m 64 --n 64 --k 256 --method qkeras -o " + g).exit_code, 0);
  const auto json = (*dir_ / "g.json").string();
  const CliResult r = RunCli("run " + g + " --accel qkeras --first-conv accel --backend rtl --json " + json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("on the rtl backend"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 8418 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(rtl backend +0)"), std::string::npos) << r.out;
  std::ifstream in(json);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"model_cycles\""), std::string::npos);
}

TEST_F(RtlCliTest, DiffOnTheRtlWithStallsIsBitExact) {
  const auto cnn = (*dir_ / "cnn.tflite").string();
  ASSERT_EQ(RunCli("gen cnn -o " + cnn).exit_code, 0);
  const CliResult r = RunCli("diff " + cnn + " --accel int8 --first-conv accel --backend rtl:stall=0.3,seed=2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("on the rtl backend"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BIT-EXACT"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("NOT bit-exact"), std::string::npos) << r.out;
}

TEST_F(RtlCliTest, BadBackendOptionsAreOneLineErrors) {
  const auto cnn = (*dir_ / "cnn2.tflite").string();
  ASSERT_EQ(RunCli("gen cnn -o " + cnn).exit_code, 0);
  for (const char* spec : {"rtl:stall=1.5", "rtl:nonsense=1", "rtl:stall", "sim:stall=0.1"}) {
    const CliResult r = RunCli("run " + cnn + " --accel int8 --backend " + spec);
    EXPECT_NE(r.exit_code, 0) << spec;
    EXPECT_EQ(r.err.rfind("potacc: error: ", 0), 0u) << spec << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << spec << ": " << r.err;
  }
}

}  // namespace
}  // namespace potacc::testing
