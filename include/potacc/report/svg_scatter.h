// A scatter plot as standalone SVG: several series of (x, y) points, each
// drawn as small dots, larger highlighted dots joined by a step line (e.g. a
// Pareto front) or labelled markers (e.g. reference designs), with axes,
// ticks (linear or logarithmic) and a legend.
#pragma once

#include <string>
#include <vector>

namespace potacc::report {

struct ScatterPoint {
  double x = 0, y = 0;
  std::string label;  // shown for markers, kept as data-label otherwise
};

struct ScatterSeries {
  enum class Style { kDots, kFront, kMarkers };
  std::string name;
  Style style = Style::kDots;
  std::vector<ScatterPoint> points;
};

struct ScatterChart {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<ScatterSeries> series;
  int width = 760, height = 480;
};

// Well-formed SVG 1.1. Every point is a <circle> or <path> with class
// "point", data-series, data-x, data-y (and data-label when it has one).
std::string RenderScatterSvg(const ScatterChart& chart);

}  // namespace potacc::report
