// A small grouped bar chart as standalone SVG: one group of bars per
// category (e.g. per model), one bar per series (e.g. per configuration),
// a legend, a y axis with ticks and an optional reference line (e.g. 1.0x).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace potacc::report {

struct BarGroup {
  std::string label;
  std::vector<double> values;  // one per series; NaN = missing bar
};

struct BarChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> series;
  std::vector<BarGroup> groups;
  std::optional<double> reference_line;  // horizontal dashed line at this value
  int width = 0;                         // 0 = sized to the number of bars
  int height = 360;
};

// Well-formed SVG 1.1 document. Each group is a <g class="group" data-label="...">
// holding one <rect class="bar" data-series="..." data-value="..."> per value.
std::string RenderSvg(const BarChart& chart);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace potacc::report
