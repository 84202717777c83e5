// Each PE against its method's decode table, exhaustively, and the fast
// path's effective weight table against the PE recipe.
#include <gtest/gtest.h>

#include <random>

#include "potacc/accel/config.h"
#include "potacc/accel/pe.h"

namespace potacc::accel {
namespace {

AcceleratorConfig ConfigFor(const char* method) { return ResolveAcceleratorConfig(method, "pynq-z2"); }

TEST(Pe, EveryPeMatchesItsDecodeTableOverAllInputs) {
  for (const char* name : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    const AcceleratorConfig c = ConfigFor(name);
    const quant::Method& m = *c.method;
    for (int code = 0; code < m.num_codes(); ++code) {
      for (int x = -128; x <= 127; ++x) {
        ASSERT_EQ(PeProduct(c, static_cast<int8_t>(x), code), x * m.Decode(code)) << name << " code " << code << " x " << x;
      }
    }
  }
}

TEST(Pe, ShiftPeTablesAreTheV12Tables) {
  // §1.2, written out independently of quant::Method.
  const int qkeras[8] = {1, 2, 4, 8, 16, 32, 64, 128};
  const int apot[8] = {1, 3, 0, 2, 4, 6, 8, 10};
  const int msq[8] = {1, 5, 2, 6, 4, 8, 0, 4};
  const std::pair<const char*, const int*> tables[] = {{"qkeras", qkeras}, {"apot", apot}, {"msq", msq}};
  for (auto [name, table] : tables) {
    const AcceleratorConfig c = ConfigFor(name);
    for (int code = 0; code < 16; ++code) {
      const int mag = table[code & 7];
      EXPECT_EQ(PeProduct(c, 1, code), (code & 8) ? -mag : mag) << name << " code " << code;
      EXPECT_EQ(PeProduct(c, -3, code), (code & 8) ? 3 * mag : -3 * mag) << name << " code " << code;
    }
  }
}

TEST(Pe, FastPathTableEqualsPeProductOverAllInputs) {
  // The simulator multiplies by EffectiveWeightTable(); this proves it is the PE.
  for (const char* name : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    for (bool quirk : {false, true}) {
      AcceleratorConfig c = ConfigFor(name);
      c.compat.uniform4_sign_magnitude = quirk;
      const std::vector<int16_t> table = EffectiveWeightTable(c);
      ASSERT_EQ(static_cast<int>(table.size()), c.method->num_codes());
      for (int code = 0; code < c.method->num_codes(); ++code)
        for (int x = -128; x <= 127; ++x)
          ASSERT_EQ(PeProduct(c, static_cast<int8_t>(x), code), x * table[code]) << name << " " << code << " " << x;
    }
  }
}

TEST(Pe, Uniform4ReleasedQuirk) {
  // §1.3: codes 8..15 contribute +(16 - c) * x as released; intended: (c - 16) * x.
  AcceleratorConfig c = ConfigFor("uniform4");
  EXPECT_EQ(PeProduct(c, 5, 15), -5);
  EXPECT_EQ(PeProduct(c, 5, 8), -40);
  c.compat.uniform4_sign_magnitude = true;
  EXPECT_EQ(PeProduct(c, 5, 15), 5);
  EXPECT_EQ(PeProduct(c, 5, 8), 40);
  EXPECT_EQ(PeProduct(c, 5, 7), 35);
}

TEST(Pe, TileReferenceUsesLaneAccumulatorsAndBias) {
  const AcceleratorConfig c = ConfigFor("apot");
  std::mt19937 rng(3);
  const int64_t rk = 64;
  std::vector<int8_t> a(4 * rk);
  std::vector<uint8_t> codes(4 * rk);
  for (auto& v : a) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  for (auto& v : codes) v = static_cast<uint8_t>(std::uniform_int_distribution<int>(0, 15)(rng));
  const int32_t bias[4] = {10, -20, 30, 1 << 30};
  int32_t out[16];
  PeTileReference(c, a.data(), rk, codes.data(), rk, rk, bias, out);
  for (int col = 0; col < 4; ++col) {
    for (int row = 0; row < 4; ++row) {
      int64_t s = bias[col];
      for (int64_t k = 0; k < rk; ++k) s += a[row * rk + k] * c.method->Decode(codes[col * rk + k]);
      EXPECT_EQ(out[4 * col + row], static_cast<int32_t>(s));
    }
  }
}

}  // namespace
}  // namespace potacc::accel
