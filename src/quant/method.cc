#include "potacc/quant/method.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "potacc/error.h"

namespace potacc::quant {
namespace {

// v12 PE tables (reference-accelerator.md §1.2).
constexpr Method kQKeras{MethodId::kQKeras, "qkeras",
                         "QKeras po2: +-2^0..2^7, no zero (one barrel shifter)",
                         4, true, {1, 2, 4, 8, 16, 32, 64, 128},
                         {PeKind::kBarrelShift, {}, -1}, 15};
constexpr Method kApot{MethodId::kApot, "apot",
                       "APoT 4-bit additive powers of two: {0,1,2,3,4,6,8,10}",
                       4, true, {1, 3, 0, 2, 4, 6, 8, 10},
                       {PeKind::kTwoTermShiftAdd, {0, -1, 2, 3}, 1}, 12, /*int8_first_and_last=*/true};
constexpr Method kMsq{MethodId::kMsq, "msq",
                      "MSQ sum of two powers of two: {0,1,2,4,5,6,8}",
                      4, true, {1, 5, 2, 6, 4, 8, 0, 4},
                      {PeKind::kTwoTermShiftAdd, {0, 1, 2, -1}, 2}, 11};
constexpr Method kUniform4{MethodId::kUniform4, "uniform4",
                           "uniform 4-bit two's complement -8..7 (LUT multiplier)",
                           4, false, {}, {PeKind::kMultiplier, {}, -1}, 12};
constexpr Method kInt8{MethodId::kInt8, "int8", "int8 x int8 multiplier baseline",
                       8, false, {}, {PeKind::kMultiplier, {}, -1}, 16};

constexpr const Method* kAll[] = {&kQKeras, &kApot, &kMsq, &kUniform4, &kInt8};

std::vector<int> ComputeLevels(const Method& m) {
  std::vector<int> levels;
  for (int c = 0; c < m.num_codes(); ++c) levels.push_back(m.Decode(c));
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  return levels;
}

}  // namespace

int Method::Decode(uint32_t code) const {
  if (sign_magnitude) {
    const int mag = magnitude[code & 7];
    return (code & 8) ? -mag : mag;
  }
  if (code_bits == 4) return (code & 8) ? static_cast<int>(code & 15) - 16 : static_cast<int>(code & 15);
  return static_cast<int8_t>(code & 0xff);
}

const std::vector<int>& Method::levels() const {
  static const std::map<MethodId, std::vector<int>> cache = [] {
    std::map<MethodId, std::vector<int>> c;
    for (const Method* m : kAll) c[m->id] = ComputeLevels(*m);
    return c;
  }();
  return cache.at(id);
}

int Method::max_level() const {
  const auto& l = levels();
  return std::max(std::abs(l.front()), std::abs(l.back()));
}

bool Method::has_zero() const { return OnGrid(0); }

bool Method::OnGrid(int value) const {
  const auto& l = levels();
  return std::binary_search(l.begin(), l.end(), value);
}

uint32_t Method::Encode(int value) const {
  if (sign_magnitude) {
    const int mag = std::abs(value);
    for (uint32_t m = 0; m < 8; ++m) {
      if (magnitude[m] == mag) return (value < 0 ? 8u : 0u) | m;  // first code wins (MSQ 4)
    }
  } else if (OnGrid(value)) {
    return static_cast<uint32_t>(value) & static_cast<uint32_t>(num_codes() - 1);
  }
  throw Error("value " + std::to_string(value) + " is not on the " + std::string(name) + " grid");
}

namespace {
// Nearest of a sorted level list; ties to the smaller magnitude, then to +.
int NearestOf(const std::vector<int>& l, double value) {
  int best = l.front();
  double best_err = std::abs(value - best);
  for (int v : l) {
    const double err = std::abs(value - v);
    const bool tie_wins = err == best_err && (std::abs(v) < std::abs(best) ||
                                              (std::abs(v) == std::abs(best) && v > best));
    if (err < best_err || tie_wins) {
      best = v;
      best_err = err;
    }
  }
  return best;
}
}  // namespace

int Method::Nearest(double value) const { return NearestOf(levels(), value); }

const std::vector<int>& Method::storable_levels() const {
  static const std::map<MethodId, std::vector<int>> cache = [] {
    std::map<MethodId, std::vector<int>> c;
    for (const Method* m : kAll) {
      for (int v : m->levels())
        if (std::abs(v) <= 127) c[m->id].push_back(v);
    }
    return c;
  }();
  return cache.at(id);
}

int Method::max_storable_level() const {
  const auto& l = storable_levels();
  return std::max(std::abs(l.front()), std::abs(l.back()));
}

int Method::NearestStorable(double value) const { return NearestOf(storable_levels(), value); }

std::vector<double> Method::normalized_levels() const {
  std::vector<double> out;
  const double top = max_level();
  for (int v : levels()) out.push_back(v / top);
  return out;
}

std::vector<int64_t> CodeHistogram(const Method& method, std::span<const int8_t> values) {
  std::vector<int64_t> hist(method.num_codes(), 0);
  for (int8_t v : values) ++hist[method.Encode(v)];
  return hist;
}

int32_t Method::PeProduct(int8_t x, uint32_t code) const {
  const int32_t xi = x;
  switch (recipe.kind) {
    case PeKind::kBarrelShift: {
      const int32_t p = xi * (int32_t{1} << (code & 7));  // x << m without signed-shift UB
      return (code & 8) ? -p : p;
    }
    case PeKind::kTwoTermShiftAdd: {
      const int sel = (code >> 1) & 3;
      const int32_t t1 = recipe.t1_shift[sel] < 0 ? 0 : xi * (int32_t{1} << recipe.t1_shift[sel]);
      const int32_t t2 = (code & 1) ? xi * (int32_t{1} << recipe.t2_shift) : 0;
      const int32_t p = t1 + t2;
      return (code & 8) ? -p : p;
    }
    case PeKind::kMultiplier:
      return xi * Decode(code);
  }
  return 0;
}

const Method& GetMethod(MethodId id) {
  for (const Method* m : kAll)
    if (m->id == id) return *m;
  throw Error("unknown method id");
}

const Method* FindMethod(std::string_view name) {
  for (const Method* m : kAll)
    if (m->name == name) return m;
  return nullptr;
}

const Method& MethodByName(std::string_view name) {
  if (const Method* m = FindMethod(name)) return *m;
  std::string valid;
  for (const Method* m : kAll) valid += (valid.empty() ? "" : ", ") + std::string(m->name);
  throw Error("unknown quantization method '" + std::string(name) + "' (valid: " + valid + ")");
}

std::span<const Method* const> AllMethods() { return kAll; }

}  // namespace potacc::quant
