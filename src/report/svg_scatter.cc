#include "potacc/report/svg_scatter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "potacc/report/svg_chart.h"
#include "potacc/util/text.h"

namespace potacc::report {
namespace {

std::string Data(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string TickLabel(double v) {
  char buf[32];
  if (std::fabs(v) >= 10000)
    std::snprintf(buf, sizeof buf, "%.0fk", v / 1000);
  else if (std::fabs(v) >= 10 || v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

// One axis: data range -> pixels, linear or logarithmic, with tick values.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double p0 = 0, p1 = 1;  // pixel positions of lo and hi

  void Fit(std::vector<double> values, bool logarithmic) {
    log = logarithmic;
    values.erase(std::remove_if(values.begin(), values.end(),
                                [&](double v) { return !std::isfinite(v) || (log && v <= 0); }),
                 values.end());
    if (values.empty()) values = {1};
    lo = *std::min_element(values.begin(), values.end());
    hi = *std::max_element(values.begin(), values.end());
    if (log) {
      lo = std::pow(10.0, std::floor(std::log10(lo)));
      hi = std::pow(10.0, std::ceil(std::log10(hi)));
      if (hi <= lo) hi = lo * 10;
    } else {
      const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(1.0, std::fabs(hi) * 0.1);
      lo = std::max(0.0, lo - pad);
      hi += pad;
    }
  }
  double Map(double v) const {
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    return p0 + t * (p1 - p0);
  }
  std::vector<double> Ticks() const {
    std::vector<double> t;
    if (log) {
      for (double d = lo; d <= hi * 1.0001; d *= 10) {
        for (double m : {1.0, 2.0, 5.0})
          if (d * m >= lo * 0.9999 && d * m <= hi * 1.0001) t.push_back(d * m);
      }
      return t;
    }
    const double raw = (hi - lo) / 5.0;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double r = raw / mag;
    const double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) t.push_back(v);
    return t;
  }
};

constexpr const char* kColors[] = {"#9a9a9a", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00"};

}  // namespace

std::string RenderScatterSvg(const ScatterChart& c) {
  const int W = c.width, H = c.height;
  const int left = 80, right = 200, top = 40, bottom = 60;
  Axis x, y;
  std::vector<double> xs, ys;
  for (const auto& s : c.series)
    for (const auto& p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
  x.Fit(xs, c.log_x);
  y.Fit(ys, c.log_y);
  x.p0 = left;
  x.p1 = W - right;
  y.p0 = H - bottom;
  y.p1 = top;
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << W << "\" height=\"" << H
    << "\" viewBox=\"0 0 " << W << " " << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << XmlEscape(c.title)
    << "</text>\n";
  // Axes, ticks, grid.
  o << "<g class=\"axes\" stroke=\"#333\">\n"
    << "<line x1=\"" << left << "\" y1=\"" << H - bottom << "\" x2=\"" << W - right << "\" y2=\"" << H - bottom << "\"/>\n"
    << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << H - bottom << "\"/>\n</g>\n";
  for (double t : x.Ticks()) {
    const double px = x.Map(t);
    o << "<line x1=\"" << FormatFixed(px) << "\" y1=\"" << top << "\" x2=\"" << FormatFixed(px) << "\" y2=\"" << H - bottom
      << "\" stroke=\"#eee\"/><text x=\"" << FormatFixed(px) << "\" y=\"" << H - bottom + 16
      << "\" text-anchor=\"middle\">" << TickLabel(t) << "</text>\n";
  }
  for (double t : y.Ticks()) {
    const double py = y.Map(t);
    o << "<line x1=\"" << left << "\" y1=\"" << FormatFixed(py) << "\" x2=\"" << W - right << "\" y2=\"" << FormatFixed(py)
      << "\" stroke=\"#eee\"/><text x=\"" << left - 6 << "\" y=\"" << FormatFixed(py + 4) << "\" text-anchor=\"end\">"
      << TickLabel(t) << "</text>\n";
  }
  o << "<text x=\"" << (left + W - right) / 2 << "\" y=\"" << H - 18 << "\" text-anchor=\"middle\">"
    << XmlEscape(c.x_label) << "</text>\n"
    << "<text transform=\"translate(18 " << (top + H - bottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
    << XmlEscape(c.y_label) << "</text>\n";
  // Series.
  for (size_t si = 0; si < c.series.size(); ++si) {
    const ScatterSeries& s = c.series[si];
    const char* color = kColors[si % (sizeof kColors / sizeof kColors[0])];
    o << "<g class=\"series\" data-series=\"" << XmlEscape(s.name) << "\">\n";
    if (s.style == ScatterSeries::Style::kFront && s.points.size() > 1) {
      o << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.5\" points=\"";
      for (const auto& p : s.points) o << FormatFixed(x.Map(p.x)) << "," << FormatFixed(y.Map(p.y)) << " ";
      o << "\"/>\n";
    }
    for (const auto& p : s.points) {
      const double px = x.Map(p.x), py = y.Map(p.y);
      const std::string data = " class=\"point\" data-series=\"" + XmlEscape(s.name) + "\" data-x=\"" + Data(p.x) +
                               "\" data-y=\"" + Data(p.y) + "\"" +
                               (p.label.empty() ? "" : " data-label=\"" + XmlEscape(p.label) + "\"");
      switch (s.style) {
        case ScatterSeries::Style::kDots:
          o << "<circle" << data << " cx=\"" << FormatFixed(px) << "\" cy=\"" << FormatFixed(py) << "\" r=\"2\" fill=\"" << color
            << "\" fill-opacity=\"0.5\"/>\n";
          break;
        case ScatterSeries::Style::kFront:
          o << "<circle" << data << " cx=\"" << FormatFixed(px) << "\" cy=\"" << FormatFixed(py) << "\" r=\"4\" fill=\"" << color
            << "\"><title>" << XmlEscape(p.label) << "</title></circle>\n";
          break;
        case ScatterSeries::Style::kMarkers:
          o << "<path" << data << " d=\"M" << FormatFixed(px) << " " << FormatFixed(py - 7) << " l7 7 l-7 7 l-7 -7 z\" fill=\"" << color
            << "\" stroke=\"black\"/>\n<text x=\"" << FormatFixed(px + 9) << "\" y=\"" << FormatFixed(py + 4) << "\" font-size=\"11\">"
            << XmlEscape(p.label) << "</text>\n";
          break;
      }
    }
    o << "</g>\n";
    // Legend entry.
    const int ly = top + 10 + 22 * static_cast<int>(si);
    o << "<circle cx=\"" << W - right + 20 << "\" cy=\"" << ly << "\" r=\"5\" fill=\"" << color << "\"/><text x=\""
      << W - right + 32 << "\" y=\"" << ly + 4 << "\">" << XmlEscape(s.name) << " (" << s.points.size() << ")</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace potacc::report
