#include "potacc/report/svg_chart.h"
#include "potacc/util/text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace potacc::report {
namespace {

// Colour-blind-safe palette (Okabe-Ito).
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};

std::string Label(double v) {
  char buf[32];
  if (std::fabs(v) >= 100 || v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (std::fabs(v) >= 1)
    std::snprintf(buf, sizeof buf, "%.1f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

// A "nice" tick step (1, 2 or 5 x 10^k) giving about five ticks up to max.
double NiceStep(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

// SVG document head with a white background and a centred title.
void SvgHead(std::ostringstream& s, int width, int height, const std::string& title) {
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height << "\" fill=\"white\"/>\n";
  s << "<text class=\"title\" x=\"" << width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
    << XmlEscape(title) << "</text>\n";
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderSvg(const BarChart& chart) {
  const int n_series = std::max<int>(1, static_cast<int>(chart.series.size()));
  const int n_groups = static_cast<int>(chart.groups.size());
  constexpr int kBar = 16, kGroupGap = 24, kLeft = 72, kRight = 24, kTop = 56, kBottom = 96;
  const int group_w = n_series * kBar + kGroupGap;
  const int plot_w = std::max(200, n_groups * group_w);
  const int width = chart.width > 0 ? chart.width : kLeft + plot_w + kRight;
  const int height = chart.height;
  const int plot_h = height - kTop - kBottom;

  double max_v = chart.reference_line.value_or(0);
  for (const auto& g : chart.groups)
    for (double v : g.values)
      if (std::isfinite(v)) max_v = std::max(max_v, v);
  const double step = NiceStep(max_v > 0 ? max_v : 1);
  const double top_v = std::max(step, std::ceil(max_v / step) * step);
  auto y_of = [&](double v) { return kTop + plot_h - (v / top_v) * plot_h; };

  std::ostringstream s;
  SvgHead(s, width, height, chart.title);
  // Axes and ticks.
  s << "<g class=\"axis\">\n";
  for (double v = 0; v <= top_v + step * 1e-9; v += step) {
    const double y = y_of(v);
    s << "<line x1=\"" << kLeft << "\" y1=\"" << FormatFixed(y) << "\" x2=\"" << kLeft + plot_w << "\" y2=\""
      << FormatFixed(y) << "\" stroke=\"#dddddd\"/>\n";
    s << "<text x=\"" << kLeft - 6 << "\" y=\"" << FormatFixed(y + 4) << "\" text-anchor=\"end\">" << Label(v)
      << "</text>\n";
  }
  s << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << kTop + plot_h
    << "\" stroke=\"black\"/>\n";
  s << "<line x1=\"" << kLeft << "\" y1=\"" << kTop + plot_h << "\" x2=\"" << kLeft + plot_w << "\" y2=\""
    << kTop + plot_h << "\" stroke=\"black\"/>\n";
  s << "<text x=\"16\" y=\"" << kTop + plot_h / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
    << kTop + plot_h / 2 << ")\">" << XmlEscape(chart.y_label) << "</text>\n";
  s << "</g>\n";
  // Bars.
  for (int gi = 0; gi < n_groups; ++gi) {
    const BarGroup& g = chart.groups[gi];
    const int x0 = kLeft + gi * group_w + kGroupGap / 2;
    s << "<g class=\"group\" data-label=\"" << XmlEscape(g.label) << "\">\n";
    for (size_t si = 0; si < g.values.size() && si < static_cast<size_t>(n_series); ++si) {
      const double v = g.values[si];
      if (!std::isfinite(v)) continue;
      const double y = y_of(std::max(0.0, v));
      const std::string name = si < chart.series.size() ? chart.series[si] : "";
      s << "<rect class=\"bar\" data-series=\"" << XmlEscape(name) << "\" data-value=\"" << v
        << "\" x=\"" << x0 + static_cast<int>(si) * kBar << "\" y=\"" << FormatFixed(y) << "\" width=\""
        << kBar - 2 << "\" height=\"" << FormatFixed(kTop + plot_h - y) << "\" fill=\""
        << kPalette[si % std::size(kPalette)] << "\"><title>" << XmlEscape(g.label + " / " + name)
        << ": " << Label(v) << "</title></rect>\n";
    }
    const int cx = x0 + (n_series * kBar) / 2;
    s << "<text x=\"" << cx << "\" y=\"" << kTop + plot_h + 16 << "\" text-anchor=\"middle\">"
      << XmlEscape(g.label) << "</text>\n";
    s << "</g>\n";
  }
  if (chart.reference_line) {
    const double y = y_of(*chart.reference_line);
    s << "<line class=\"reference\" x1=\"" << kLeft << "\" y1=\"" << FormatFixed(y) << "\" x2=\"" << kLeft + plot_w
      << "\" y2=\"" << FormatFixed(y) << "\" stroke=\"#444444\" stroke-dasharray=\"4 3\"/>\n";
  }
  // Legend.
  s << "<g class=\"legend\">\n";
  int lx = kLeft;
  const int ly = height - 28;
  for (size_t si = 0; si < chart.series.size(); ++si) {
    s << "<rect x=\"" << lx << "\" y=\"" << ly - 10 << "\" width=\"12\" height=\"12\" fill=\""
      << kPalette[si % std::size(kPalette)] << "\"/>\n";
    s << "<text x=\"" << lx + 16 << "\" y=\"" << ly << "\">" << XmlEscape(chart.series[si]) << "</text>\n";
    lx += 24 + 7 * static_cast<int>(chart.series[si].size());
  }
  s << "</g>\n</svg>\n";
  return s.str();
}

std::string RenderTornadoSvg(const TornadoChart& chart) {
  constexpr int kLabel = 330, kRight = 40, kTop = 48, kRow = 22, kBottom = 70;
  const int n = static_cast<int>(chart.bars.size());
  const int width = std::max(chart.width, kLabel + 300 + kRight);
  const int plot_w = width - kLabel - kRight;
  const int height = kTop + std::max(1, n) * kRow + kBottom;
  double lo = chart.central, hi = chart.central;
  for (const auto& b : chart.bars)
    for (double v : {b.at_low, b.at_high})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (chart.reference_line) lo = std::min(lo, *chart.reference_line), hi = std::max(hi, *chart.reference_line);
  const double step = NiceStep((hi - lo) > 0 ? hi - lo : 1);
  lo = std::floor(lo / step) * step;
  hi = std::max(lo + step, std::ceil(hi / step) * step);
  auto x_of = [&](double v) { return kLabel + (v - lo) / (hi - lo) * plot_w; };
  const int plot_bottom = kTop + std::max(1, n) * kRow;

  std::ostringstream s;
  SvgHead(s, width, height, chart.title);
  s << "<g class=\"axis\">\n";
  for (double v = lo; v <= hi + step * 1e-9; v += step) {
    s << "<line x1=\"" << FormatFixed(x_of(v)) << "\" y1=\"" << kTop << "\" x2=\"" << FormatFixed(x_of(v)) << "\" y2=\""
      << plot_bottom << "\" stroke=\"#dddddd\"/>\n";
    s << "<text x=\"" << FormatFixed(x_of(v)) << "\" y=\"" << plot_bottom + 14 << "\" text-anchor=\"middle\">" << Label(v)
      << "</text>\n";
  }
  s << "<text x=\"" << kLabel + plot_w / 2 << "\" y=\"" << plot_bottom + 32 << "\" text-anchor=\"middle\">"
    << XmlEscape(chart.x_label) << "</text>\n</g>\n";
  for (int i = 0; i < n; ++i) {
    const TornadoBarData& b = chart.bars[i];
    const int y = kTop + i * kRow + 3;
    s << "<g class=\"tornado-bar\" data-label=\"" << XmlEscape(b.label) << "\" data-low=\"" << b.at_low
      << "\" data-high=\"" << b.at_high << "\">\n";
    s << "<text x=\"" << kLabel - 8 << "\" y=\"" << y + 12 << "\" text-anchor=\"end\">" << XmlEscape(b.label)
      << "</text>\n";
    const std::pair<const char*, double> ends[] = {{"low", b.at_low}, {"high", b.at_high}};
    for (const auto& [cls, v] : ends) {
      if (!std::isfinite(v)) continue;
      const double x0 = std::min(x_of(v), x_of(chart.central)), x1 = std::max(x_of(v), x_of(chart.central));
      s << "<rect class=\"" << cls << "\" x=\"" << FormatFixed(x0) << "\" y=\"" << y << "\" width=\"" << FormatFixed(x1 - x0)
        << "\" height=\"" << kRow - 6 << "\" fill=\"" << (std::string(cls) == "low" ? kPalette[0] : kPalette[1])
        << "\"><title>" << XmlEscape(b.label) << " at its " << cls << " end: " << Label(v) << "</title></rect>\n";
    }
    s << "</g>\n";
  }
  s << "<line class=\"central\" x1=\"" << FormatFixed(x_of(chart.central)) << "\" y1=\"" << kTop - 4 << "\" x2=\""
    << FormatFixed(x_of(chart.central)) << "\" y2=\"" << plot_bottom << "\" stroke=\"black\"/>\n";
  if (chart.reference_line) {
    const double x = x_of(*chart.reference_line);
    s << "<line class=\"reference\" x1=\"" << FormatFixed(x) << "\" y1=\"" << kTop - 4 << "\" x2=\"" << FormatFixed(x) << "\" y2=\""
      << plot_bottom << "\" stroke=\"#D55E00\" stroke-dasharray=\"4 3\"/>\n";
    s << "<text x=\"" << FormatFixed(x) << "\" y=\"" << kTop - 8 << "\" text-anchor=\"middle\" fill=\"#D55E00\">"
      << XmlEscape(chart.reference_label) << "</text>\n";
  }
  const int ly = height - 14;
  s << "<g class=\"legend\">\n<rect x=\"" << kLabel << "\" y=\"" << ly - 10 << "\" width=\"12\" height=\"12\" fill=\""
    << kPalette[0] << "\"/>\n<text x=\"" << kLabel + 16 << "\" y=\"" << ly << "\">number at the low end</text>\n"
    << "<rect x=\"" << kLabel + 170 << "\" y=\"" << ly - 10 << "\" width=\"12\" height=\"12\" fill=\"" << kPalette[1]
    << "\"/>\n<text x=\"" << kLabel + 186 << "\" y=\"" << ly << "\">number at the high end; black line: central "
    << Label(chart.central) << "</text>\n</g>\n</svg>\n";
  return s.str();
}

}  // namespace potacc::report
