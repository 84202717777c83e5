// Exhaustive checks of the quantization method descriptions against the
// reference design (../shared/docs/reference-accelerator.md §1.1-1.3). The expected
// tables below are transcribed from that document, not from method.cc.
#include "potacc/quant/method.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "potacc/error.h"

namespace potacc::quant {
namespace {

// §1.2: magnitude code m = b2b1b0 -> |value| (v12 tables).
constexpr std::array<int, 8> kQKerasMag = {1, 2, 4, 8, 16, 32, 64, 128};
constexpr std::array<int, 8> kApotMag = {1, 3, 0, 2, 4, 6, 8, 10};
constexpr std::array<int, 8> kMsqMag = {1, 5, 2, 6, 4, 8, 0, 4};

// §1.1: bit 3 = sign (1 = negative), bits 2..0 = magnitude code.
int SignMagnitude(const std::array<int, 8>& mag, int code) {
  return (code & 8) ? -mag[code & 7] : mag[code & 7];
}

// Expected value of every code, independently of Method::Decode.
std::vector<int> ExpectedDecode(MethodId id) {
  std::vector<int> out;
  switch (id) {
    case MethodId::kQKeras:
      for (int c = 0; c < 16; ++c) out.push_back(SignMagnitude(kQKerasMag, c));
      break;
    case MethodId::kApot:
      for (int c = 0; c < 16; ++c) out.push_back(SignMagnitude(kApotMag, c));
      break;
    case MethodId::kMsq:
      for (int c = 0; c < 16; ++c) out.push_back(SignMagnitude(kMsqMag, c));
      break;
    case MethodId::kUniform4:  // §1.3 intended: 4-bit two's complement
      out = {0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1};
      break;
    case MethodId::kInt8:
      for (int c = 0; c < 128; ++c) out.push_back(c);
      for (int c = 128; c < 256; ++c) out.push_back(c - 256);
      break;
  }
  return out;
}

// Documented level sets (issue 3 / reference doc §1.2).
std::vector<int> ExpectedLevels(MethodId id) {
  std::set<int> mags;
  bool zero = false;
  switch (id) {
    case MethodId::kQKeras: mags = {1, 2, 4, 8, 16, 32, 64, 128}; break;
    case MethodId::kApot: mags = {1, 2, 3, 4, 6, 8, 10}; zero = true; break;
    case MethodId::kMsq: mags = {1, 2, 4, 5, 6, 8}; zero = true; break;
    case MethodId::kUniform4: {
      std::vector<int> v;
      for (int i = -8; i <= 7; ++i) v.push_back(i);
      return v;
    }
    case MethodId::kInt8: {
      std::vector<int> v;
      for (int i = -128; i <= 127; ++i) v.push_back(i);
      return v;
    }
  }
  std::set<int> all;
  for (int m : mags) {
    all.insert(m);
    all.insert(-m);
  }
  if (zero) all.insert(0);
  return {all.begin(), all.end()};
}

class MethodTest : public ::testing::TestWithParam<MethodId> {
 protected:
  const Method& m() const { return GetMethod(GetParam()); }
};

TEST_P(MethodTest, EveryCodeDecodesToItsDocumentedValue) {
  const auto expected = ExpectedDecode(GetParam());
  ASSERT_EQ(static_cast<int>(expected.size()), m().num_codes());
  for (int c = 0; c < m().num_codes(); ++c) EXPECT_EQ(m().Decode(c), expected[c]) << m().name << " code " << c;
}

TEST_P(MethodTest, LevelSetIsTheDocumentedOne) {
  EXPECT_EQ(m().levels(), ExpectedLevels(GetParam())) << m().name;
  const auto& l = ExpectedLevels(GetParam());
  EXPECT_EQ(m().has_zero(), std::count(l.begin(), l.end(), 0) == 1);
  int max_abs = 0;
  for (int v : l) max_abs = std::max(max_abs, std::abs(v));
  EXPECT_EQ(m().max_level(), max_abs);
}

TEST_P(MethodTest, StorableLevelsAreTheInt8SymmetricSubset) {
  std::vector<int> expected;
  for (int v : ExpectedLevels(GetParam()))
    if (v >= -127 && v <= 127) expected.push_back(v);
  EXPECT_EQ(m().storable_levels(), expected);
  if (GetParam() == MethodId::kQKeras) {
    EXPECT_EQ(m().max_storable_level(), 64);
  }
  if (GetParam() == MethodId::kApot) {
    EXPECT_EQ(m().max_storable_level(), 10);
  }
}

TEST_P(MethodTest, NormalizedLevelsSpanMinusOneToOne) {
  const auto n = m().normalized_levels();
  ASSERT_EQ(n.size(), m().levels().size());
  double top = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    EXPECT_DOUBLE_EQ(n[i] * m().max_level(), m().levels()[i]);
    top = std::max(top, std::abs(n[i]));
  }
  EXPECT_DOUBLE_EQ(top, 1.0);
}

TEST_P(MethodTest, EncodeDecodeIsIdentityOnTheGrid) {
  for (int v : ExpectedLevels(GetParam())) {
    const uint32_t code = m().Encode(v);
    EXPECT_LT(code, static_cast<uint32_t>(m().num_codes()));
    EXPECT_EQ(m().Decode(code), v) << m().name << " value " << v;
    EXPECT_TRUE(m().OnGrid(v));
  }
  // Every code re-encodes to a code with the same value (codes need not be
  // unique: -0, and MSQ's two codes for 4).
  for (int c = 0; c < m().num_codes(); ++c) EXPECT_EQ(m().Decode(m().Encode(m().Decode(c))), m().Decode(c));
}

TEST_P(MethodTest, EncodeRejectsOffGridValues) {
  const auto levels = ExpectedLevels(GetParam());
  const std::set<int> grid(levels.begin(), levels.end());
  for (int v = -300; v <= 300; ++v) {
    if (grid.count(v)) continue;
    EXPECT_FALSE(m().OnGrid(v));
    EXPECT_THROW(m().Encode(v), Error) << m().name << " value " << v;
  }
}

TEST_P(MethodTest, PeProductEqualsActivationTimesWeightForAllInputs) {
  for (int x = -128; x <= 127; ++x) {
    for (int c = 0; c < m().num_codes(); ++c) {
      const int32_t expected = x * ExpectedDecode(GetParam())[c];
      ASSERT_EQ(m().PeProduct(static_cast<int8_t>(x), c), expected) << m().name << " x=" << x << " code=" << c;
    }
  }
}

TEST_P(MethodTest, PeProductFitsTheDocumentedWidth) {
  // Shift PEs form the unsigned-magnitude product from signed x; the sign is
  // applied by the accumulator (§1.1). Multiplier PEs form x * w directly.
  const int64_t lo = -(int64_t{1} << (m().product_bits - 1));
  const int64_t hi = (int64_t{1} << (m().product_bits - 1)) - 1;
  int64_t min_seen = 0, max_seen = 0;
  for (int x = -128; x <= 127; ++x) {
    for (int c = 0; c < m().num_codes(); ++c) {
      const int v = ExpectedDecode(GetParam())[c];
      const int64_t p = m().sign_magnitude ? int64_t{x} * std::abs(v) : int64_t{x} * v;
      min_seen = std::min(min_seen, p);
      max_seen = std::max(max_seen, p);
    }
  }
  EXPECT_GE(min_seen, lo) << m().name;
  EXPECT_LE(max_seen, hi) << m().name;
  // And the width is tight: one bit less would not do.
  EXPECT_TRUE(min_seen < lo / 2 || max_seen > hi / 2) << m().name << " product_bits not minimal";
}

// Brute force: the level nearest to x, ties to the smaller magnitude, then +.
int BruteNearest(const std::vector<int>& levels, double x) {
  int best = 0;
  double best_err = std::numeric_limits<double>::infinity();
  for (int l : levels) {
    const double e = std::abs(x - l);
    if (e < best_err) {
      best = l;
      best_err = e;
    } else if (e == best_err) {
      if (std::abs(l) < std::abs(best) || (std::abs(l) == std::abs(best) && l > best)) best = l;
    }
  }
  return best;
}

TEST_P(MethodTest, NearestMatchesBruteForceOverAllInt8Inputs) {
  const auto levels = ExpectedLevels(GetParam());
  std::vector<int> storable;
  for (int v : levels)
    if (std::abs(v) <= 127) storable.push_back(v);
  for (int q = -128; q <= 127; ++q) {
    // Integers (int8 inputs), half-integers (exact ties) and the int8 value
    // seen through typical per-channel scale factors.
    for (double x : {double(q), q + 0.5, q / 12.7, q / 15.875, q / 2.0, q / 127.0 * 8, q * 1.37}) {
      ASSERT_EQ(m().Nearest(x), BruteNearest(levels, x)) << m().name << " x=" << x;
      ASSERT_EQ(m().NearestStorable(x), BruteNearest(storable, x)) << m().name << " x=" << x;
    }
  }
}

TEST_P(MethodTest, CodeHistogramCountsEncodedCodes) {
  std::vector<int8_t> values;
  for (int v : m().storable_levels()) values.push_back(static_cast<int8_t>(v));
  values.push_back(static_cast<int8_t>(m().storable_levels().back()));
  const auto hist = CodeHistogram(m(), values);
  ASSERT_EQ(static_cast<int>(hist.size()), m().num_codes());
  int64_t total = 0;
  for (auto h : hist) total += h;
  EXPECT_EQ(total, static_cast<int64_t>(values.size()));
  EXPECT_EQ(hist[m().Encode(m().storable_levels().back())], 2);
}

INSTANTIATE_TEST_SUITE_P(AllMethods, MethodTest,
                         ::testing::Values(MethodId::kQKeras, MethodId::kApot, MethodId::kMsq,
                                           MethodId::kUniform4, MethodId::kInt8),
                         [](const auto& info) { return std::string(GetMethod(info.param).name); });

TEST(MethodHandTest, TieRulesOfNearest) {
  const Method& qk = GetMethod(MethodId::kQKeras);
  EXPECT_EQ(qk.Nearest(0.0), 1);     // v12 host encodes 0 as +1
  EXPECT_EQ(qk.Nearest(-0.2), -1);
  EXPECT_EQ(qk.Nearest(96.0), 64);   // exact tie: smaller magnitude
  EXPECT_EQ(qk.Nearest(96.5), 128);
  EXPECT_EQ(qk.NearestStorable(127.0), 64);
  const Method& apot = GetMethod(MethodId::kApot);
  EXPECT_EQ(apot.Nearest(5.0), 4);   // between 4 and 6
  EXPECT_EQ(apot.Nearest(-9.0), -8); // between -8 and -10
  EXPECT_EQ(apot.Nearest(0.5), 0);
  EXPECT_EQ(apot.Nearest(100.0), 10);
  const Method& msq = GetMethod(MethodId::kMsq);
  EXPECT_EQ(msq.Nearest(3.0), 2);
  EXPECT_EQ(msq.Nearest(7.0), 6);
  EXPECT_EQ(msq.Nearest(7.01), 8);
  const Method& u4 = GetMethod(MethodId::kUniform4);
  EXPECT_EQ(u4.Nearest(9.0), 7);
  EXPECT_EQ(u4.Nearest(-9.0), -8);
}

TEST(MethodHandTest, ShiftAddRecipesMatchTheReferencePes) {
  // §1.2 APoT: T1 by b2b1: x, 0, 4x, 8x; T2 = 2x. MSQ: T1: x, 2x, 4x, 0; T2 = 4x.
  const Method& apot = GetMethod(MethodId::kApot);
  EXPECT_EQ(apot.recipe.kind, PeKind::kTwoTermShiftAdd);
  EXPECT_EQ(apot.recipe.t1_shift, (std::array<int8_t, 4>{0, -1, 2, 3}));
  EXPECT_EQ(apot.recipe.t2_shift, 1);
  const Method& msq = GetMethod(MethodId::kMsq);
  EXPECT_EQ(msq.recipe.kind, PeKind::kTwoTermShiftAdd);
  EXPECT_EQ(msq.recipe.t1_shift, (std::array<int8_t, 4>{0, 1, 2, -1}));
  EXPECT_EQ(msq.recipe.t2_shift, 2);
  EXPECT_EQ(GetMethod(MethodId::kQKeras).recipe.kind, PeKind::kBarrelShift);
  EXPECT_EQ(GetMethod(MethodId::kUniform4).recipe.kind, PeKind::kMultiplier);
  EXPECT_EQ(GetMethod(MethodId::kInt8).recipe.kind, PeKind::kMultiplier);
  // Widths from the §1.2/§1.3 tables.
  EXPECT_EQ(GetMethod(MethodId::kQKeras).product_bits, 15);
  EXPECT_EQ(apot.product_bits, 12);
  EXPECT_EQ(msq.product_bits, 11);
  EXPECT_EQ(GetMethod(MethodId::kUniform4).product_bits, 12);
  EXPECT_EQ(GetMethod(MethodId::kInt8).product_bits, 16);
}

TEST(MethodHandTest, ReferenceApotEncodingOfZeroIsHarmless) {
  // §1.6 step 6: the v12 host encodes APoT 0 as "-0" (sign | 010); it decodes to 0.
  EXPECT_EQ(GetMethod(MethodId::kApot).Decode(0b1010), 0);
  EXPECT_EQ(GetMethod(MethodId::kApot).Encode(0) & 7u, 0b010u);
  EXPECT_EQ(GetMethod(MethodId::kMsq).Encode(0) & 7u, 0b110u);
  EXPECT_EQ(GetMethod(MethodId::kMsq).Encode(4) & 7u, 0b100u);  // first of the two codes for 4
}

TEST(MethodHandTest, LookupByName) {
  for (const Method* m : AllMethods()) EXPECT_EQ(&MethodByName(m->name), m);
  EXPECT_EQ(FindMethod("nope"), nullptr);
  try {
    MethodByName("apot8");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("apot8"), std::string::npos);
    EXPECT_NE(msg.find("qkeras"), std::string::npos);
    EXPECT_NE(msg.find("uniform4"), std::string::npos);
  }
  EXPECT_EQ(AllMethods().size(), 5u);
}

}  // namespace
}  // namespace potacc::quant
