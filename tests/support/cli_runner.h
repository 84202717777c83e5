// Runs the potacc tool as a user would and captures what it prints.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

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

inline size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

// A clean refusal: non-zero exit and exactly one stderr line, an error that names `fragment`.
inline void ExpectOneLineError(const CliResult& r, const std::string& fragment) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected '" << fragment << "' in: " << r.err;
}

// A whole file as bytes ("" when it cannot be read).
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace potacc::testing
