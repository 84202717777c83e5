// POTACC_HW_DIR moves the hw/ folder; "not found" errors name the path they
// looked in and the variable.
#include "potacc/hw/hw_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "potacc/error.h"
#include "potacc/hw/synth_results.h"
#include "potacc/hw/yosys_runner.h"
#include "potacc/util/source_tree.h"

namespace potacc::hw {
namespace {

// Sets POTACC_HW_DIR for one test and restores the previous value.
class ScopedHwDir {
 public:
  explicit ScopedHwDir(const std::string& value) {
    if (const char* old = std::getenv(kHwDirEnv)) old_ = old;
    setenv(kHwDirEnv, value.c_str(), 1);
  }
  ~ScopedHwDir() {
    if (old_.empty())
      unsetenv(kHwDirEnv);
    else
      setenv(kHwDirEnv, old_.c_str(), 1);
  }

 private:
  std::string old_;
};

TEST(HwDir, DefaultsToTheSourceTree) {
  if (std::getenv(kHwDirEnv)) GTEST_SKIP() << kHwDirEnv << " is set";
  EXPECT_EQ(HwDir(), SourceTreeDir() / "hw");
  EXPECT_EQ(CachedResultsPath(), SourceTreeDir() / "hw" / "synth" / "results.json");
}

TEST(HwDir, EnvironmentVariableMovesEveryPath) {
  const ScopedHwDir env("/nonexistent/potacc-hw");
  EXPECT_EQ(CachedResultsPath(), std::filesystem::path("/nonexistent/potacc-hw/synth/results.json"));
  try {
    LoadResults(CachedResultsPath());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("/nonexistent/potacc-hw/synth/results.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("POTACC_HW_DIR"), std::string::npos) << msg;
  }
  try {
    RunSynthesis({{{SynthTarget::kPe, true}, "qkeras"}}, YosysOptions{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("/nonexistent/potacc-hw/rtl"), std::string::npos) << msg;
    EXPECT_NE(msg.find("POTACC_HW_DIR"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace potacc::hw
