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

// A tornado chart: one horizontal bar per parameter, from the figure with the
// parameter at the low end of its range to the figure at the high end, around
// a vertical line at the central value; widest swing on top.
struct TornadoBarData {
  std::string label;        // "cpu.conv_macs_per_cycle [1.4, 2.4]"
  double at_low = 0, at_high = 0;
};

struct TornadoChart {
  std::string title;
  std::string x_label;
  double central = 0;
  std::vector<TornadoBarData> bars;       // drawn in this order, top to bottom
  std::optional<double> reference_line;   // e.g. a published value
  std::string reference_label;
  int width = 900;
};

// Well-formed SVG 1.1. Each bar is a <g class="tornado-bar" data-label=".."
// data-low=".." data-high=".."> with a <rect class="low"> and a <rect class="high">.
std::string RenderTornadoSvg(const TornadoChart& chart);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace potacc::report
