// The simulator (driver + command stream + functional model) against an
// independent plain GEMM + requantization: the CPU kernels' reference GEMM
// (kernels::GemmInt8Reference), on random shapes, for every PE type, both
// rounding modes and buffers small enough to force tiling. Exact equality.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "potacc/accel/driver.h"
#include "potacc/accel/pe.h"
#include "potacc/error.h"
#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"
#include "random_gemm.h"

namespace potacc::accel {
namespace {

using testing::MakeRandomGemm;
using testing::RandomGemm;

AcceleratorConfig Tiny(AcceleratorConfig c) {
  c.buffers.weight_addresses = 96;
  c.buffers.gib_addresses = 128;
  c.buffers.local_input_addresses = 96;
  c.buffers.wsums_entries = 3;
  return c;
}

TEST(Simulator, ExactAgainstReferenceGemmForEveryPe) {
  std::mt19937 rng(1234);
  for (const char* method : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    for (const char* board : {"pynq-z2", "kv260"}) {
      for (auto rounding : {fixed_point::Rounding::kDouble, fixed_point::Rounding::kSingle}) {
        AcceleratorConfig c = ResolveAcceleratorConfig(method, board);
        c.ppu_rounding = rounding;
        for (int i = 0; i < 6; ++i) {
          const int64_t m = std::uniform_int_distribution<int64_t>(1, 40)(rng);
          const int64_t n = std::uniform_int_distribution<int64_t>(1, 70)(rng);
          const int64_t k = std::uniform_int_distribution<int64_t>(1, 300)(rng);
          const RandomGemm g = MakeRandomGemm(*c.method, m, n, k, rng);
          ASSERT_EQ(Accelerate(c, g), Reference(g, rounding, -128, 127))
              << method << " " << board << " " << m << "x" << n << "x" << k;
        }
      }
    }
  }
}

TEST(Simulator, EdgeShapesAndShapesBeyondEveryBuffer) {
  std::mt19937 rng(99);
  for (const char* method : {"apot", "int8"}) {
    const AcceleratorConfig c = Tiny(ResolveAcceleratorConfig(method, "pynq-z2"));
    for (auto [m, n, k] : std::vector<std::array<int64_t, 3>>{
             {1, 1, 1}, {1, 3, 1}, {2, 4, 16}, {1, 50, 17}, {5, 7, 1}, {77, 61, 300}, {130, 9, 380}, {3, 200, 64}}) {
      const RandomGemm g = MakeRandomGemm(*c.method, m, n, k, rng);
      SimStats stats;
      ASSERT_EQ(Accelerate(c, g, -128, 127, &stats), Reference(g, fixed_point::Rounding::kDouble, -128, 127))
          << method << " " << m << "x" << n << "x" << k;
      EXPECT_GT(stats.cycles.compute, 0);
    }
  }
}

TEST(Simulator, HostAppliesFusedActivationClamp) {
  std::mt19937 rng(5);
  AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");
  const RandomGemm g = MakeRandomGemm(*c.method, 9, 10, 40, rng);
  const int32_t lo = g.layer.output_zero_point, hi = 100;  // a ReLU-like bound
  EXPECT_EQ(Accelerate(c, g, lo, hi), Reference(g, fixed_point::Rounding::kDouble, lo, hi));
  c.host_activation_clamp = false;  // released behaviour: only the int8 clamp
  EXPECT_EQ(Accelerate(c, g, lo, hi), Reference(g, fixed_point::Rounding::kDouble, -128, 127));
}

TEST(Simulator, FastPathEqualsLaneAccumulatorPe) {
  // One 4x4 tile through the simulator vs PeTileReference (the unit's loop).
  std::mt19937 rng(8);
  for (const char* method : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    for (bool quirk : {false, true}) {
      AcceleratorConfig c = ResolveAcceleratorConfig(method, "pynq-z2");
      c.compat.uniform4_sign_magnitude = quirk;
      const int64_t rk = 48;
      const int nc = c.method->num_codes();
      std::vector<int8_t> a(4 * rk);
      std::vector<uint8_t> codes(4 * rk);
      for (auto& v : a) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
      for (auto& v : codes) v = static_cast<uint8_t>(std::uniform_int_distribution<int>(0, nc - 1)(rng));
      // Build the stream directly from codes (bypasses the encoder: any code).
      auto w = std::make_shared<PackedWeights>();
      w->n = 4;
      w->k = rk;
      w->rk = rk;
      w->rn = 4;
      w->codes_per_word = c.codes_per_word();
      w->words_per_block = rk / w->codes_per_word;
      for (int q = 0; q < 4; ++q)
        for (int64_t t = 0; t < w->words_per_block; ++t)
          w->data[q].push_back(PackCodesWord(codes.data() + q * rk + t * w->codes_per_word, w->codes_per_word, c.code_bits()));
      w->bias_sum = {5, -6, 7, -8};
      w->multiplier = {1 << 30, 1 << 30, 1 << 30, 1 << 30};
      w->right_shift = {31 + 12, 31 + 12, 31 + 12, 31 + 12};  // x * 2^-13
      Simulator sim(c);
      StreamWordsT out;
      sim.Execute(Command::Config(static_cast<int32_t>(rk), 0));
      sim.Execute(Command::LoadInputs(SplitRows(a.data(), rk, 4, 0, 4, rk, rk)));
      sim.Execute(Command::LoadWeights(w, 0, 1));
      sim.Execute(Command::Compute(4, 4), &out);
      int32_t acc[16];
      PeTileReference(c, a.data(), rk, codes.data(), rk, rk, w->bias_sum.data(), acc);
      for (int row = 0; row < 4; ++row) {
        ASSERT_EQ(out[row].size(), 2u);
        EXPECT_EQ(out[row][1], Simulator::kTlastWord);
        for (int col = 0; col < 4; ++col) {
          const int8_t got = static_cast<int8_t>((out[row][0] >> (8 * col)) & 0xff);
          const int32_t expect = std::clamp(fixed_point::MultiplyByQuantizedMultiplier(acc[4 * col + row], 1 << 30, -12), -128, 127);
          EXPECT_EQ(got, expect) << method << " quirk " << quirk << " row " << row << " col " << col;
        }
      }
    }
  }
}

TEST(Simulator, RejectsCommandsThatOverflowBuffers) {
  const AcceleratorConfig c = Tiny(ResolveAcceleratorConfig("apot", "pynq-z2"));
  Simulator sim(c);
  EXPECT_THROW(sim.Execute(Command::Compute(4, 4)), Error);  // nothing loaded
  sim.Execute(Command::Config(16, 0));
  std::vector<int8_t> a(200 * 16, 1);
  EXPECT_THROW(sim.Execute(Command::LoadInputs(SplitRows(a.data(), 16, 200, 0, 200, 16, 16))), Error);
}

// The note after hostile input #25 (../shared/docs/hostile-inputs.md): a
// configuration with a huge GIB made the simulator allocate it (1 GB from a
// 1 KB file). Buffers now grow with what is loaded, and implausible totals are
// refused at load.
TEST(Simulator, HostMemoryFollowsTheLoadNotTheConfiguredCapacity) {
  std::mt19937 rng(8);
  AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");
  c.buffers.gib_addresses = int64_t{1} << 21;  // 32 MiB of GIB: accepted
  ASSERT_NO_THROW(ValidateAcceleratorConfig(c, "big gib"));
  const RandomGemm g = MakeRandomGemm(*c.method, 20, 24, 64, rng);
  const PreparedGemm p = PrepareGemm(c, g.layer, g.m);
  ASSERT_TRUE(p.ok()) << p.refused;
  Simulator sim(c);
  EXPECT_LT(sim.allocated_buffer_bytes(), 1024);
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n));
  RunGemm(sim, p, g.a.data(), g.k, out.data(), g.n);
  EXPECT_EQ(out, Reference(g, fixed_point::Rounding::kDouble, -128, 127));
  // 20 rows x 64 depth of inputs, 24 x 64 decoded weights, epilogues: a few KiB.
  EXPECT_LT(sim.allocated_buffer_bytes(), 64 * 1024);

  const std::string msg = [] {
    try {
      ParseAcceleratorConfig(R"({"name": "x", "pe_method": "apot", "buffers": {"gib_addresses": 67108864}})", "gib.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  EXPECT_NE(msg.find("gib.json: field 'buffers' describes 1024 MiB of on-chip buffers"), std::string::npos) << msg;
}

}  // namespace
}  // namespace potacc::accel
