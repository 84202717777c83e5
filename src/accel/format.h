// printf-style formatting into a std::string, for the accelerator's text
// reports (report.cc, diff.cc). Longer results are cut at 511 characters.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

namespace potacc::accel::detail {

inline std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string Fmt(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

}  // namespace potacc::accel::detail
