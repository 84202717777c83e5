// Small text formatting shared by reports, messages and charts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace potacc {

// Fixed-point decimal text: FormatFixed(3.14159, 2) == "3.14".
inline std::string FormatFixed(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A tensor shape as "[1,224,224,3]".
inline std::string FormatShape(const std::vector<int32_t>& shape) {
  std::string r = "[";
  for (size_t i = 0; i < shape.size(); ++i) r += (i ? "," : "") + std::to_string(shape[i]);
  return r + "]";
}

}  // namespace potacc
