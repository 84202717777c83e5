#include "potacc/quant/channel_quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace potacc::quant {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Factors below this would make the new scale finer than 1/128 of the source
// LSB: pointless, and they blow up the rescaled bias.
constexpr double kMinFactor = 1.0 / 128;
constexpr double kMaxFactor = 1e6;

struct Value {
  int q;
  double count;
};

std::vector<Value> Distinct(const ChannelHistogram& h) {
  std::vector<Value> v;
  for (int i = 0; i < 256; ++i)
    if (h.count[i] > 0) v.push_back({i - 128, h.count[i]});
  return v;
}

// Nearest storable level with Method::Nearest's tie rule, via midpoints.
class Grid {
 public:
  explicit Grid(const Method& m) : levels_(m.storable_levels()) {
    for (size_t i = 0; i + 1 < levels_.size(); ++i) mids_.push_back(0.5 * (levels_[i] + levels_[i + 1]));
  }
  int Nearest(double x) const {
    const size_t i = std::upper_bound(mids_.begin(), mids_.end(), x) - mids_.begin();
    if (i > 0 && x == mids_[i - 1]) {  // exact tie between levels_[i-1] and levels_[i]
      const int lo = levels_[i - 1], hi = levels_[i];
      if (std::abs(lo) < std::abs(hi)) return lo;
      return hi;  // smaller magnitude, or +l when |lo| == |hi|
    }
    return levels_[i];
  }
  const std::vector<int>& levels() const { return levels_; }

 private:
  const std::vector<int>& levels_;
  std::vector<double> mids_;
};

double SseAt(const Grid& g, const std::vector<Value>& vals, double a) {
  double sse = 0;
  for (const Value& v : vals) {
    const double e = v.q - a * g.Nearest(v.q / a);
    sse += v.count * e * e;
  }
  return sse;
}

// Sorted disjoint half-open intervals [lo, hi).
using Intervals = std::vector<std::pair<double, double>>;

Intervals Union(Intervals v) {
  std::sort(v.begin(), v.end());
  Intervals out;
  for (const auto& iv : v) {
    if (iv.first >= iv.second) continue;
    if (!out.empty() && iv.first <= out.back().second) {
      out.back().second = std::max(out.back().second, iv.second);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

Intervals Intersect(const Intervals& a, const Intervals& b) {
  Intervals out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const double lo = std::max(a[i].first, b[j].first);
    const double hi = std::min(a[i].second, b[j].second);
    if (lo < hi) out.push_back({lo, hi});
    if (a[i].second < b[j].second) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

bool Contains(const Intervals& f, double a) {
  for (const auto& iv : f)
    if (a >= iv.first && a < iv.second) return true;
  return false;
}

int Sign(int v) { return (v > 0) - (v < 0); }

// What the int8 conversion stores for the real value x (in source LSB).
// TFLite's symmetric per-channel scale maps the channel maximum to exactly
// 127, so a conversion never clamps; the one exception potacc accepts is the
// v12 reading of qkeras channels, where a level 2^7 = 128 at factor 1 is
// stored as 127 (allow_clamp).
int StoredByConversion(double x, bool allow_clamp) {
  const double r = std::round(x);
  return static_cast<int>(allow_clamp ? std::clamp(r, -127.0, 127.0) : r);
}

// For a candidate factor, the level behind each distinct value (or false).
struct Mapping {
  std::vector<int> level;  // parallel to the distinct values
  double exact = 0;
  double sse = 0;
  int top = 0;
};

bool MapAt(const std::vector<int>& levels, const std::vector<Value>& vals, double a, bool allow_clamp, Mapping* m) {
  m->level.assign(vals.size(), 0);
  m->exact = 0;
  m->sse = 0;
  m->top = 0;
  for (size_t i = 0; i < vals.size(); ++i) {
    const int q = vals[i].q;
    bool found = false;
    double best_err = kInf;
    for (int l : levels) {
      if (q != 0 && Sign(l) != Sign(q) && l != 0) continue;
      if (StoredByConversion(l * a, allow_clamp) != q) continue;
      const double err = std::abs(l * a - q);
      if (err < best_err || (err == best_err && l > m->level[i])) {  // qkeras 0: +1
        best_err = err;
        m->level[i] = l;
        found = true;
      }
    }
    if (!found) return false;
    if (best_err <= 1e-9 * std::max(1, std::abs(q))) m->exact += vals[i].count;
    m->sse += vals[i].count * best_err * best_err;
    m->top = std::max(m->top, std::abs(m->level[i]));
  }
  return true;
}

}  // namespace

void ComputePlanStats(const ChannelHistogram& hist, ChannelPlan* plan) {
  plan->sse = 0;
  plan->signal = 0;
  plan->max_abs_error = 0;
  for (int i = 0; i < 256; ++i) {
    if (hist.count[i] == 0) continue;
    const int q = i - 128;
    const double e = q - plan->stored[i] * plan->factor;
    plan->sse += hist.count[i] * e * e;
    plan->signal += hist.count[i] * q * q;
    plan->max_abs_error = std::max(plan->max_abs_error, std::abs(e));
  }
}

namespace {
void Finish(const Method&, const ChannelHistogram& hist, ChannelPlan* plan) { ComputePlanStats(hist, plan); }
}  // namespace

double ChannelHistogram::total() const {
  double t = 0;
  for (auto c : count) t += c;
  return t;
}

int ChannelHistogram::max_abs() const {
  int m = 0;
  for (int i = 0; i < 256; ++i)
    if (count[i] > 0) m = std::max(m, std::abs(i - 128));
  return m;
}

int ChannelHistogram::distinct() const {
  int d = 0;
  for (auto c : count) d += c > 0;
  return d;
}

const char* ChannelKindName(ChannelKind k) {
  switch (k) {
    case ChannelKind::kOnGrid: return "on_grid";
    case ChannelKind::kOnGridHalved: return "on_grid_halved";
    case ChannelKind::kKeptTopLevel: return "kept_top_level";
    case ChannelKind::kMergedBottom: return "merged_bottom";
    case ChannelKind::kSearched: return "searched";
  }
  return "?";
}

ChannelPlan PlanForFactor(const Method& method, const ChannelHistogram& hist, double factor) {
  const Grid grid(method);
  ChannelPlan plan;
  plan.kind = ChannelKind::kSearched;
  plan.factor = factor;
  for (int i = 0; i < 256; ++i) {
    const int level = grid.Nearest((i - 128) / factor);
    plan.stored[i] = static_cast<int8_t>(level);
    plan.executed[i] = static_cast<int16_t>(level);
  }
  Finish(method, hist, &plan);
  return plan;
}

ChannelPlan NaiveMaxPlan(const Method& method, const ChannelHistogram& hist) {
  const auto& l = method.storable_levels();
  const int symmetric_top = std::min(l.back(), -l.front());
  const int m = hist.max_abs();
  const double a = m > 0 ? static_cast<double>(m) / symmetric_top : (method.has_zero() ? 1.0 : kMinFactor);
  return PlanForFactor(method, hist, a);
}

bool FindOnGridPlan(const Method& method, const ChannelHistogram& hist,
                    const ChannelPlanOptions& options, ChannelPlan* plan) {
  const std::vector<Value> vals = Distinct(hist);
  const std::vector<int>& levels = method.levels();
  Mapping best;
  double best_a = 0;
  bool have = false;

  // A level beyond int8 (qkeras 2^7) whose int8 image is 127.
  const auto top_image = [&](int q) {
    return std::abs(q) == 127 && !method.OnGrid(q) && method.OnGrid(q > 0 ? 128 : -128);
  };
  const bool all_levels =
      std::all_of(vals.begin(), vals.end(), [&](const Value& v) { return method.OnGrid(v.q) || top_image(v.q); });
  if (all_levels) {
    // The values are the levels themselves (qkeras: 127 standing for 2^7, as
    // the v12 host reads it): factor 1 reproduces every other weight.
    have = MapAt(levels, vals, 1.0, /*allow_clamp=*/true, &best);
    best_a = 1.0;
  } else {
    // Distinct levels map to at most as many distinct values.
    if (vals.size() > levels.size()) return false;
    // Feasible factors: for every value q some level l with round(l * a) == q.
    // round() is half away from zero, so |l| a in [|q| - 0.5, |q| + 0.5).
    int min_nonzero = std::numeric_limits<int>::max();
    for (int l : levels)
      if (l != 0) min_nonzero = std::min(min_nonzero, std::abs(l));
    Intervals feasible = {{kMinFactor, kMaxFactor}};
    for (const Value& v : vals) {
      Intervals u;
      if (v.q == 0) {
        if (method.has_zero()) continue;
        u.push_back({0.0, 0.5 / min_nonzero});
      } else {
        const double mag = std::abs(v.q);
        for (int l : levels) {
          if (l == 0 || Sign(l) != Sign(v.q)) continue;
          u.push_back({(mag - 0.5) / std::abs(l), (mag + 0.5) / std::abs(l)});
        }
      }
      feasible = Intersect(feasible, Union(std::move(u)));
      if (feasible.empty()) return false;
    }
    // Candidates: factors reproducing some value exactly (q = l a), and one
    // interior point per feasible interval.
    std::vector<double> cands;
    for (const Value& v : vals) {
      for (int l : levels) {
        if (v.q == 0 || l == 0 || Sign(l) != Sign(v.q)) continue;
        const double a = static_cast<double>(v.q) / l;
        if (Contains(feasible, a)) cands.push_back(a);
      }
    }
    // Interior points only: an interval end is a rounding tie (x.5), which the
    // float32 scale of the output may tip either way.
    for (const auto& iv : feasible) {
      const double hi = iv.second;
      const double mid = 0.5 * (iv.first + hi), margin = 0.01 * (hi - iv.first);
      cands.push_back(mid);
      Mapping m;
      if (!MapAt(levels, vals, mid, false, &m)) continue;
      // Least-squares factor for this level assignment, kept inside the interval.
      double ql = 0, ll = 0;
      for (size_t i = 0; i < vals.size(); ++i) {
        ql += vals[i].count * vals[i].q * m.level[i];
        ll += vals[i].count * m.level[i] * m.level[i];
      }
      if (ll > 0) cands.push_back(std::clamp(ql / ll, iv.first + margin, hi - margin));
    }
    for (double a : cands) {
      Mapping m;
      if (!MapAt(levels, vals, a, false, &m)) continue;
      const bool better = !have || m.exact > best.exact ||
                          (m.exact == best.exact && (m.sse < best.sse - 1e-12 ||
                                                     (std::abs(m.sse - best.sse) <= 1e-12 && m.top > best.top)));
      if (better) {
        best = m;
        best_a = a;
        have = true;
      }
    }
  }
  if (!have) return false;

  // Store the levels; levels beyond int8 (qkeras 2^7) need halving or keeping.
  ChannelPlan p;
  p.stored.fill(0);
  p.executed.fill(0);
  int divisor = 1;
  bool all_even = true, even_but_one = true;  // every used level even (except +-1)
  for (int l : best.level) {
    all_even = all_even && (l % 2 == 0);
    even_but_one = even_but_one && (l % 2 == 0 || std::abs(l) == 1);
  }
  if (best.top <= 127) {
    p.kind = ChannelKind::kOnGrid;
  } else if (all_even && best.top / 2 <= 127) {
    p.kind = ChannelKind::kOnGridHalved;
    divisor = 2;
  } else if (options.top_level == TopLevelPolicy::kKeep) {
    p.kind = ChannelKind::kKeptTopLevel;
  } else if (options.top_level == TopLevelPolicy::kMergeBottom && even_but_one && best.top / 2 <= 127 &&
             method.OnGrid(1) && method.OnGrid(-1)) {
    p.kind = ChannelKind::kMergedBottom;
    divisor = 2;
  } else {
    return false;
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    const int idx = vals[i].q + 128;
    const int l = best.level[i];
    if (p.kind == ChannelKind::kKeptTopLevel) {
      p.stored[idx] = static_cast<int8_t>(vals[i].q);
      p.executed[idx] = static_cast<int16_t>(l);
    } else {
      // Halving: +-1 (merge-bottom only) becomes +-1 at the doubled scale, i.e. 2^1.
      p.stored[idx] = static_cast<int8_t>(std::abs(l) == 1 && divisor == 2 ? l : l / divisor);
      p.executed[idx] = p.stored[idx];
    }
  }
  p.factor = p.kind == ChannelKind::kKeptTopLevel ? 1.0 : best_a * divisor;
  Finish(method, hist, &p);
  *plan = p;
  return true;
}

ChannelPlan SearchPlan(const Method& method, const ChannelHistogram& hist, const ChannelPlanOptions& options) {
  const Grid grid(method);
  const std::vector<Value> vals = Distinct(hist);
  const ChannelPlan naive = NaiveMaxPlan(method, hist);
  const double a0 = naive.factor;
  double best_a = a0;
  double best = SseAt(grid, vals, a0);
  if (hist.max_abs() == 0) return naive;

  // 1. Dense geometric scan over [a0/4, 1.5 a0] (clipping outliers can pay;
  //    so can a coarser top level for power-of-two grids).
  const int n = std::max(8, options.scan_points);
  const double lo = std::max(kMinFactor, 0.25 * a0), hi = 1.5 * a0;
  const double ratio = std::pow(hi / lo, 1.0 / (n - 1));
  std::vector<double> scan(n);
  int best_k = -1;
  for (int k = 0; k < n; ++k) {
    scan[k] = lo * std::pow(ratio, k);
    const double s = SseAt(grid, vals, scan[k]);
    if (s < best) {
      best = s;
      best_a = scan[k];
      best_k = k;
    }
  }
  // 2. Golden-section refinement inside the bracket around the best scan point.
  if (best_k >= 0) {
    double x0 = scan[std::max(0, best_k - 1)], x1 = scan[std::min(n - 1, best_k + 1)];
    const double g = (std::sqrt(5.0) - 1) / 2;
    double c = x1 - g * (x1 - x0), d = x0 + g * (x1 - x0);
    double fc = SseAt(grid, vals, c), fd = SseAt(grid, vals, d);
    for (int it = 0; it < 40; ++it) {
      if (fc < fd) {
        x1 = d;
        d = c;
        fd = fc;
        c = x1 - g * (x1 - x0);
        fc = SseAt(grid, vals, c);
      } else {
        x0 = c;
        c = d;
        fc = fd;
        d = x0 + g * (x1 - x0);
        fd = SseAt(grid, vals, d);
      }
      for (auto [a, f] : {std::pair{c, fc}, std::pair{d, fd}}) {
        if (f < best) {
          best = f;
          best_a = a;
        }
      }
    }
  }
  // 3. Lloyd iterations: with the level assignment fixed, the least-squares
  //    factor is sum(q l) / sum(l^2); repeat while the error drops.
  for (int it = 0; it < 30; ++it) {
    double ql = 0, ll = 0;
    for (const Value& v : vals) {
      const int l = grid.Nearest(v.q / best_a);
      ql += v.count * v.q * l;
      ll += v.count * l * l;
    }
    if (ll <= 0 || ql <= 0) break;
    const double a = std::max(kMinFactor, ql / ll);
    const double s = SseAt(grid, vals, a);
    if (!(s < best - 1e-12)) break;
    best = s;
    best_a = a;
  }
  return PlanForFactor(method, hist, best_a);
}

ChannelPlan PlanChannel(const Method& method, const ChannelHistogram& hist, const ChannelPlanOptions& options) {
  ChannelPlan plan;
  if (FindOnGridPlan(method, hist, options, &plan)) return plan;
  return options.mse_search ? SearchPlan(method, hist, options) : NaiveMaxPlan(method, hist);
}

}  // namespace potacc::quant
