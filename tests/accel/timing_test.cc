// COMPUTE timing against the reference design's measured SystemC timing
// (docs/reference-accelerator.md §4.2 sample table) and the closed form, and
// the event model against the clock-by-clock emulation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "potacc/accel/config.h"
#include "potacc/accel/tiling.h"
#include "potacc/accel/timing.h"

namespace potacc::accel {
namespace {

struct Sample {
  int64_t m, n, k;
  int64_t z2, kria;  // measured compute cycles; -1 = not measured
};

// §4.2 "Sample measurements [M] (Z2, QKERAS; Kria numbers in parentheses)".
const Sample kSamples[] = {
    {4, 4, 1024, 1107, 1111},   {4, 16, 1024, 1125, -1},  {4, 64, 1024, 1932, 1422}, {16, 16, 1024, 4302, -1},
    {64, 64, 16, 3708, 2182},   {64, 64, 256, 8418, -1},  {64, 64, 1024, 29922, -1},
};

int64_t Cycles(const AcceleratorConfig& c, int64_t m, int64_t n, int64_t k) {
  return TimeCompute(c, RoundUp(m, 2), RoundUp(n, 4), RoundUp(k, 16)).cycles;
}

TEST(Timing, ReproducesTheSampleTable) {
  const AcceleratorConfig z2 = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const AcceleratorConfig kria = ResolveAcceleratorConfig("qkeras", "kv260");
  double sum_err = 0;
  int count = 0;
  for (const Sample& s : kSamples) {
    const int64_t got = Cycles(z2, s.m, s.n, s.k);
    const double err = std::fabs(static_cast<double>(got - s.z2)) / s.z2;
    EXPECT_LE(err, 0.05) << s.m << "x" << s.n << "x" << s.k << " Z2: " << got << " vs " << s.z2;
    sum_err += err;
    ++count;
    if (s.kria > 0) {
      const int64_t gk = Cycles(kria, s.m, s.n, s.k);
      const double ek = std::fabs(static_cast<double>(gk - s.kria)) / s.kria;
      EXPECT_LE(ek, 0.05) << s.m << "x" << s.n << "x" << s.k << " Kria: " << gk << " vs " << s.kria;
      sum_err += ek;
      ++count;
    }
  }
  EXPECT_LT(sum_err / count, 0.02);
}

TEST(Timing, SampleTableIsCycleExact) {
  // The event model re-creates the SystemC threads, so it is not just within
  // tolerance: it reproduces every measured number exactly.
  const AcceleratorConfig z2 = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const AcceleratorConfig kria = ResolveAcceleratorConfig("qkeras", "kv260");
  for (const Sample& s : kSamples) {
    EXPECT_EQ(Cycles(z2, s.m, s.n, s.k), s.z2) << s.m << "x" << s.n << "x" << s.k;
    if (s.kria > 0) {
      EXPECT_EQ(Cycles(kria, s.m, s.n, s.k), s.kria) << s.m << "x" << s.n << "x" << s.k;
    }
  }
}

TEST(Timing, ShiftAndInt8DesignsHaveIdenticalComputeCycles) {
  for (const char* board : {"pynq-z2", "kv260"}) {
    const AcceleratorConfig q = ResolveAcceleratorConfig("qkeras", board);
    const AcceleratorConfig i8 = ResolveAcceleratorConfig("int8", board);
    for (const Sample& s : kSamples) EXPECT_EQ(Cycles(q, s.m, s.n, s.k), Cycles(i8, s.m, s.n, s.k));
  }
}

TEST(Timing, ClosedFormIsExactWhenBlocksAreAMultipleOfUnits) {
  // §4.2: "exact when B is a multiple of V".
  for (const char* board : {"pynq-z2", "kv260"}) {
    const AcceleratorConfig c = ResolveAcceleratorConfig("apot", board);
    for (int64_t rows : {2, 4, 8, 36, 64}) {
      for (int64_t blocks_per_unit : {1, 2, 3, 5}) {
        for (int64_t rk : {16, 32, 176, 1024}) {
          const int64_t cols = 4 * c.units * blocks_per_unit;
          EXPECT_EQ(TimeComputeEvent(c, rows, cols, rk).cycles, ClosedFormComputeCycles(c, rows, cols, rk))
              << board << " " << rows << "x" << cols << "x" << rk;
        }
      }
    }
  }
}

TEST(Timing, EventModelMatchesClockByClockEmulation) {
  std::mt19937 rng(7);
  for (const char* name : {"potacc-v12-pynq-z2-qkeras", "potacc-v12-kv260-int8", "potacc-hls-pynq-z2-apot"}) {
    const AcceleratorConfig c = ResolveAcceleratorConfig(name);
    for (int i = 0; i < 60; ++i) {
      const int64_t rows = 2 * std::uniform_int_distribution<int64_t>(1, 20)(rng);
      const int64_t cols = 4 * std::uniform_int_distribution<int64_t>(1, 3 * c.units + 3)(rng);
      const int64_t rk = 16 * std::uniform_int_distribution<int64_t>(1, i % 3 == 0 ? 40 : 4)(rng);
      const ComputeTiming e = TimeComputeEvent(c, rows, cols, rk);
      const ComputeTiming k = TimeComputeCycle(c, rows, cols, rk);
      EXPECT_EQ(e.cycles, k.cycles) << name << " " << rows << "x" << cols << "x" << rk;
      EXPECT_EQ(e.post_drain, k.post_drain) << name << " " << rows << "x" << cols << "x" << rk;
      for (int u = 0; u < c.units; ++u) {
        EXPECT_EQ(e.units[u].tiles, k.units[u].tiles);
        EXPECT_EQ(e.units[u].ppu_busy, k.units[u].ppu_busy);
      }
    }
  }
}

TEST(Timing, EventModelMatchesEmulationUnderArrangerBackPressure) {
  // A shallow Arranger FIFO makes the Scheduler stall on it: both models must
  // agree on that path too.
  AcceleratorConfig c = ResolveAcceleratorConfig("potacc-v12-kv260-apot");
  std::mt19937 rng(11);
  for (int depth : {1, 2, 3, 5, 9}) {
    c.timing.arranger_fifo_depth = depth;
    for (int i = 0; i < 20; ++i) {
      const int64_t rows = 2 * std::uniform_int_distribution<int64_t>(1, 12)(rng);
      const int64_t cols = 4 * std::uniform_int_distribution<int64_t>(1, 40)(rng);
      const int64_t rk = 16 * std::uniform_int_distribution<int64_t>(1, 6)(rng);
      EXPECT_EQ(TimeComputeEvent(c, rows, cols, rk).cycles, TimeComputeCycle(c, rows, cols, rk).cycles)
          << "fifo " << depth << " " << rows << "x" << cols << "x" << rk;
    }
  }
  c.timing.arranger_fifo_depth = 16;
  c.timing.ppu_occupancy = 200;  // PPU-bound with many ids in flight
  c.timing.ppu_output_latency = 150;
  for (int64_t cols : {32, 64, 128})
    EXPECT_EQ(TimeComputeEvent(c, 16, cols, 32).cycles, TimeComputeCycle(c, 16, cols, 32).cycles) << cols;
}

TEST(Timing, HlsIntendedVariantIsFaster) {
  const AcceleratorConfig v12 = ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot");
  const AcceleratorConfig hls = ResolveAcceleratorConfig("potacc-hls-pynq-z2-apot");
  for (const Sample& s : kSamples) EXPECT_LT(Cycles(hls, s.m, s.n, s.k), Cycles(v12, s.m, s.n, s.k));
}

TEST(Timing, OtherCommands) {
  const AcceleratorConfig z2 = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const AcceleratorConfig i8 = ResolveAcceleratorConfig("int8", "pynq-z2");
  EXPECT_EQ(ConfigCycles(z2), 4);
  EXPECT_EQ(LoadInputCycles(z2, 8, 64), 2 * 16 + 4);          // NB + 4, NB = strips * rK/4
  EXPECT_EQ(LoadWeightCycles(z2, 3, 64), 3 * 8 + 10 + 3 * 3 + 2);  // nblk*rK/8 + 10 + 3 nblk + 2
  EXPECT_EQ(LoadWeightCycles(i8, 3, 64), 3 * 16 + 10 + 3 * 3 + 2);  // INT8: rK/4 words per block
}

}  // namespace
}  // namespace potacc::accel
