// Locating ../shared/data for end-to-end tests. Tests that need it call
// POTACC_REQUIRE_DATA("models/potacc/x.tflite"), which skips with a message
// when the folder (or that file) is absent -- and FAILS in CI (CI=true), so
// that a CI run cannot go green on evidence it never looked at. Tests that
// need an installed tool use POTACC_SKIP_OR_FAIL_IN_CI(reason) the same way.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace potacc::testing {

// $POTACC_DATA if set, else the default (../shared/data beside the checkout,
// resolved at run time: util/source_tree.h).
std::filesystem::path DataDir();
// Full path of a file under the data dir (may not exist).
std::filesystem::path DataPath(const std::string& relative);
// Fresh scratch folder for a test's output files.
std::filesystem::path TempDir(const std::string& name);
// The built potacc command-line tool.
std::string CliPath();
// True when the environment variable CI is "true" or "1" (as CI services set it).
bool InCi();

}  // namespace potacc::testing

// Skips the test with `reason` -- or, in CI, fails it.
#define POTACC_SKIP_OR_FAIL_IN_CI(reason)                                                         \
  do {                                                                                            \
    if (::potacc::testing::InCi()) {                                                              \
      FAIL() << reason << " (CI=true: a test that cannot look at its evidence fails, not skips)"; \
    } else {                                                                                      \
      GTEST_SKIP() << reason;                                                                     \
    }                                                                                             \
  } while (0)

#define POTACC_REQUIRE_DATA(relative)                                                                 \
  do {                                                                                                \
    if (!std::filesystem::exists(::potacc::testing::DataPath(relative)))                              \
      POTACC_SKIP_OR_FAIL_IN_CI("shared data not found: "                                             \
                                << ::potacc::testing::DataPath(relative)                              \
                                << " (set POTACC_DATA to the shared/data folder)");                   \
  } while (0)
