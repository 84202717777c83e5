// POTACC_BOARDS / POTACC_CONFIG_DIR move the shipped boards and accelerator
// configs; every "not found" error names the path it looked in and the
// variable that overrides it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "support/error_text.h"
#include "support/scoped_env.h"

namespace potacc::platform {
namespace {

using testing::ScopedEnv;

using testing::ErrorText;

TEST(ConfigDirs, BoardsFolderFollowsTheVariables) {
  const ScopedEnv boards(kBoardsEnv, nullptr);
  {
    const ScopedEnv config(accel::kConfigDirEnv, "/nonexistent/cfg");
    EXPECT_EQ(BoardsDir(), std::filesystem::path("/nonexistent/cfg/boards"));
    const std::string msg = ErrorText([] { LoadBoard("pynq-z2"); });
    EXPECT_NE(msg.find("/nonexistent/cfg/boards/pynq-z2.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("from POTACC_CONFIG_DIR"), std::string::npos) << msg;
    EXPECT_NE(msg.find("POTACC_BOARDS"), std::string::npos) << msg;
  }
  {
    // POTACC_BOARDS names the folder itself and wins over POTACC_CONFIG_DIR.
    const ScopedEnv config(accel::kConfigDirEnv, "/nonexistent/cfg");
    const ScopedEnv b(kBoardsEnv, "/nonexistent/b");
    EXPECT_EQ(BoardsDir(), std::filesystem::path("/nonexistent/b"));
    const std::string msg = ErrorText([] { LoadBoard("pynq-z2"); });
    EXPECT_NE(msg.find("/nonexistent/b/pynq-z2.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("from POTACC_BOARDS"), std::string::npos) << msg;
  }
  const ScopedEnv config(accel::kConfigDirEnv, nullptr);
  const std::string msg = ErrorText([] { LoadBoard("no-such-board"); });
  EXPECT_NE(msg.find((BoardsDir() / "no-such-board.json").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("POTACC_BOARDS"), std::string::npos) << msg;
}

TEST(ConfigDirs, AcceleratorConfigErrorsNameTheFolderAndVariable) {
  const ScopedEnv config(accel::kConfigDirEnv, "/nonexistent/cfg");
  // A method composes with the board file (configs/boards) and the family (configs/accel).
  std::string msg = ErrorText([] { accel::ResolveAcceleratorConfig("apot", "pynq-z2"); });
  EXPECT_NE(msg.find("/nonexistent/cfg/boards/pynq-z2.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("POTACC_CONFIG_DIR"), std::string::npos) << msg;
  msg = ErrorText([] { accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-int8", "pynq-z2"); });
  EXPECT_NE(msg.find("/nonexistent/cfg/accel"), std::string::npos) << msg;
  EXPECT_NE(msg.find("POTACC_CONFIG_DIR"), std::string::npos) << msg;
}

}  // namespace
}  // namespace potacc::platform
