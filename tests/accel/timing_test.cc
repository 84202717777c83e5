// COMPUTE timing against the reference design's measured SystemC timing
// (../shared/docs/reference-accelerator.md §4.2 sample table) and the closed form, and
// the event model against the clock-by-clock emulation.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "potacc/accel/config.h"
#include "potacc/accel/tiling.h"
#include "potacc/accel/timing.h"
#include "potacc/error.h"

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

// Timing parameters drawn within the validated ranges: each field is at its
// smallest accepted value (given the others) a third of the time, else uniform
// up to a cap; one set in eight reaches far up the per-field ranges.
TimingParams RandomTiming(std::mt19937& rng) {
  auto U = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const bool far = U(0, 7) == 0;
  auto pick = [&](int lo, int cap, int far_cap) { return U(0, 2) == 0 ? lo : U(lo, far ? far_cap : cap); };
  TimingParams p;
  p.broadcast_cycles_per_beat = pick(1, 6, 64);
  p.broadcast_setup_cycles = pick(0, 5, 1000);
  p.ready_poll_cycles_per_unit = pick(1, 4, 100);
  p.scheduler_start_cycles = pick(0, 5, 1000);
  p.dispatch_to_start = pick(1, 8, 200);
  p.dispatch_gap = pick(p.dispatch_to_start + 4, p.dispatch_to_start + 12, 1000);
  p.pe_overhead = pick(3, 24, 1000);
  p.unit_rearm_cycles = pick(2, std::min(p.pe_overhead - 1, 12), std::min(p.pe_overhead - 1, 100));
  p.ppu_occupancy = pick(3, 90, 5000);
  p.ppu_output_latency = U(0, 3) == 0 ? p.ppu_occupancy + 2 : pick(3, p.ppu_occupancy + 2, p.ppu_occupancy + 2);
  p.compute_overhead = pick(0, 10, 10000);
  p.arranger_fifo_depth = pick(1, 20, 20);
  return p;
}

void ExpectModelsAgree(const AcceleratorConfig& c, int64_t rows, int64_t cols, int64_t rk) {
  const ComputeTiming e = TimeComputeEvent(c, rows, cols, rk);
  const ComputeTiming k = TimeComputeCycle(c, rows, cols, rk);
  EXPECT_EQ(e.cycles, k.cycles);
  EXPECT_EQ(e.post_drain, k.post_drain);
  EXPECT_EQ(e.output_beats, k.output_beats);
  ASSERT_EQ(e.units.size(), k.units.size());
  for (size_t u = 0; u < e.units.size(); ++u) {
    EXPECT_EQ(e.units[u].tiles, k.units[u].tiles);
    EXPECT_EQ(e.units[u].pe_busy, k.units[u].pe_busy);
    EXPECT_EQ(e.units[u].ppu_busy, k.units[u].ppu_busy);
  }
}

std::string TimingText(const AcceleratorConfig& c) {
  const TimingParams& p = c.timing;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "V=%d bpb=%d setup=%d poll=%d start=%d dts=%d gap=%d pe=%d rearm=%d occ=%d lat=%d co=%d fifo=%d",
                c.units, p.broadcast_cycles_per_beat, p.broadcast_setup_cycles, p.ready_poll_cycles_per_unit,
                p.scheduler_start_cycles, p.dispatch_to_start, p.dispatch_gap, p.pe_overhead, p.unit_rearm_cycles,
                p.ppu_occupancy, p.ppu_output_latency, p.compute_overhead, p.arranger_fifo_depth);
  return buf;
}

TEST(Timing, EventModelMatchesEmulationOnRandomizedParameters) {
  std::mt19937 rng(2024);
  auto U = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  AcceleratorConfig c = ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
  for (int set = 0; set < 250; ++set) {
    c.units = static_cast<int>(U(1, 8));
    c.timing = RandomTiming(rng);
    SCOPED_TRACE(TimingText(c));
    ASSERT_NO_THROW(ValidateAcceleratorConfig(c, "random set"));  // drawn within the accepted ranges
    for (int shape = 0; shape < 3; ++shape) {
      const int64_t rows = 2 * U(1, 8), cols = 4 * U(1, 2 * c.units + 3), rk = 16 * U(1, 4);
      SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols) + "x" + std::to_string(rk));
      ExpectModelsAgree(c, rows, cols, rk);
    }
    if (HasFailure()) break;  // one reported set is enough to debug
  }
}

// Each cross-field constraint is refused at load with the field and the
// reason, and is needed: just beyond it (a configuration built in code, which
// skips validation) the clock-by-clock emulation disagrees with the event
// model, or stops with an error at its work bound instead of hanging.
TEST(Timing, ValidationRefusesWhatTheThreadsCannotProduce) {
  struct Case {
    const char* json;      // timing fields of the refused configuration
    const char* message;   // in the load error
    std::function<void(TimingParams&)> set;
  };
  const Case cases[] = {
      {R"("ready_poll_cycles_per_unit": 0)", "'timing.ready_poll_cycles_per_unit' is 0; it must be at least 1",
       [](TimingParams& p) { p.ready_poll_cycles_per_unit = 0; }},
      {R"("dispatch_to_start": 0)", "'timing.dispatch_to_start' is 0; it must be at least 1",
       [](TimingParams& p) { p.dispatch_to_start = 0; }},
      {R"("dispatch_gap": 5, "dispatch_to_start": 2)", "'timing.dispatch_gap' is 5; it must be at least 6",
       [](TimingParams& p) { p.dispatch_gap = 5, p.dispatch_to_start = 2, p.pe_overhead = 3, p.ppu_occupancy = 3,
                             p.ppu_output_latency = 3; }},
      {R"("unit_rearm_cycles": 1)", "'timing.unit_rearm_cycles' is 1; it must be at least 2",
       [](TimingParams& p) { p.unit_rearm_cycles = 1; }},
      {R"("unit_rearm_cycles": 13)", "must be smaller than pe_overhead (13)", nullptr},
      {R"("ppu_occupancy": 2, "ppu_output_latency": 3)", "'timing.ppu_occupancy' is 2; it must be at least 3",
       [](TimingParams& p) { p.ppu_occupancy = 2, p.ppu_output_latency = 3; }},
      {R"("ppu_output_latency": 2)", "'timing.ppu_output_latency' is 2; it must be at least 3",
       [](TimingParams& p) { p.ppu_output_latency = 2; }},
      {R"("ppu_output_latency": 60)", "must be at most ppu_occupancy + 2 (59)",
       [](TimingParams& p) { p.ppu_output_latency = 60; }},
  };
  std::mt19937 rng(5);
  auto U = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.json);
    const std::string doc = std::string(R"({"name": "x", "pe_method": "qkeras", "timing": {)") + k.json + "}}";
    try {
      ParseAcceleratorConfig(doc, "t.json");
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(k.message), std::string::npos) << e.what();
    }
    if (!k.set) continue;
    AcceleratorConfig c = ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
    k.set(c.timing);
    int differ = 0, stopped = 0;
    for (int i = 0; i < 100; ++i) {
      c.units = static_cast<int>(U(1, 8));
      const int64_t rows = 2 * U(1, 8), cols = 4 * U(1, 2 * c.units + 3), rk = 16 * U(1, 4);
      try {
        differ += TimeComputeEvent(c, rows, cols, rk).cycles != TimeComputeCycle(c, rows, cols, rk).cycles;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("did not finish within"), std::string::npos) << e.what();
        ++stopped;
      }
    }
    EXPECT_GT(differ + stopped, 0) << "the models agree beyond the constraint: it is not needed";
  }
}

// The fitted constants (docs/accelerator.md): each timing parameter moved by
// one cycle either way breaks at least one of the ten measured samples, so the
// samples pin them (as sums: constants that only add up, like
// scheduler_start_cycles and compute_overhead, trade against each other).
TEST(Timing, EveryTimingConstantIsPinnedByTheSamples) {
  const AcceleratorConfig z2 = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const AcceleratorConfig kria = ResolveAcceleratorConfig("qkeras", "kv260");
  auto all_exact = [&](const AcceleratorConfig& a, const AcceleratorConfig& b) {
    for (const Sample& s : kSamples) {
      if (TimeComputeEvent(a, RoundUp(s.m, 2), RoundUp(s.n, 4), RoundUp(s.k, 16)).cycles != s.z2) return false;
      if (s.kria > 0 && TimeComputeEvent(b, RoundUp(s.m, 2), RoundUp(s.n, 4), RoundUp(s.k, 16)).cycles != s.kria)
        return false;
    }
    return true;
  };
  ASSERT_TRUE(all_exact(z2, kria));
  const std::pair<const char*, int TimingParams::*> fields[] = {
      {"broadcast_cycles_per_beat", &TimingParams::broadcast_cycles_per_beat},
      {"broadcast_setup_cycles", &TimingParams::broadcast_setup_cycles},
      {"ready_poll_cycles_per_unit", &TimingParams::ready_poll_cycles_per_unit},
      {"scheduler_start_cycles", &TimingParams::scheduler_start_cycles},
      {"dispatch_gap", &TimingParams::dispatch_gap},
      {"dispatch_to_start", &TimingParams::dispatch_to_start},
      {"pe_overhead", &TimingParams::pe_overhead},
      {"unit_rearm_cycles", &TimingParams::unit_rearm_cycles},
      {"ppu_occupancy", &TimingParams::ppu_occupancy},
      {"ppu_output_latency", &TimingParams::ppu_output_latency},
      {"compute_overhead", &TimingParams::compute_overhead}};
  for (const auto& [name, field] : fields) {
    for (int delta : {-1, 1}) {
      AcceleratorConfig a = z2, b = kria;
      a.timing.*field += delta;
      b.timing.*field += delta;
      EXPECT_FALSE(all_exact(a, b)) << name << " " << delta;
    }
  }
}

TEST(Timing, ClockByClockEmulationStopsAtItsWorkBound) {
  // A latency no thread can produce (refused at load; built here in code):
  // the emulation would wait forever for the outputs. It stops with an error.
  AcceleratorConfig c = ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
  c.timing.ppu_output_latency = 1;
  try {
    TimeComputeCycle(c, 8, 32, 64);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not finish within"), std::string::npos) << e.what();
  }
}

TEST(Timing, EventModelMatchesEmulationForPotaccXModes) {
  // Depthwise COMPUTEs (no strip broadcast) and the partial-sum phases of a
  // split layer (tiles that never reach the PPU, or pass through the psum
  // buffer first), on random shapes, with a shallow Arranger FIFO as well.
  std::mt19937 rng(13);
  const PsumMode psums[] = {PsumMode::kNone, PsumMode::kFirst, PsumMode::kMiddle, PsumMode::kLast};
  int checked = 0;
  for (const char* name : {"potacc-v12-pynq-z2-qkeras", "potacc-v12-kv260-int8", "potacc-hls-pynq-z2-apot"}) {
    AcceleratorConfig c = ResolveAcceleratorConfig(name);
    for (int i = 0; i < 48; ++i) {
      c.timing.arranger_fifo_depth = i % 4 == 0 ? 3 : 16;
      c.timing.psum_cycles = std::uniform_int_distribution<int>(0, 9)(rng);
      c.timing.dw_strip_setup_cycles = std::uniform_int_distribution<int>(1, 5)(rng);
      const ComputeKind kind{i % 2 == 1, psums[(i / 2) % 4]};
      const int64_t rows = 2 * std::uniform_int_distribution<int64_t>(1, 20)(rng);
      const int64_t cols = 4 * std::uniform_int_distribution<int64_t>(1, 3 * c.units + 3)(rng);
      const int64_t rk = 16 * std::uniform_int_distribution<int64_t>(1, i % 3 == 0 ? 40 : 4)(rng);
      const ComputeTiming e = TimeComputeEvent(c, rows, cols, rk, kind);
      const ComputeTiming k = TimeComputeCycle(c, rows, cols, rk, kind);
      const std::string what = std::string(name) + " " + std::to_string(rows) + "x" + std::to_string(cols) + "x" +
                               std::to_string(rk) + " dw " + std::to_string(kind.depthwise) + " psum " +
                               std::to_string(static_cast<int>(kind.psum));
      EXPECT_EQ(e.cycles, k.cycles) << what;
      EXPECT_EQ(e.post_drain, k.post_drain) << what;
      EXPECT_EQ(e.output_beats, k.output_beats) << what;
      for (int u = 0; u < c.units; ++u) {
        EXPECT_EQ(e.units[u].tiles, k.units[u].tiles) << what;
        EXPECT_EQ(e.units[u].ppu_busy, k.units[u].ppu_busy) << what;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 144);
}

TEST(Timing, PotaccXModesCostWhatTheDesignSays) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
  // No strip broadcast: a depthwise COMPUTE is never slower than the GEMM one.
  const int64_t gemm = TimeComputeEvent(c, 64, 64, 256).cycles;
  EXPECT_LT(TimeComputeEvent(c, 64, 64, 256, {true, PsumMode::kNone}).cycles, gemm);
  // A psum-writing chunk emits only the end marker and skips the PPU: where
  // the PPU bounds the tile rate (shallow depth) it is faster than a plain COMPUTE.
  const ComputeTiming first = TimeComputeEvent(c, 64, 64, 32, {false, PsumMode::kFirst});
  EXPECT_EQ(first.output_beats, 1);
  for (const auto& u : first.units) EXPECT_EQ(u.ppu_busy, 0);
  EXPECT_LT(first.cycles, TimeComputeEvent(c, 64, 64, 32).cycles);
  // The last chunk pays psum_cycles more per tile than a plain COMPUTE; at
  // this PE-bound depth it shows in the total.
  EXPECT_GT(TimeComputeEvent(c, 64, 64, 1024, {false, PsumMode::kLast}).cycles, TimeComputeEvent(c, 64, 64, 1024).cycles);
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
