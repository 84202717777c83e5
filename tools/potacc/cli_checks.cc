#include "cli_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

namespace potacc::cli {
namespace {

// Whole-string integer, or nullopt.
std::optional<long long> ParseInteger(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const CLI::Validator& NonEmpty() {
  static const CLI::Validator v([](std::string& s) { return s.empty() ? std::string("must not be empty") : ""; },
                                "NONEMPTY");
  return v;
}

const CLI::Validator& FiniteNumber() {
  static const CLI::Validator v(
      [](std::string& s) {
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return "'" + s + "' is not a number";
        if (!std::isfinite(d)) return "'" + s + "' is not a finite number";
        return std::string();
      },
      "FINITE");
  return v;
}

const CLI::Validator& NonNegativeInteger() {
  static const CLI::Validator v(
      [](std::string& s) {
        const auto n = ParseInteger(s);
        if (!n) return "'" + s + "' is not a whole number";
        if (*n < 0) return "'" + s + "' is negative";
        return std::string();
      },
      "INT>=0");
  return v;
}

const CLI::Validator& PositiveInteger() {
  static const CLI::Validator v(
      [](std::string& s) {
        const auto n = ParseInteger(s);
        if (!n) return "'" + s + "' is not a whole number";
        if (*n < 1) return "'" + s + "' must be at least 1";
        return std::string();
      },
      "INT>=1");
  return v;
}

}  // namespace potacc::cli
