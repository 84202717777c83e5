// `potacc run --backend device-model` as a user runs it: outputs equal to the
// simulator's, and an injected device fault gives one `potacc: error:` line
// and a non-zero exit, never a hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "potacc/device/register_model.h"
#include "potacc/quant/method.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/writer.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"
#include "support/scoped_env.h"

namespace potacc::device {
namespace {

using testing::RunCli;
using testing::ScopedEnv;

std::string ApotCnn(const std::filesystem::path& dir) {
  quant::RequantizeOptions o;
  o.method = &quant::MethodByName("apot");
  const std::string path = (dir / "cnn_apot.tflite").string();
  SaveModel(quant::RequantizeModel(Generate("cnn", 1), o).model, path);
  return path;
}

TEST(DeviceCli, RunOnTheModelledDeviceMatchesTheSimulator) {
  const auto dir = testing::TempDir("device_cli_run");
  const std::string model = ApotCnn(dir);
  const auto sim = RunCli("run " + model + " --accel apot --save-output " + (dir / "sim.bin").string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const auto dev = RunCli("run " + model + " --accel apot --backend device-model --save-output " +
                          (dir / "dev.bin").string());
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_NE(dev.out.find("device-model"), std::string::npos) << dev.out;
  std::ifstream a(dir / "sim.bin", std::ios::binary), b(dir / "dev.bin", std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(sa.empty());
  EXPECT_EQ(sa, sb);
}

TEST(DeviceCli, InjectedFaultsGiveOneErrorLineAndNonZeroExit) {
  const auto dir = testing::TempDir("device_cli_fault");
  const std::string model = ApotCnn(dir);
  ScopedEnv timeout(kDeviceTimeoutEnv, "300");
  for (const char* fault : {"mm2s-error@3", "s2mm-stall", "short-output@2", "absent"}) {
    ScopedEnv f(kDeviceFaultEnv, fault);
    const auto r = RunCli("run " + model + " --accel apot --backend device-model");
    EXPECT_NE(r.exit_code, 0) << fault;
    EXPECT_EQ(r.err.rfind("potacc: error: ", 0), 0u) << fault << ": " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << fault << ": one line: " << r.err;
  }
}

}  // namespace
}  // namespace potacc::device
