// Requantization of one weight channel (the int8 values sharing one scale)
// onto a method's grid. Works on the histogram of the channel's int8 values,
// so the cost does not depend on the channel's size.
//
// Model: the source stores q = round(w / s), |q| <= 127. The plan picks
// a factor a (new scale s' = s * a) and, for every source value q, the int8
// integer stored instead (a storable grid level), so that w ~= s' * stored.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "potacc/quant/method.h"

namespace potacc::quant {

// (Weighted) counts of each int8 value in one channel; index = q + 128.
// Unit weights give the weight MSE; importance weights (e.g. the mean square
// of the input channel each weight multiplies) give an output-aware error.
struct ChannelHistogram {
  std::array<double, 256> count{};

  void Add(int8_t q, double weight = 1.0) { count[q + 128] += weight; }
  void AddAll(std::span<const int8_t> values) {
    for (int8_t q : values) Add(q);
  }
  double total() const;
  int max_abs() const;  // largest |q| present (0 for an empty/all-zero channel)
  int distinct() const;
};

// On-grid channels whose levels do not fit int8: qkeras channels using both
// 2^0 and 2^7 (the int8 source stores 2^7 as 127).
enum class TopLevelPolicy : uint8_t {
  kKeep,         // keep the source values: 127 stands for 2^7 (as the source and the v12
                 // host do); lossless on the CPU, but the accelerator executes 128
  kMergeBottom,  // halve the levels and round 2^0 up to 2^1: every stored value is a grid
                 // value (CPU == accelerator), 1 source LSB error on the smallest weights
  kSearch,       // treat the channel as off grid (MSE search over the storable levels)
};

struct ChannelPlanOptions {
  TopLevelPolicy top_level = TopLevelPolicy::kKeep;
  // Off-grid search: number of scale candidates of the dense scan.
  int scan_points = 192;
  // Off-grid channels: false = the naive max rule instead of the MSE search
  // (for comparisons only).
  bool mse_search = true;
};

enum class ChannelKind : uint8_t {
  kOnGrid,        // every q == round(level * a): remapped to the levels
  kOnGridHalved,  // on grid with levels up to 2^7: integers halved, a doubled
  kKeptTopLevel,  // on grid but uses both 2^0 and 2^7: source kept, 127 means 128
  kMergedBottom,  // on grid but uses both 2^0 and 2^7: halved, 2^0 merged into 2^1 (lossy)
  kSearched,      // off grid: MSE-optimal factor, nearest storable level
};
const char* ChannelKindName(ChannelKind k);

struct ChannelPlan {
  ChannelKind kind = ChannelKind::kSearched;
  double factor = 1.0;                 // s' = s * factor
  std::array<int8_t, 256> stored{};    // q + 128 -> int8 integer written
  std::array<int16_t, 256> executed{}; // q + 128 -> grid level a PE executes (== stored,
                                       // except 127 -> 128 for kKeptTopLevel)
  double sse = 0;     // sum over weights of count * (q - stored * factor)^2, source LSB^2
  double signal = 0;  // sum of count * q^2
  double max_abs_error = 0;  // max |q - stored * factor|, source LSB

  // Lossless remap of the source (the CPU sees exactly the source's grid).
  bool on_grid() const { return kind != ChannelKind::kSearched && kind != ChannelKind::kMergedBottom; }
};

// The full plan: on-grid detection, else the MSE search.
ChannelPlan PlanChannel(const Method& method, const ChannelHistogram& hist,
                        const ChannelPlanOptions& options = {});

// Pieces, exposed for tests and for --method auto.
// On-grid detection: true and *plan filled if q == round(level * a) for one
// common a > 0 (choosing, among such a, the one reproducing the most weights
// exactly, then the smallest error, then the largest top level), or if every
// q is a level itself, except 127 standing for a level 2^7 = 128 (qkeras as
// stored by TFLite and read by the v12 host), with a = 1.
bool FindOnGridPlan(const Method& method, const ChannelHistogram& hist,
                    const ChannelPlanOptions& options, ChannelPlan* plan);
// Off-grid: MSE-minimising factor over the storable levels.
ChannelPlan SearchPlan(const Method& method, const ChannelHistogram& hist,
                       const ChannelPlanOptions& options);
// The naive rule: a = max|q| / (largest level available with both signs),
// then nearest storable level. Reference point for the search.
ChannelPlan NaiveMaxPlan(const Method& method, const ChannelHistogram& hist);
// Recomputes sse / signal / max_abs_error of a plan over another histogram
// (e.g. the unweighted one, for reports).
void ComputePlanStats(const ChannelHistogram& hist, ChannelPlan* plan);
// Plan for a fixed factor with nearest-storable-level rounding.
ChannelPlan PlanForFactor(const Method& method, const ChannelHistogram& hist, double factor);

}  // namespace potacc::quant
