// Per-channel requantization: on-grid detection (lossless), the MSE search,
// and the qkeras top-level policies. Expected values are hand-computed or
// brute-forced here.
#include "potacc/quant/channel_quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace potacc::quant {
namespace {

ChannelHistogram Hist(const std::vector<int>& values) {
  ChannelHistogram h;
  for (int v : values) h.Add(static_cast<int8_t>(v));
  return h;
}

// What TFLite's int8 conversion stores for a real value (in source LSB).
int Convert(double x) { return static_cast<int>(std::clamp(std::round(x), -127.0, 127.0)); }

// Lossless: converting the requantized weights back to the source scale gives
// the source values again.
void ExpectReconvertsToSource(const ChannelPlan& p, const std::vector<int>& values) {
  for (int q : values) {
    const double real = p.stored[q + 128] * p.factor;
    EXPECT_EQ(Convert(real), q) << "q=" << q << " stored=" << int(p.stored[q + 128]) << " factor=" << p.factor;
  }
}

TEST(ChannelQuantizerTest, ApotTableChannelMapsToIntegerLevels) {
  // Reference doc §1.6 case A: T8 levels -> TO levels, s' = s * 127/10.
  const std::vector<int> t8 = {-127, -102, -76, -51, -38, -25, -13, 0, 13, 25, 38, 51, 76, 102, 127};
  const std::vector<int> to = {-10, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 10};
  const Method& apot = GetMethod(MethodId::kApot);
  ChannelPlan p;
  ASSERT_TRUE(FindOnGridPlan(apot, Hist(t8), {}, &p));
  EXPECT_EQ(p.kind, ChannelKind::kOnGrid);
  EXPECT_NEAR(p.factor, 12.7, 1e-12);
  for (size_t i = 0; i < t8.size(); ++i) EXPECT_EQ(p.stored[t8[i] + 128], to[i]);
  EXPECT_LE(p.max_abs_error, 0.5);
  ExpectReconvertsToSource(p, t8);
}

TEST(ChannelQuantizerTest, ApotChannelWithTopLevelEight) {
  // §1.6 case B example: 127 * {0,1,2,3,4,6,8} / 8 stored as int8.
  const std::vector<int> v = {0, 16, 32, 48, 64, 95, 127, -16, -95, -127};
  const ChannelPlan p = PlanChannel(GetMethod(MethodId::kApot), Hist(v));
  EXPECT_EQ(p.kind, ChannelKind::kOnGrid);
  EXPECT_NEAR(p.factor, 127.0 / 8, 1e-12);
  const std::vector<int> expect = {0, 1, 2, 3, 4, 6, 8, -1, -6, -8};
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(p.stored[v[i] + 128], expect[i]) << v[i];
  ExpectReconvertsToSource(p, v);
}

TEST(ChannelQuantizerTest, OnGridAtManyScalesIsLossless) {
  std::mt19937 rng(7);
  for (MethodId id : {MethodId::kApot, MethodId::kMsq, MethodId::kUniform4, MethodId::kQKeras}) {
    const Method& m = GetMethod(id);
    const auto& levels = m.storable_levels();
    for (double a : {1.0, 1.7, 3.3, 9.07, 12.7, 15.875, 127.0 / 6, 127.0 / 7, 127.0 / 8}) {
      if (a * m.max_storable_level() > 127.49) continue;
      std::vector<int> values, lv;
      for (int k = 0; k < 200; ++k) {
        const int l = levels[rng() % levels.size()];
        lv.push_back(l);
        values.push_back(Convert(l * a));
      }
      // Make sure the channel uses its extreme levels (the fit is then unique).
      for (int l : {levels.front(), levels.back()}) {
        lv.push_back(l);
        values.push_back(Convert(l * a));
      }
      const ChannelPlan p = PlanChannel(m, Hist(values));
      EXPECT_TRUE(p.on_grid()) << m.name << " a=" << a;
      ExpectReconvertsToSource(p, values);
      EXPECT_LE(p.max_abs_error, 0.5 + 1e-9) << m.name << " a=" << a;
      for (int v : values) EXPECT_TRUE(m.OnGrid(p.stored[v + 128])) << m.name << " a=" << a;
      // With the whole level range present the scale is recovered.
      if (a > 2.5) {
        // |top * a' - q_top| <= 0.5 and |top * a - q_top| <= 0.5.
        EXPECT_NEAR(p.factor, a, 1.0 / m.max_storable_level() + 1e-9) << m.name << " a=" << a;
        for (size_t k = 0; k < values.size(); ++k) EXPECT_EQ(p.stored[values[k] + 128], lv[k]) << m.name << " a=" << a;
      }
    }
  }
}

TEST(ChannelQuantizerTest, QKerasHalvesChannelsWithoutTheBottomLevel) {
  // QKeras po2 channel as TFLite stores it: 2^1..2^7, top level rounded to 127.
  const std::vector<int> v = {2, 4, 8, 16, 32, 64, 127, -2, -64, -127};
  const ChannelPlan p = PlanChannel(GetMethod(MethodId::kQKeras), Hist(v));
  EXPECT_EQ(p.kind, ChannelKind::kOnGridHalved);
  EXPECT_DOUBLE_EQ(p.factor, 2.0);
  const std::vector<int> expect = {1, 2, 4, 8, 16, 32, 64, -1, -32, -64};
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(p.stored[v[i] + 128], expect[i]);
    EXPECT_EQ(p.executed[v[i] + 128], expect[i]);
  }
  // Every weight but the top level is unchanged; 127 becomes 128.
  EXPECT_DOUBLE_EQ(p.max_abs_error, 1.0);
  ExpectReconvertsToSource(p, v);
}

TEST(ChannelQuantizerTest, QKerasFullRangeChannelPolicies) {
  const std::vector<int> v = {1, 2, 4, 8, 16, 32, 64, 127, -1, -127};
  const Method& qk = GetMethod(MethodId::kQKeras);
  // keep: the source values, 127 executes as 2^7.
  const ChannelPlan keep = PlanChannel(qk, Hist(v), {.top_level = TopLevelPolicy::kKeep});
  EXPECT_EQ(keep.kind, ChannelKind::kKeptTopLevel);
  EXPECT_DOUBLE_EQ(keep.factor, 1.0);
  for (int q : v) EXPECT_EQ(keep.stored[q + 128], q);
  EXPECT_EQ(keep.executed[127 + 128], 128);
  EXPECT_EQ(keep.executed[-127 + 128], -128);
  EXPECT_EQ(keep.executed[64 + 128], 64);
  EXPECT_DOUBLE_EQ(keep.sse, 0.0);
  // merge-bottom: halved, +-1 -> +-1 at scale 2 (= 2^1), everything on the grid.
  const ChannelPlan merge = PlanChannel(qk, Hist(v), {.top_level = TopLevelPolicy::kMergeBottom});
  EXPECT_EQ(merge.kind, ChannelKind::kMergedBottom);
  EXPECT_FALSE(merge.on_grid());
  EXPECT_DOUBLE_EQ(merge.factor, 2.0);
  EXPECT_EQ(merge.stored[1 + 128], 1);
  EXPECT_EQ(merge.stored[-1 + 128], -1);
  EXPECT_EQ(merge.stored[2 + 128], 1);
  EXPECT_EQ(merge.stored[127 + 128], 64);
  for (int q : v) EXPECT_EQ(merge.stored[q + 128], merge.executed[q + 128]);
  // search: off grid, storable levels only.
  const ChannelPlan search = PlanChannel(qk, Hist(v), {.top_level = TopLevelPolicy::kSearch});
  EXPECT_EQ(search.kind, ChannelKind::kSearched);
  for (int q : v) EXPECT_TRUE(qk.OnGrid(search.stored[q + 128]));
}

TEST(ChannelQuantizerTest, AllZeroChannels) {
  const std::vector<int> zeros(9, 0);
  const ChannelPlan apot = PlanChannel(GetMethod(MethodId::kApot), Hist(zeros));
  EXPECT_TRUE(apot.on_grid());
  EXPECT_EQ(apot.stored[128], 0);
  EXPECT_DOUBLE_EQ(apot.sse, 0.0);
  // qkeras has no zero: +1 at the smallest allowed factor.
  const ChannelPlan qk = PlanChannel(GetMethod(MethodId::kQKeras), Hist(zeros));
  EXPECT_EQ(qk.stored[128], 1);
  EXPECT_LE(qk.factor, 0.5);
  EXPECT_GT(qk.factor, 0.0);
}

TEST(ChannelQuantizerTest, PlanForFactorRoundsToNearestStorableLevel) {
  ChannelHistogram h;
  for (int q = -127; q <= 127; ++q) h.Add(static_cast<int8_t>(q));
  for (const Method* m : AllMethods()) {
    for (double a : {0.37, 1.0, 2.0, 12.7, 15.875, 19.3}) {
      const ChannelPlan p = PlanForFactor(*m, h, a);
      double sse = 0;
      for (int q = -127; q <= 127; ++q) {
        ASSERT_EQ(p.stored[q + 128], m->NearestStorable(q / a)) << m->name << " q=" << q << " a=" << a;
        sse += (q - p.stored[q + 128] * a) * (q - p.stored[q + 128] * a);
      }
      EXPECT_NEAR(p.sse, sse, 1e-6 * (1 + sse));
    }
  }
}

// Brute force: the best factor on a very fine grid.
double BruteBestSse(const Method& m, const ChannelHistogram& h) {
  double best = INFINITY;
  const double a0 = h.max_abs() / double(std::min(m.storable_levels().back(), -m.storable_levels().front()));
  for (int k = 0; k <= 4000; ++k) {
    const double a = a0 * (0.2 + 1.4 * k / 4000.0);
    best = std::min(best, PlanForFactor(m, h, a).sse);
  }
  return best;
}

TEST(ChannelQuantizerTest, SearchBeatsNaiveMaxRuleAndNearlyMatchesBruteForce) {
  std::mt19937 rng(11);
  std::normal_distribution<double> gauss(0, 30);
  for (MethodId id : {MethodId::kQKeras, MethodId::kApot, MethodId::kMsq, MethodId::kUniform4}) {
    const Method& m = GetMethod(id);
    for (int trial = 0; trial < 4; ++trial) {
      ChannelHistogram h;
      std::vector<int> values;
      for (int k = 0; k < 300; ++k) values.push_back(Convert(gauss(rng) * (trial + 1) / 2));
      values.push_back(127);  // an outlier sets the naive scale
      h.AddAll(std::vector<int8_t>(values.begin(), values.end()));
      const ChannelPlan naive = NaiveMaxPlan(m, h);
      const ChannelPlan plan = PlanChannel(m, h);
      EXPECT_EQ(plan.kind, ChannelKind::kSearched) << m.name;
      EXPECT_LE(plan.sse, naive.sse + 1e-9) << m.name;
      const double brute = BruteBestSse(m, h);
      EXPECT_LE(plan.sse, brute * 1.01 + 1e-9) << m.name << " trial " << trial;
      for (int v : values) EXPECT_TRUE(m.OnGrid(plan.stored[v + 128]));
      // MSE-optimal beats naive clearly on Gaussian data with an outlier.
      if (trial == 0) {
        EXPECT_LT(plan.sse, 0.95 * naive.sse) << m.name << " " << plan.sse << " vs naive " << naive.sse;
      }
    }
  }
}

TEST(ChannelQuantizerTest, OffGridChannelIsNotMistakenForOnGrid) {
  // 5 distinct values cannot all be APoT levels of one scale with 0,13,26.
  const std::vector<int> v = {0, 13, 20, 26, 127};
  ChannelPlan p;
  EXPECT_FALSE(FindOnGridPlan(GetMethod(MethodId::kApot), Hist(v), {}, &p));
  // More distinct values than levels.
  std::vector<int> many;
  for (int q = -40; q <= 40; ++q) many.push_back(q);
  EXPECT_FALSE(FindOnGridPlan(GetMethod(MethodId::kMsq), Hist(many), {}, &p));
  // int8 method: every int8 channel is on its own grid at factor 1.
  ASSERT_TRUE(FindOnGridPlan(GetMethod(MethodId::kInt8), Hist(many), {}, &p));
  EXPECT_DOUBLE_EQ(p.factor, 1.0);
  for (int q : many) EXPECT_EQ(p.stored[q + 128], q);
}

}  // namespace
}  // namespace potacc::quant
