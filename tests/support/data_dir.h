// Locating ../shared/data for end-to-end tests. Tests that need it call
// POTACC_REQUIRE_DATA("models/potacc/x.tflite") which skips with a message
// when the folder (or that file) is absent.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace potacc::testing {

// $POTACC_DATA if set, else the CMake default (../shared/data beside the repo).
std::filesystem::path DataDir();
// Full path of a file under the data dir (may not exist).
std::filesystem::path DataPath(const std::string& relative);
// Fresh scratch folder for a test's output files.
std::filesystem::path TempDir(const std::string& name);
// The built potacc command-line tool.
std::string CliPath();

}  // namespace potacc::testing

#define POTACC_REQUIRE_DATA(relative)                                                        \
  do {                                                                                       \
    if (!std::filesystem::exists(::potacc::testing::DataPath(relative)))                     \
      GTEST_SKIP() << "shared data not found: " << ::potacc::testing::DataPath(relative)     \
                   << " (set POTACC_DATA to the shared/data folder)";                        \
  } while (0)
