#include "potacc/platform/uncertainty.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "potacc/error.h"
#include "potacc/report/table.h"

namespace potacc::platform {
namespace {

// The per-model ratios of ReportFigures: name, numerator field of the
// baseline, denominator field of the configuration.
struct RatioSpec {
  const char* name;
  const char* baseline;  // "cpu" or "int8"
  double ConfigResult::*field;
};
const RatioSpec kRatios[] = {
    {"speedup_vs_cpu", "cpu", &ConfigResult::latency_ms},
    {"speedup_vs_int8", "int8", &ConfigResult::latency_ms},
    {"energy_reduction_vs_cpu", "cpu", &ConfigResult::energy_mj},
    {"energy_reduction_vs_int8", "int8", &ConfigResult::energy_mj},
    {"energy_above_idle_reduction_vs_cpu", "cpu", &ConfigResult::energy_above_idle_mj},
    {"energy_above_idle_reduction_vs_int8", "int8", &ConfigResult::energy_above_idle_mj},
};
const char* const kMaxRatios[] = {"speedup_vs_cpu", "energy_reduction_vs_cpu", "energy_above_idle_reduction_vs_cpu"};

// 53 random bits in [0, 1): std::mt19937_64's output is fixed by the standard,
// unlike the library's distributions, so a seed gives the same boards everywhere.
double Uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double Draw(const BoardValue& v, double u) {
  if (v.low <= 0) return v.low + u * (v.high - v.low);
  return std::exp(std::log(v.low) + u * (std::log(v.high) - std::log(v.low)));
}

// Linear-interpolated quantile of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<size_t>(std::floor(pos));
  const size_t j = std::min(i + 1, sorted.size() - 1);
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[j] - sorted[i]);
}

class Study {
 public:
  Study(const CompareReport& report, const Board& board) : report_(report), board_(board) {}

  Figures At(const std::map<std::string, double>& values) const {
    return ReportFigures(EvaluateReport(report_, BoardWithValues(board_, values)));
  }

 private:
  const CompareReport& report_;
  const Board& board_;
};

std::string DefaultTornadoFigure(const CompareReport& report) {
  const std::string method = report.summary.empty() ? "int8" : report.summary.front().method;
  return "mean/" + method + "/speedup_vs_cpu";
}

// One-at-a-time sweep: the figures with each parameter at its low and high end.
struct Sweep {
  std::vector<Figures> at_low, at_high;
};

Sweep OneAtATime(const Study& study, const std::vector<BoardValue>& params) {
  Sweep s;
  for (const BoardValue& p : params) {
    s.at_low.push_back(study.At({{p.path, p.low}}));
    s.at_high.push_back(study.At({{p.path, p.high}}));
  }
  return s;
}

std::map<std::string, Interval> CornerIntervals(const Study& study, const std::vector<BoardValue>& params,
                                                const Sweep& sweep, const Figures& central) {
  std::map<std::vector<int>, Figures> cache;  // corner (-1 low, 0 value, +1 high per parameter) -> figures
  auto at_corner = [&](const std::vector<int>& corner) -> const Figures& {
    auto it = cache.find(corner);
    if (it != cache.end()) return it->second;
    std::map<std::string, double> values;
    for (size_t i = 0; i < params.size(); ++i)
      if (corner[i] != 0) values[params[i].path] = corner[i] < 0 ? params[i].low : params[i].high;
    return cache.emplace(corner, study.At(values)).first->second;
  };
  std::map<std::string, Interval> out;
  for (const auto& [name, value] : central) {
    std::vector<int> up(params.size()), down(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const double lo = sweep.at_low[i].at(name), hi = sweep.at_high[i].at(name);
      up[i] = hi > lo ? 1 : (lo > hi ? -1 : 0);
      down[i] = -up[i];
    }
    const double a = at_corner(down).at(name), b = at_corner(up).at(name);
    out[name] = {value, std::min({a, b, value}), std::max({a, b, value})};
  }
  return out;
}

std::map<std::string, Interval> MonteCarloIntervals(const Study& study, const std::vector<BoardValue>& params,
                                                    const Figures& central, const UncertaintyOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::map<std::string, std::vector<double>> samples;
  for (int s = 0; s < o.samples; ++s) {
    std::map<std::string, double> values;
    for (const BoardValue& p : params) values[p.path] = Draw(p, Uniform01(rng));
    for (const auto& [name, v] : study.At(values)) samples[name].push_back(v);
  }
  std::map<std::string, Interval> out;
  for (const auto& [name, value] : central) {
    std::vector<double>& v = samples[name];
    std::sort(v.begin(), v.end());
    const double lo = Quantile(v, (1 - o.coverage) / 2), hi = Quantile(v, (1 + o.coverage) / 2);
    out[name] = {value, std::min(lo, value), std::max(hi, value)};
  }
  return out;
}

}  // namespace

Figures ReportFigures(const CompareReport& report) {
  Figures f;
  std::map<std::string, std::vector<double>> per_config;  // "<config>/<ratio>" -> per-model values
  for (const ModelResult& m : report.models) {
    for (const ConfigResult& c : m.configs) {
      const std::string prefix = m.name + "/" + c.name + "/";
      f[prefix + "latency_ms"] = c.latency_ms;
      f[prefix + "energy_mj"] = c.energy_mj;
      f[prefix + "energy_above_idle_mj"] = c.energy_above_idle_mj;
      for (const RatioSpec& r : kRatios) {
        const ConfigResult* base = m.Find(r.baseline);
        if (!base || c.name == "cpu" || c.name == r.baseline) continue;
        const double ratio = base->*r.field / c.*r.field;
        f[prefix + r.name] = ratio;
        per_config[c.name + "/" + r.name].push_back(ratio);
      }
    }
  }
  for (const auto& [key, values] : per_config) {
    double sum = 0;
    for (double v : values) sum += v;
    f["mean/" + key] = sum / static_cast<double>(values.size());
  }
  for (const char* ratio : kMaxRatios) {
    double best = NAN;
    for (const ModelResult& m : report.models)
      for (const ConfigResult& c : m.configs) {
        auto it = f.find(m.name + "/" + c.name + "/" + ratio);
        if (c.name != "cpu" && c.name != "int8" && it != f.end() && !(it->second <= best)) best = it->second;
      }
    if (std::isfinite(best)) f[std::string("max/") + ratio] = best;
  }
  return f;
}

std::vector<BoardValue> RangedValues(const Board& board) {
  std::vector<BoardValue> out;
  for (const BoardValue& v : board.values)
    if (v.has_range) out.push_back(v);
  return out;
}

UncertaintyResult PropagateUncertainty(const CompareReport& report, const Board& board,
                                       const UncertaintyOptions& options) {
  UncertaintyResult u;
  u.method = options.method;
  u.seed = options.seed;
  u.coverage = options.coverage;
  u.parameters = RangedValues(board);
  if (u.parameters.empty())
    throw Error("uncertainty: board " + board.name + " has no number with a plausible range");
  if (options.method == UncertaintyMethod::kMonteCarlo && (options.samples < 1 || options.samples > 1000000))
    throw Error("uncertainty: samples must be in [1, 1000000], got " + std::to_string(options.samples));
  if (!(options.coverage > 0 && options.coverage < 1))
    throw Error("uncertainty: coverage must be in (0, 1)");
  const Study study(report, board);
  const Figures central = study.At({});
  u.tornado_figure = options.tornado_figure.empty() ? DefaultTornadoFigure(report) : options.tornado_figure;
  if (!central.count(u.tornado_figure)) {
    std::string known;
    for (const auto& [name, v] : central)
      if (name.rfind("mean/", 0) == 0) known += (known.empty() ? "" : ", ") + name;
    throw Error("uncertainty: no figure \"" + u.tornado_figure + "\" in this comparison (e.g. " + known + ")");
  }
  const Sweep sweep = OneAtATime(study, u.parameters);
  u.tornado_central = central.at(u.tornado_figure);
  for (size_t i = 0; i < u.parameters.size(); ++i) {
    const BoardValue& p = u.parameters[i];
    u.tornado.push_back({p.path, p.low, p.high, sweep.at_low[i].at(u.tornado_figure),
                         sweep.at_high[i].at(u.tornado_figure)});
  }
  std::stable_sort(u.tornado.begin(), u.tornado.end(),
                   [](const TornadoBar& a, const TornadoBar& b) { return a.swing() > b.swing(); });
  if (options.method == UncertaintyMethod::kCorners) {
    u.figures = CornerIntervals(study, u.parameters, sweep, central);
    u.samples = 2 * static_cast<int>(u.parameters.size());
  } else {
    u.figures = MonteCarloIntervals(study, u.parameters, central, options);
    u.samples = options.samples;
  }
  return u;
}

// ---------------------------------------------------------------- outputs

namespace {

// Up to four significant digits: 0.094, 1.77, 1500, 2.1e+09.
std::string Compact(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string RangeText(double low, double high) { return "[" + Compact(low) + ", " + Compact(high) + "]"; }

std::string WithInterval(const Interval& i, bool ratio) {
  if (ratio) return report::Ratio(i.central) + " [" + report::Fixed(i.low, 2) + ", " + report::Fixed(i.high, 2) + "]";
  const int d = i.central >= 100 ? 1 : 2;
  return report::Fixed(i.central, d) + " [" + report::Fixed(i.low, d) + ", " + report::Fixed(i.high, d) + "]";
}

std::string Cell(const UncertaintyResult& u, const std::string& name, bool ratio) {
  auto it = u.figures.find(name);
  return it == u.figures.end() ? "-" : WithInterval(it->second, ratio);
}

std::string MethodLine(const UncertaintyResult& u) {
  const int lo = static_cast<int>(std::lround((1 - u.coverage) / 2 * 1000)), hi = 1000 - lo;
  const std::string params = std::to_string(u.parameters.size()) + " board numbers with plausible ranges";
  if (u.method == UncertaintyMethod::kCorners)
    return "uncertainty: corners over " + params + " (per figure, every number at the end of its range that moves it "
           "up / down): central [low corner, high corner]\n";
  return "uncertainty: Monte Carlo over " + params + ", " + std::to_string(u.samples) +
         " boards (log-uniform in each range, seed " + std::to_string(u.seed) + "): central [" +
         report::Fixed(lo / 10.0, 1) + " %, " + report::Fixed(hi / 10.0, 1) + " %]\n";
}

}  // namespace

std::string UncertaintyToText(const CompareReport& report, const UncertaintyResult& u) {
  std::string out = MethodLine(u);
  report::Table t({"model", "config", "latency ms", "energy mJ (board)", "energy mJ (above idle)", "vs CPU", "vs INT8"});
  for (size_t mi = 0; mi < report.models.size(); ++mi) {
    const ModelResult& m = report.models[mi];
    if (mi) t.AddSeparator();
    for (const ConfigResult& c : m.configs) {
      const std::string p = m.name + "/" + c.name + "/";
      t.AddRow({m.name, c.name, Cell(u, p + "latency_ms", false), Cell(u, p + "energy_mj", false),
                Cell(u, p + "energy_above_idle_mj", false), Cell(u, p + "speedup_vs_cpu", true),
                Cell(u, p + "speedup_vs_int8", true)});
    }
  }
  out += t.Render();
  out += "\nmeans over " + std::to_string(report.models.size()) + " model(s), arithmetic, with intervals\n";
  report::Table s({"accelerator", "speed-up vs CPU", "speed-up vs INT8", "energy red. vs CPU (board)",
                   "(above idle)", "energy red. vs INT8 (board)", "(above idle)"});
  std::vector<std::string> configs = {"int8"};
  for (const auto& m : report.summary) configs.push_back(m.method);
  for (const std::string& c : configs) {
    const std::string p = "mean/" + c + "/";
    s.AddRow({c, Cell(u, p + "speedup_vs_cpu", true), Cell(u, p + "speedup_vs_int8", true),
              Cell(u, p + "energy_reduction_vs_cpu", true), Cell(u, p + "energy_above_idle_reduction_vs_cpu", true),
              Cell(u, p + "energy_reduction_vs_int8", true), Cell(u, p + "energy_above_idle_reduction_vs_int8", true)});
  }
  out += s.Render();
  out += "\nwhat moves " + u.tornado_figure + " (" + report::Ratio(u.tornado_central) +
         ") most: each number alone at the low / high end of its range\n";
  report::Table tt({"board number", "range", "at low", "at high"});
  for (size_t i = 0; i < u.tornado.size() && i < 8; ++i) {
    const TornadoBar& b = u.tornado[i];
    tt.AddRow({b.parameter, RangeText(b.low, b.high), report::Ratio(b.at_low), report::Ratio(b.at_high)});
  }
  out += tt.Render();
  return out;
}

nlohmann::json UncertaintyToJson(const UncertaintyResult& u) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json params = nlohmann::json::array();
  for (const BoardValue& p : u.parameters)
    params.push_back({{"path", p.path},
                      {"value", p.value},
                      {"range", {p.low, p.high}},
                      {p.from_source ? "source" : "assumption", p.note},
                      {"range_reason", p.range_reason}});
  nlohmann::json figures = nlohmann::json::object();
  for (const auto& [name, i] : u.figures)
    figures[name] = {{"central", num(i.central)}, {"low", num(i.low)}, {"high", num(i.high)}};
  nlohmann::json tornado = nlohmann::json::array();
  for (const TornadoBar& b : u.tornado)
    tornado.push_back({{"parameter", b.parameter},
                       {"range", {b.low, b.high}},
                       {"at_low", num(b.at_low)},
                       {"at_high", num(b.at_high)}});
  return {{"method", u.method == UncertaintyMethod::kCorners ? "corners" : "monte_carlo"},
          {"samples", u.samples},
          {"seed", u.seed},
          {"coverage", u.coverage},
          {"parameters", params},
          {"figures", figures},
          {"tornado", {{"figure", u.tornado_figure}, {"central", num(u.tornado_central)}, {"bars", tornado}}}};
}

report::TornadoChart TornadoChartOf(const UncertaintyResult& u, const std::string& board) {
  report::TornadoChart c;
  c.title = "What moves " + u.tornado_figure + " on " + board + " (each board number alone at the ends of its range)";
  c.x_label = u.tornado_figure;
  c.central = u.tornado_central;
  for (const TornadoBar& b : u.tornado)
    c.bars.push_back({b.parameter + " " + RangeText(b.low, b.high), b.at_low, b.at_high});
  return c;
}

}  // namespace potacc::platform
