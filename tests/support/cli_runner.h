// Runs the potacc tool as a user would and captures what it prints.
#pragma once

#include <string>

namespace potacc::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// args are appended to the tool path verbatim (shell syntax; quote as needed).
// With timeout_seconds > 0 the tool is killed after that long (exit code 124),
// so a hang fails the test instead of blocking the suite.
CliResult RunCli(const std::string& args, int timeout_seconds = 0);

}  // namespace potacc::testing
