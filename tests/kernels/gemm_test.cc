#include "potacc/kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

#include "conv_test_model.h"
#include "potacc/error.h"
#include "potacc/fixed_point.h"
#include "potacc/util/thread_pool.h"

namespace potacc::kernels {
namespace {

using testing::Isas;
using testing::RandomInt32;
using testing::RandomInt8;

struct Multipliers {
  std::vector<int32_t> m;
  std::vector<int> s;
  void Add(double real) {
    int32_t q;
    int shift;
    fixed_point::QuantizeMultiplier(real, &q, &shift);
    m.push_back(q);
    s.push_back(shift);
  }
};

// Log-uniform real multipliers from 1e-7 to 4: covers right shifts up to the
// bottom of TFLite's range and small left shifts.
Multipliers RandomMultipliers(std::mt19937& rng, int n) {
  std::uniform_real_distribution<double> e(std::log(1e-7), std::log(4.0));
  Multipliers m;
  for (int i = 0; i < n; ++i) m.Add(std::exp(e(rng)));
  return m;
}

TEST(GemmTest, HandComputedTwoChannels) {
  // a = [1 2 3], input zero point -1 (offset +1): (a + 1) = [2 3 4]
  // w0 = [1 0 -1]: 2 - 4 = -2, + bias 10 = 8;  w1 = [2 2 2]: 18, + bias -4 = 14
  // multiplier 1.0, output zero point -3: [5, 11]
  const std::vector<int8_t> a = {1, 2, 3};
  const std::vector<int8_t> w = {1, 0, -1, 2, 2, 2};
  const std::vector<int32_t> bias = {10, -4};
  Multipliers m;
  m.Add(1.0);
  m.Add(1.0);
  Int8Params q;
  q.input_offset = 1;
  q.output_zero_point = -3;
  q.multiplier = m.m.data();
  q.shift = m.s.data();
  std::vector<int8_t> out(2);
  GemmInt8Reference(q, w.data(), 2, 3, bias.data(), a.data(), 1, 3, out.data(), 2);
  EXPECT_EQ(out, (std::vector<int8_t>{5, 11}));
  for (Isa isa : Isas()) {
    const PackedWeightsInt8 packed(w.data(), 2, 3, bias.data(), 1, 0, isa);
    // bias + input_offset * Σw: 10 + 0, -4 + 6
    EXPECT_EQ(packed.fused_bias()[0], 10);
    EXPECT_EQ(packed.fused_bias()[1], 2);
    if (packed.layout() == PackedWeightsInt8::Layout::kInt8Quads) {
      // activations fed as x + 128: minus 128 * Σw = 0 and 6
      EXPECT_EQ(packed.unsigned_bias()[0], 10);
      EXPECT_EQ(packed.unsigned_bias()[1], 2 - 128 * 6);
    }
    std::vector<int8_t> o(2, 0);
    GemmInt8(q, packed, a.data(), 1, 3, o.data(), 2, isa);
    EXPECT_EQ(o, (std::vector<int8_t>{5, 11})) << IsaName(isa);
  }
}

TEST(GemmTest, FilterZeroPointAndClamp) {
  // filter zero point 2 (offset -2): w - 2 = [-1, 3]; a + 0 = [5, -7]: -5 - 21 = -26
  // multiplier 0.5 -> -13; zero point 0; act range [-10, 127] clamps to -10.
  const std::vector<int8_t> a = {5, -7};
  const std::vector<int8_t> w = {1, 5};
  Multipliers m;
  m.Add(0.5);
  Int8Params q;
  q.filter_offset = -2;
  q.multiplier = m.m.data();
  q.shift = m.s.data();
  std::vector<int8_t> out(1);
  GemmInt8Reference(q, w.data(), 1, 2, nullptr, a.data(), 1, 2, out.data(), 1);
  EXPECT_EQ(out[0], -13);
  q.act_min = -10;
  GemmInt8Reference(q, w.data(), 1, 2, nullptr, a.data(), 1, 2, out.data(), 1);
  EXPECT_EQ(out[0], -10);
  for (Isa isa : Isas()) {
    const PackedWeightsInt8 packed(w.data(), 1, 2, nullptr, 0, -2, isa);
    out[0] = 0;
    GemmInt8(q, packed, a.data(), 1, 2, out.data(), 1, isa);
    EXPECT_EQ(out[0], -10) << IsaName(isa);
  }
}

TEST(GemmTest, RequantizeRowMatchesScalarOnEdgesAndRandom) {
  std::mt19937 rng(7);
  const int n = 4096 + 5;  // not a multiple of the vector width
  Multipliers m = RandomMultipliers(rng, n - 8);
  // The extremes of TFLite's shift range and a zero multiplier.
  m.m.insert(m.m.end(), {1 << 30, (1 << 30) + 1, std::numeric_limits<int32_t>::max(), 0,
                         1 << 30, 1518500250, 1 << 30, 2147483000});
  m.s.insert(m.s.end(), {30, -31, -31, 0, 1, -13, 0, 5});
  std::vector<int32_t> acc(n);
  std::uniform_int_distribution<int32_t> full(std::numeric_limits<int32_t>::min(),
                                              std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> small(-70000, 70000);
  const int32_t edges[] = {0, 1, -1, std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max(), 1 << 30, -(1 << 30), 3, -3};
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < n; ++i) {
      const int kind = (i + round) % 4;
      if (kind == 0) acc[i] = full(rng);
      else if (kind == 1) acc[i] = small(rng);
      else if (kind == 2) acc[i] = edges[(i / 4 + round) % 9];
      else {  // exact ties of the final rounding shift
        const int rs = std::max(-m.s[i], 0);
        const int64_t tie = rs > 0 ? (int64_t{1} << (rs - 1)) : 0;
        acc[i] = static_cast<int32_t>((small(rng) * (int64_t{1} << rs) + tie) % (int64_t{1} << 31));
      }
    }
    for (int zp : {-128, 0, 127}) {
      Int8Params q;
      q.output_zero_point = zp;
      q.multiplier = m.m.data();
      q.shift = m.s.data();
      std::vector<int8_t> expect(n), got(n);
      for (int i = 0; i < n; ++i) expect[i] = RequantizeOne(q, acc[i], i);
      for (Isa isa : Isas()) {
        RequantizeRow(q, acc.data(), n, got.data(), isa);
        ASSERT_EQ(got, expect) << IsaName(isa) << " round " << round << " zp " << zp;
      }
    }
  }
}

TEST(GemmTest, MultiplierOneIsIdentity) {
  // Real multiplier 1.0 (2^30, shift 1) returns the accumulator unchanged.
  Multipliers m;
  for (int i = 0; i < 16; ++i) m.Add(1.0);
  std::vector<int32_t> acc(16);
  for (int i = 0; i < 16; ++i) acc[i] = i * 16 - 128;  // -128..112
  Int8Params q;
  q.multiplier = m.m.data();
  q.shift = m.s.data();
  for (Isa isa : Isas()) {
    std::vector<int8_t> out(16);
    RequantizeRow(q, acc.data(), 16, out.data(), isa);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(out[i], acc[i]) << IsaName(isa);
  }
}

TEST(GemmTest, RandomShapesMatchReference) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> dn(1, 40), dk(1, 70), drows(1, 13), dpad(0, 3), dzp(-128, 127);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = dn(rng), k = dk(rng);
    const int64_t rows = drows(rng);
    const int64_t lda = k + dpad(rng), ldo = n + dpad(rng);
    const int in_zp = trial % 7 == 0 ? -128 : trial % 7 == 1 ? 127 : dzp(rng);
    const int f_zp = trial % 5 == 0 ? dzp(rng) : 0;
    const auto a = RandomInt8(rng, rows * lda);
    const auto w = RandomInt8(rng, static_cast<size_t>(n) * k);
    const auto bias = RandomInt32(rng, n, -100000, 100000);
    const Multipliers m = RandomMultipliers(rng, n);
    Int8Params q;
    q.input_offset = -in_zp;
    q.filter_offset = -f_zp;
    q.output_zero_point = dzp(rng);
    q.act_min = trial % 3 == 0 ? q.output_zero_point : -128;
    q.act_max = trial % 4 == 0 ? std::min(127, q.output_zero_point + 50) : 127;
    q.multiplier = m.m.data();
    q.shift = m.s.data();
    q.rounding = trial % 6 == 5 ? fixed_point::Rounding::kSingle : fixed_point::Rounding::kDouble;
    std::vector<int8_t> expect(rows * ldo, 0x55);
    GemmInt8Reference(q, w.data(), n, k, bias.data(), a.data(), rows, lda, expect.data(), ldo);
    for (Isa isa : Isas()) {
      const PackedWeightsInt8 packed(w.data(), n, k, bias.data(), q.input_offset, q.filter_offset, isa);
      std::vector<int8_t> got(rows * ldo, 0x55);  // the gaps past n must stay untouched
      GemmInt8(q, packed, a.data(), rows, lda, got.data(), ldo, isa);
      ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << " n=" << n << " k=" << k
                             << " rows=" << rows;
    }
  }
}

// Shapes around the VNNI tiles: up to 12 rows per tile and 4 panels (64
// channels) per group, depths that are not multiples of 4, and the unsigned
// activation trick at the extremes of both operands.
TEST(GemmTest, TileEdgesAndExtremeOperands) {
  std::mt19937 rng(77);
  const int ns[] = {1, 15, 16, 17, 33, 64, 65, 97, 144, 200};
  const int ks[] = {1, 3, 4, 5, 27, 64, 131};
  const int64_t row_counts[] = {1, 5, 11, 12, 13, 25, 49};
  int trial = 0;
  for (int n : ns) {
    for (int k : ks) {
      const int64_t rows = row_counts[trial++ % 7];
      const int kind = trial % 3;  // random, all extremes, mixed extremes
      std::vector<int8_t> a = RandomInt8(rng, static_cast<size_t>(rows * k));
      std::vector<int8_t> w = RandomInt8(rng, static_cast<size_t>(n) * k);
      if (kind > 0) {
        for (size_t i = 0; i < a.size(); ++i) a[i] = kind == 1 || i % 2 ? -128 : 127;
        for (size_t i = 0; i < w.size(); ++i) w[i] = kind == 1 || i % 3 ? -128 : 127;
      }
      const auto bias = RandomInt32(rng, n, -1000000, 1000000);
      const Multipliers m = RandomMultipliers(rng, n);
      Int8Params q;
      q.input_offset = kind == 1 ? 128 : -127 + trial % 255;
      q.output_zero_point = trial % 7 - 3;
      q.multiplier = m.m.data();
      q.shift = m.s.data();
      std::vector<int8_t> expect(rows * n);
      GemmInt8Reference(q, w.data(), n, k, bias.data(), a.data(), rows, k, expect.data(), n);
      for (Isa isa : Isas()) {
        const PackedWeightsInt8 packed(w.data(), n, k, bias.data(), q, isa);
        std::vector<int8_t> got(rows * n, 0x55);
        GemmInt8(q, packed, a.data(), rows, k, got.data(), n, isa);
        ASSERT_EQ(got, expect) << IsaName(isa) << " n=" << n << " k=" << k << " rows=" << rows << " kind " << kind;
      }
    }
  }
}

// The VNNI layout is chosen only where it is exact; other packings still run.
TEST(GemmTest, LayoutFollowsIsaAndFilterZeroPoint) {
  using L = PackedWeightsInt8::Layout;
  // The dot-product variant of each architecture, and the variant below it.
  const Isa dot = IsaCompiled(Isa::kAvx512Vnni) ? Isa::kAvx512Vnni : Isa::kNeonDot;
  const Isa pairwise = IsaCompiled(Isa::kAvx512Vnni) ? Isa::kAvx2 : Isa::kNeon;
  if (IsaCompiled(Isa::kAvx512Vnni)) {
    EXPECT_EQ(PackedWeightsInt8::LayoutFor(Isa::kAvxVnni, 0), L::kInt8Quads);
  }
  if (IsaCompiled(dot)) {
    EXPECT_EQ(PackedWeightsInt8::LayoutFor(dot, 0), L::kInt8Quads);
    EXPECT_EQ(PackedWeightsInt8::LayoutFor(dot, -3), L::kInt16Pairs);  // w - 3 may not fit int8
  } else {  // 32-bit ARM, or no SIMD family: no kernel reads int8 quads
    EXPECT_EQ(PackedWeightsInt8::LayoutFor(dot, 0), L::kInt16Pairs);
  }
  EXPECT_EQ(PackedWeightsInt8::LayoutFor(pairwise, 0), L::kInt16Pairs);
  EXPECT_EQ(PackedWeightsInt8::LayoutFor(Isa::kPortable, 0), L::kInt16Pairs);
  // A build never packs for the other architecture's kernels.
  EXPECT_EQ(PackedWeightsInt8::LayoutFor(dot == Isa::kNeonDot ? Isa::kAvx512Vnni : Isa::kNeonDot, 0), L::kInt16Pairs);
  const std::vector<int8_t> w = {1, 2, 3, 4};
  Multipliers m;
  m.Add(1.0);
  Int8Params q;
  q.multiplier = m.m.data();
  q.shift = m.s.data();
  std::vector<int8_t> out(1);
  const std::vector<int8_t> a = {1, 1, 1, 1};
  if (IsaCompiled(dot)) {
    const PackedWeightsInt8 quads(w.data(), 1, 4, nullptr, 0, 0, dot);
    EXPECT_THROW(GemmInt8(q, quads, a.data(), 1, 4, out.data(), 1, pairwise), Error);
  }
  for (Isa isa : Isas()) {  // int16 pairs run everywhere
    const PackedWeightsInt8 pairs(w.data(), 1, 4, nullptr, 0, 0, Isa::kPortable);
    GemmInt8(q, pairs, a.data(), 1, 4, out.data(), 1, isa);
    EXPECT_EQ(out[0], 10) << IsaName(isa);
  }
}

// Splitting one GEMM over threads (rows, or channels when rows are few)
// gives the same bytes as the calling thread alone.
TEST(GemmTest, ThreadPoolSplitsAreByteIdentical) {
  std::mt19937 rng(5);
  ThreadPool pool2(2), pool3(3);
  const int64_t row_counts[] = {1, 2, 7, 49, 300, 1500};
  for (int64_t rows : row_counts) {
    const int n = rows < 10 ? 1000 : 96, k = rows < 10 ? 320 : 40;
    const auto a = RandomInt8(rng, static_cast<size_t>(rows * k));
    const auto w = RandomInt8(rng, static_cast<size_t>(n) * k);
    const auto bias = RandomInt32(rng, n, -50000, 50000);
    const Multipliers m = RandomMultipliers(rng, n);
    Int8Params q;
    q.input_offset = 128;
    q.output_zero_point = -128;
    q.multiplier = m.m.data();
    q.shift = m.s.data();
    std::vector<int8_t> expect(rows * n);
    GemmInt8Reference(q, w.data(), n, k, bias.data(), a.data(), rows, k, expect.data(), n);
    for (Isa isa : Isas()) {
      const PackedWeightsInt8 packed(w.data(), n, k, bias.data(), q, isa);
      for (ThreadPool* pool : {&pool2, &pool3}) {
        std::vector<int8_t> got(rows * n, 0);
        GemmInt8(q, packed, a.data(), rows, k, got.data(), n, isa, pool);
        ASSERT_EQ(got, expect) << IsaName(isa) << " rows=" << rows << " threads " << pool->size();
      }
    }
  }
}

TEST(GemmTest, PackedWeightsRejectOtherZeroPoints) {
  const std::vector<int8_t> w = {1, 2};
  const std::vector<int8_t> a = {1, 2};
  Multipliers m;
  m.Add(1.0);
  Int8Params q;
  q.input_offset = 5;
  q.multiplier = m.m.data();
  q.shift = m.s.data();
  const PackedWeightsInt8 packed(w.data(), 1, 2, nullptr, 0, 0);
  std::vector<int8_t> out(1);
  EXPECT_THROW(GemmInt8(q, packed, a.data(), 1, 2, out.data(), 1), Error);
  EXPECT_THROW(PackedWeightsInt8(w.data(), 0, 2, nullptr, 0, 0), Error);
}

// The variant the dispatch picks is one this build was made for and this CPU
// reports (the ARM builds run under qemu-user in CI: a Cortex-A9 for armhf,
// a Cortex-A53 for aarch64, and a core with SDOT for the dot-product kernels).
// Every kernel's dispatch walks one fallback chain, downwards only, to a
// variant it implements and this build compiled.
TEST(Isa, KernelIsaWalksTheFallbackChain) {
  if (IsaCompiled(Isa::kAvx512Vnni)) {
    EXPECT_EQ(KernelIsa(Isa::kAvx512Vnni, {Isa::kAvx2}), Isa::kAvx2);
    EXPECT_EQ(KernelIsa(Isa::kAvx512Vnni, {Isa::kAvxVnni, Isa::kAvx2}), Isa::kAvxVnni);
    EXPECT_EQ(KernelIsa(Isa::kAvxVnni, {Isa::kAvx512Vnni, Isa::kAvx2}), Isa::kAvx2);
    EXPECT_EQ(KernelIsa(Isa::kAvx2, {Isa::kAvx512Vnni}), Isa::kPortable);
  }
  if (IsaCompiled(Isa::kNeonDot)) {
    EXPECT_EQ(KernelIsa(Isa::kNeonDot, {Isa::kNeon}), Isa::kNeon);
    EXPECT_EQ(KernelIsa(Isa::kNeon, {Isa::kNeonDot}), Isa::kPortable);
  }
  EXPECT_EQ(KernelIsa(Isa::kNeonDot, {}), Isa::kPortable);
  EXPECT_EQ(KernelIsa(Isa::kPortable, {Isa::kAvx2, Isa::kNeon}), Isa::kPortable);
  // The other architecture's variants run the portable code.
  const Isa foreign = IsaCompiled(Isa::kAvx2) ? Isa::kNeon : Isa::kAvx2;
  EXPECT_EQ(KernelIsa(foreign, {foreign}), Isa::kPortable);
  EXPECT_FALSE(IsaSupported(foreign));
  EXPECT_THROW(ParseIsa(IsaName(foreign)), Error);
  EXPECT_THROW(ParseIsa("sse9"), Error);
  for (Isa isa : SupportedIsas()) {
    EXPECT_EQ(ParseIsa(IsaName(isa)), isa);
  }
}

TEST(Isa, DetectionMatchesTheTarget) {
  const std::vector<Isa> isas = SupportedIsas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), Isa::kPortable);
  // BestIsa() honours the POTACC_ISA override (the whole suite also runs with POTACC_ISA=portable to stand in
  // for a CPU without AVX2); without it, the best variant detected.
  const char* forced = std::getenv(kIsaEnv);
  EXPECT_EQ(BestIsa(), forced && *forced ? ParseIsa(forced) : isas.back());
  if (forced && *forced) return;
#if defined(__aarch64__)
  EXPECT_TRUE(BestIsa() == Isa::kNeon || BestIsa() == Isa::kNeonDot);  // Advanced SIMD is baseline ARMv8-A
#elif defined(__arm__) && (defined(__ARM_NEON) || defined(__ARM_NEON__))
  EXPECT_EQ(BestIsa(), Isa::kNeon);  // the Cortex-A9 has NEON and no SDOT
#endif
}

}  // namespace
}  // namespace potacc::kernels
