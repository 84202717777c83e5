// Co-simulation of the whole-accelerator RTL (hw/rtl/potacc_accel.v, Verilated)
// against the C++ simulator and the CPU reference GEMM:
//  * outputs: every output word of every COMPUTE equals the simulator's (which
//    is bit-exact with the TFLite reference), and the scattered result equals
//    kernels::GemmInt8Reference;
//  * timing: the cycles of every command, COMPUTE included, equal the event
//    model's (potacc-v12 and potacc-hls timing), and the RTL's own performance
//    counters equal the model's per-unit activity;
//  * random TVALID/TREADY stalls on every stream change no output.
// Shapes: random, edge (K = 1, M = 1, N not a multiple of 4V, several row and
// column tiles, the largest depth a unit holds), every PE method, both boards.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/sim.h"
#include "potacc/error.h"
#include "cosim_support.h"
#include "rtl_model.h"
#include "support/random_gemm.h"

namespace potacc::hw {
namespace {

using accel::AcceleratorConfig;
using accel::Command;
using accel::Opcode;
using testing::MakeRandomGemm;
using testing::RandomGemm;

struct Shape {
  int64_t m, n, k;
};

std::string Name(const AcceleratorConfig& c, const Shape& s) {
  return c.name + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k);
}

// Runs one GEMM's command stream on the simulator and on the RTL backend
// command by command (cosim_support.h); returns the scattered RTL result.
std::vector<int8_t> Cosimulate(const AcceleratorConfig& c, const RandomGemm& g, const std::string& backend_spec,
                               bool compare_cycles) {
  const accel::PreparedGemm p = accel::PrepareGemm(c, g.layer, g.m);
  EXPECT_TRUE(p.ok()) << p.refused;
  if (!p.ok()) return {};
  CompareCommandByCommand(c, p, g.a.data(), g.k, backend_spec, compare_cycles);
  std::unique_ptr<accel::Backend> rtl = accel::MakeBackend(backend_spec, c);
  // The whole layer through the driver (scatter included).
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n), 99);
  accel::RunGemm(*rtl, p, g.a.data(), g.k, out.data(), g.n);
  return out;
}

void CheckShapes(const AcceleratorConfig& c, const std::vector<Shape>& shapes, uint32_t seed,
                 const std::string& backend = "rtl", bool cycles = true) {
  std::mt19937 rng(seed);
  for (const Shape& s : shapes) {
    SCOPED_TRACE(Name(c, s));
    const RandomGemm g = MakeRandomGemm(*c.method, s.m, s.n, s.k, rng);
    const std::vector<int8_t> got = Cosimulate(c, g, backend, cycles);
    ASSERT_EQ(got, testing::ReferenceGemm(g, c.ppu_rounding)) << Name(c, s);
  }
}

std::vector<Shape> RandomShapes(int count, uint32_t seed, int64_t max_m, int64_t max_n, int64_t max_k) {
  std::mt19937 rng(seed);
  std::vector<Shape> v;
  for (int i = 0; i < count; ++i)
    v.push_back({std::uniform_int_distribution<int64_t>(1, max_m)(rng),
                 std::uniform_int_distribution<int64_t>(1, max_n)(rng),
                 std::uniform_int_distribution<int64_t>(1, max_k)(rng)});
  return v;
}

// Edge shapes for a configuration: K = 1, M = 1, N = 1 and N not a multiple
// of 4V, a single tile, one strip with every unit busy twice.
std::vector<Shape> EdgeShapes(const AcceleratorConfig& c) {
  const int64_t v4 = 4 * c.units;
  return {{1, 1, 1}, {1, v4 + 3, 17}, {5, 2, 1}, {4, v4, 16}, {2, 2 * v4 - 4, 48}, {9, 4 * v4 + 1, 33}};
}

class AccelCosim : public ::testing::TestWithParam<std::string> {};

TEST_P(AccelCosim, RandomAndEdgeShapesMatchTheSimulatorWordForWordAndCycleForCycle) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig(GetParam());
  std::vector<Shape> shapes = EdgeShapes(c);
  for (const Shape& s : RandomShapes(5, 7, 40, 70, 300)) shapes.push_back(s);
  CheckShapes(c, shapes, 11);
}

INSTANTIATE_TEST_SUITE_P(
    V12, AccelCosim,
    ::testing::Values("potacc-v12-pynq-z2-qkeras", "potacc-v12-pynq-z2-apot", "potacc-v12-pynq-z2-msq",
                      "potacc-v12-pynq-z2-uniform4", "potacc-v12-pynq-z2-int8", "potacc-v12-kv260-qkeras",
                      "potacc-v12-kv260-apot", "potacc-v12-kv260-msq", "potacc-v12-kv260-uniform4",
                      "potacc-v12-kv260-int8",
                      // the HLS-intended timing (a second, faster design) and the released
                      // design's single-rounding PPU + uniform4 sign quirk
                      "potacc-hls-pynq-z2-apot"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string s = info.param;
      for (char& ch : s)
        if (ch == '-') ch = '_';
      return s;
    });

// Several row and column tiles (GIB and weight buffers full), the NOP path of
// a single column tile, and the largest depth one unit holds.
TEST(AccelCosimTiling, SeveralTilesAndTheDeepestLayer) {
  const AcceleratorConfig z2 = accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot");
  // rK = 2048: row_inc 64 (GIB), col_inc 128 (weights) -> 2 x 2 tiles; rK = 8192
  // fills the local input buffer (2048 beats) and a row tile of 16.
  CheckShapes(z2, {{100, 150, 2048}, {70, 16, 2048}, {5, 20, 8192}}, 21);
  const AcceleratorConfig kv = accel::ResolveAcceleratorConfig("potacc-v12-kv260-int8");
  // Kria: the local input buffer (4096 beats) limits the depth to 16384.
  CheckShapes(kv, {{3, 40, 16384}}, 22);
}

// The released design's PPU (single rounding) and uniform4 sign quirk, on
// random weights over the whole code space through its own encoder.
TEST(AccelCosimReleased, SingleRoundingPpuAndUniform4Quirk) {
  AcceleratorConfig c = accel::ResolveAcceleratorConfig("potacc-v12released-pynq-z2-uniform4");
  std::mt19937 rng(5);
  for (const Shape& s : std::vector<Shape>{{7, 9, 40}, {30, 33, 200}, {1, 64, 16}}) {
    SCOPED_TRACE(Name(c, s));
    const RandomGemm g = MakeRandomGemm(*c.method, s.m, s.n, s.k, rng);
    const accel::PreparedGemm p = accel::PrepareGemm(c, g.layer, g.m);
    ASSERT_TRUE(p.ok()) << p.refused;
    accel::Simulator sim(c);
    std::unique_ptr<accel::Backend> rtl = accel::MakeBackend("rtl", c);
    std::vector<int8_t> want(static_cast<size_t>(g.m * g.n)), got(want.size());
    accel::RunGemm(sim, p, g.a.data(), g.k, want.data(), g.n);
    accel::RunGemm(*rtl, p, g.a.data(), g.k, got.data(), g.n);
    EXPECT_EQ(got, want);
    EXPECT_EQ(rtl->stats().cycles.total(), sim.stats().cycles.total());
  }
}

// The PPU arithmetic over its whole input range: random accumulators (random
// B over all of int32 plus products), random Q31 multipliers and every right
// shift S the driver can produce (1..62), both roundings, against the
// simulator's fixed_point::Requantize.
TEST(AccelCosimPpu, RandomEpilogueOverTheWholeRange) {
  for (const char* name : {"potacc-v12-pynq-z2-qkeras", "potacc-v12released-pynq-z2-uniform4"}) {
    const AcceleratorConfig c = accel::ResolveAcceleratorConfig(name);
    SCOPED_TRACE(c.name);
    std::mt19937 rng(77);
    const int64_t rk = 32, blocks = 2 * c.units;
    auto w = std::make_shared<accel::PackedWeights>();
    w->n = w->rn = 4 * blocks;
    w->k = w->rk = rk;
    w->codes_per_word = c.codes_per_word();
    w->words_per_block = rk / w->codes_per_word;
    for (auto& stream : w->data) {
      stream.resize(static_cast<size_t>(blocks * w->words_per_block));
      for (auto& word : stream) word = static_cast<uint32_t>(rng());
    }
    for (int64_t col = 0; col < w->rn; ++col) {
      w->bias_sum.push_back(static_cast<int32_t>(rng()));
      w->multiplier.push_back(std::uniform_int_distribution<int32_t>(1 << 30, 0x7fffffff)(rng));
      w->right_shift.push_back(static_cast<int8_t>(std::uniform_int_distribution<int>(1, 62)(rng)));
    }
    auto in = std::make_shared<accel::InputTile>();
    in->rows = 64;
    in->rk = rk;
    for (auto& stream : in->data) {
      stream.resize(static_cast<size_t>(in->strips() * rk / 4));
      for (auto& word : stream) word = static_cast<uint32_t>(rng());
    }
    accel::Simulator sim(c);
    std::unique_ptr<accel::Backend> rtl = accel::MakeBackend("rtl", c);
    for (int32_t zp : {0, -77, 100}) {
      const std::vector<Command> cmds = {Command::Config(static_cast<int32_t>(rk), zp), Command::LoadInputs(in),
                                         Command::LoadWeights(w, 0, blocks), Command::Compute(in->rows, w->rn)};
      accel::StreamWordsT want, got;
      sim.Run(cmds, &want);
      rtl->Run(cmds, &got);
      for (int q = 0; q < 4; ++q) {
        EXPECT_EQ(got[q], want[q]) << "zp " << zp << " stream " << q;
      }
    }
  }
}

// Random TVALID/TREADY stalls on every stream: identical outputs, more cycles.
TEST(AccelCosimStalls, RandomStreamStallsChangeNoOutput) {
  for (const char* name : {"potacc-v12-pynq-z2-msq", "potacc-v12-kv260-qkeras"}) {
    const AcceleratorConfig c = accel::ResolveAcceleratorConfig(name);
    std::vector<Shape> shapes = EdgeShapes(c);
    for (const Shape& s : RandomShapes(3, 9, 60, 90, 200)) shapes.push_back(s);
    for (const char* spec : {"rtl:stall=0.3,seed=3", "rtl:in_stall=0.6,out_stall=0.05,seed=4",
                             "rtl:out_stall=0.7,seed=5"})
      CheckShapes(c, shapes, 13, spec, /*cycles=*/false);
  }
}

TEST(AccelCosimStalls, StallsCostCyclesAndTheCountsSay) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot");
  std::mt19937 rng(3);
  const RandomGemm g = MakeRandomGemm(*c.method, 30, 40, 100, rng);
  const accel::PreparedGemm p = accel::PrepareGemm(c, g.layer, g.m);
  ASSERT_TRUE(p.ok());
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n));
  std::unique_ptr<accel::Backend> plain = accel::MakeBackend("rtl", c);
  std::unique_ptr<accel::Backend> stalled = accel::MakeBackend("rtl:stall=0.5", c);
  accel::RunGemm(*plain, p, g.a.data(), g.k, out.data(), g.n);
  accel::RunGemm(*stalled, p, g.a.data(), g.k, out.data(), g.n);
  EXPECT_EQ(plain->stats().cycles.total(), plain->model_stats()->cycles.total());
  EXPECT_GT(stalled->stats().cycles.load_input, plain->stats().cycles.load_input);
  EXPECT_GT(stalled->stats().cycles.compute, plain->stats().cycles.compute);
  EXPECT_TRUE(stalled->stats().measured);
}

// Commands the design cannot run are refused before they reach the RTL,
// with the simulator's messages; unknown options and configurations without
// a model are named.
TEST(AccelCosimErrors, BadCommandsOptionsAndConfigurations) {
  const AcceleratorConfig c = accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
  std::unique_ptr<accel::Backend> rtl = accel::MakeBackend("rtl", c);
  EXPECT_THROW(rtl->Execute(Command::Config(20, 0), nullptr), Error);        // depth not a multiple of 16
  EXPECT_THROW(rtl->Execute(Command::Compute(4, 4), nullptr), Error);        // nothing loaded
  EXPECT_THROW(accel::MakeBackend("rtl:stall=2", c), Error);                  // out of range
  EXPECT_THROW(accel::MakeBackend("rtl:stal=0.1", c), Error);                 // typo
  AcceleratorConfig odd = c;
  odd.units = 3;
  try {
    accel::MakeBackend("rtl", odd);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("POTACC_RTL_CONFIGS"), std::string::npos) << e.what();
  }
  AcceleratorConfig slow_ppu = c;
  slow_ppu.timing.ppu_output_latency = 10;  // faster than the PPU pipeline can be
  slow_ppu.timing.ppu_occupancy = 12;
  EXPECT_THROW(accel::MakeBackend("rtl", slow_ppu), Error);
}

}  // namespace
}  // namespace potacc::hw
