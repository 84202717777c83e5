// Summary statistics used by the comparison and exploration reports.
#pragma once

#include <cmath>
#include <vector>

namespace potacc {

// Geometric mean of positive values; NaN for an empty list (no mean exists).
inline double GeoMean(const std::vector<double>& v) {
  if (v.empty()) return NAN;
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / static_cast<double>(v.size()));
}

}  // namespace potacc
