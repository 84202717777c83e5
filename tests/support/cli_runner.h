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
CliResult RunCli(const std::string& args);

}  // namespace potacc::testing
