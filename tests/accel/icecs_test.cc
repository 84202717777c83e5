// The ICECS 2024 design (reference-accelerator.md §6) as configuration
// values of the same driver and simulator: broadcast weight tiles, its host
// tiling rule, weight tiles copied by the host at every LOAD_WGT (no preload),
// the 3-word LOAD_WGT header with raw shifts, B/Mq/S pushed per dispatch, and
// its PPU. Bit-exact with the reference GEMM like every other configuration.
#include <gtest/gtest.h>

#include <random>

#include "potacc/accel/driver.h"
#include "potacc/error.h"
#include "random_gemm.h"

namespace potacc::accel {
namespace {

// The icecs-v2 family on a PYNQ-Z2: the shift design (VM_SHIFT_V2_0) and the
// INT8 baseline it was compared with (SECDA-TFLite's VM, same driver loop).
AcceleratorConfig Icecs(const std::string& method) {
  AcceleratorConfig c = ResolveAcceleratorConfig("icecs-v2-pynq-z2-" + method);
  EXPECT_EQ(c.protocol(), Protocol::kIcecsV2);
  EXPECT_TRUE(c.weights_broadcast());
  EXPECT_FALSE(c.weight_preload());
  EXPECT_FALSE(c.weights_resident_nop);
  EXPECT_FALSE(c.first_conv_on_cpu);  // the ICECS delegate takes every int8 CONV_2D
  return c;
}

TEST(Icecs, HostTilingRule) {
  // §6: col_inc = min(rN, 16*4096/rK rounded down to 4, 2048), row_inc = min(rM, 16*8192/rK rounded down to 4).
  const AcceleratorConfig c = Icecs("qkeras");
  TilePlan p = PlanTiles(c, 784, 128, 1152);  // ResNet-18 3x3 (reference §4.4)
  ASSERT_TRUE(p.ok()) << p.refused;
  EXPECT_EQ(p.col_inc, 56);   // 65536 / 1152 = 56.9
  EXPECT_EQ(p.row_inc, 112);  // 131072 / 1152 = 113.8
  EXPECT_EQ(p.col_tiles(), 3);  // 56 + 56 + 16
  EXPECT_EQ(p.row_tiles(), 7);
  EXPECT_EQ(p.weight_loads(), 21);  // every tile reloads its weights: no NOP, no preload
  // The same layer on v12 (weights spread over 4 units) needs one column tile kept resident.
  const TilePlan v12 = PlanTiles(ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras"), 784, 128, 1152);
  EXPECT_EQ(v12.col_tiles(), 1);
  EXPECT_EQ(v12.weight_loads(), 1);
  // Wide layers: at most 2048 columns (512 global weight-sum entries).
  EXPECT_EQ(PlanTiles(c, 4, 4000, 16).col_inc, 2048);
  // INT8 baseline: 2048 addresses of 16 int8 weights, 512 columns, 512 rows (its row-sum buffer).
  const AcceleratorConfig i8 = Icecs("int8");
  p = PlanTiles(i8, 784, 128, 1152);
  EXPECT_EQ(p.col_inc, 28);  // 32768 / 1152 = 28.4
  EXPECT_EQ(p.row_inc, 112);
  p = PlanTiles(i8, 3136, 1000, 32);
  EXPECT_EQ(p.col_inc, 512);
  EXPECT_EQ(p.row_inc, 512);
}

TEST(Icecs, PerTileWeightTransferVolumeIsTheHandCount) {
  // M=20, N=24, K=32 on buffers small enough for 2 x 2 tiles: 4-bit weights,
  // rK = 32: 4 words per block per stream. A tile of b blocks: stream 0 carries
  // 3 header words + 4b weight words + 3b epilogue words (B, Mq, shifts),
  // streams 1-3 4b + 2b words: 3 + 25b words. Column tiles of 4 and 2 blocks
  // (16 + 8 columns), sent again for the second row tile:
  //   2 x ((3 + 25*4) + (3 + 25*2)) = 312 words = 1248 bytes.
  // Cross-check by bytes: 24 x 32 codes / 2 = 384 B of weights + 6 blocks x 9
  // words x 4 B = 216 B of epilogue + 2 x 12 B of headers = 624 B per row tile.
  AcceleratorConfig c = Icecs("qkeras");
  c.buffers.weight_addresses = 32;  // 16 x 32 / 32 = 16 columns per tile
  c.buffers.gib_addresses = 32;     // 16 x 32 / 32 = 16 rows per tile
  std::mt19937 rng(3);
  const RandomGemm g = MakeRandomGemm(*c.method, 20, 24, 32, rng);
  HostWork host;
  SimStats stats;
  ASSERT_EQ(Accelerate(c, g, -128, 127, &stats, &host), Reference(g, fixed_point::Rounding::kDouble, -128, 127));
  EXPECT_EQ(host.weight_copy_bytes, 1248);
  EXPECT_EQ(2 * (103 + 53) * 4, 1248);
  EXPECT_EQ(2 * (384 + 216 + 24), 1248);
  // DMA transfers: CONFIG 1, 2 x LOAD_INP 4, 4 x LOAD_WGT 4 (one per stream), 4 x COMPUTE 5.
  EXPECT_EQ(host.dma_transfers, 1 + 2 * 4 + 4 * 4 + 4 * 5);
  // 9 words of B/Mq/S per dispatched tile: strips x blocks per COMPUTE, summed.
  // Row tiles of 16 and 4 rows (4 and 1 strips), column tiles of 4 and 2 blocks.
  EXPECT_EQ(stats.dispatch_epilogue_words, 9 * (4 + 1) * (4 + 2));

  // The same layer with the v12 driver: weights come from the preload area.
  AcceleratorConfig v12 = ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras");
  HostWork host12;
  SimStats stats12;
  ASSERT_EQ(Accelerate(v12, g, -128, 127, &stats12, &host12), Reference(g, fixed_point::Rounding::kDouble, -128, 127));
  EXPECT_EQ(host12.weight_copy_bytes, 0);
  EXPECT_EQ(stats12.dispatch_epilogue_words, 0);
}

TEST(Icecs, LoadWeightHeaderAndRawShifts) {
  const AcceleratorConfig c = Icecs("qkeras");
  std::mt19937 rng(4);
  const RandomGemm g = MakeRandomGemm(*c.method, 8, 8, 40, rng);
  const PreparedGemm p = PrepareGemm(c, g.layer, g.m);
  ASSERT_TRUE(p.ok()) << p.refused;
  const auto cmds = BuildCommands(p, g.a.data(), g.k);
  ASSERT_EQ(cmds[2].op, Opcode::kLoadWeights);
  const StreamWordsT w = StreamWords(cmds[2], c.units, c.protocol());
  // [op, words per stream = cols * rK / 32 = 8 * 48 / 32, blocks]
  EXPECT_EQ(std::vector<uint32_t>(w[0].begin(), w[0].begin() + 3), (std::vector<uint32_t>{0x1, 12, 2}));
  const auto counts = StreamWordCounts(cmds[2], c.protocol());
  for (int q = 0; q < 4; ++q) EXPECT_EQ(static_cast<int64_t>(w[q].size()), counts[q]);
  // Stream 0 ends with each block's packed shifts: the raw TFLite shift (31 - S).
  const uint32_t last = w[0].back();
  for (int q = 0; q < 4; ++q)
    EXPECT_EQ(static_cast<int8_t>((last >> (8 * q)) & 0xff), static_cast<int8_t>(31 - p.weights->right_shift[4 + q]));
  // v12 sends S itself after a 6-word header.
  const StreamWordsT v = StreamWords(cmds[2], c.units, Protocol::kV12);
  EXPECT_EQ(v[0].size(), w[0].size() + 3);
  EXPECT_EQ(static_cast<int8_t>(v[0].back() & 0xff), p.weights->right_shift[4]);
}

TEST(Icecs, BitExactWithTheReferenceOnRandomShapes) {
  std::mt19937 rng(2024);
  for (const char* method : {"qkeras", "int8"}) {
    AcceleratorConfig c = Icecs(method);
    for (bool tiny : {false, true}) {
      if (tiny) {  // force row, column and depth tiling
        c.buffers.weight_addresses = 96;
        c.buffers.gib_addresses = 128;
        c.buffers.local_input_addresses = 96;
        c.buffers.wsums_entries = 5;
      }
      for (int i = 0; i < 8; ++i) {
        const int64_t m = std::uniform_int_distribution<int64_t>(1, 60)(rng);
        const int64_t n = std::uniform_int_distribution<int64_t>(1, 90)(rng);
        const int64_t k = std::uniform_int_distribution<int64_t>(1, 350)(rng);
        const RandomGemm g = MakeRandomGemm(*c.method, m, n, k, rng);
        ASSERT_EQ(Accelerate(c, g), Reference(g, fixed_point::Rounding::kDouble, -128, 127))
            << method << " tiny " << tiny << " " << m << "x" << n << "x" << k;
      }
    }
  }
}

TEST(Icecs, BroadcastTileMustFitOneUnit) {
  // 8 blocks at rK = 64 need 8 x 16 = 128 addresses in every unit when broadcast,
  // 2 x 16 = 32 per unit when spread over 4 units.
  AcceleratorConfig c = Icecs("qkeras");
  c.buffers.weight_addresses = 64;
  auto w = std::make_shared<PackedWeights>();
  w->n = w->rn = 32;
  w->k = w->rk = 64;
  w->codes_per_word = 8;
  w->words_per_block = 8;
  for (auto& s : w->data) s.assign(8 * 8, 0);
  w->bias_sum.assign(32, 0);
  w->multiplier.assign(32, 1 << 30);
  w->right_shift.assign(32, 40);
  Simulator sim(c);
  sim.Execute(Command::Config(64, 0));
  EXPECT_THROW(sim.Execute(Command::LoadWeights(w, 0, 8)), Error);
  sim.Execute(Command::LoadWeights(w, 0, 4));  // 64 addresses: fits
  c.modes["weights_broadcast"] = 0;
  Simulator spread(c);
  spread.Execute(Command::Config(64, 0));
  spread.Execute(Command::LoadWeights(w, 0, 8));
}

TEST(Icecs, SynthesizedPpuMultipliesByTheLeftShiftAmount) {
  // x * M * 2^shift with M = 2^30 / 2^31 = 0.5: TFLite gives x * 2^shift / 2,
  // the ICECS PPU x * shift / 2 (reference §6, §10.12).
  EXPECT_EQ(fixed_point::MultiplyByQuantizedMultiplier(1000, 1 << 30, 2), 2000);
  EXPECT_EQ(fixed_point::MultiplyByQuantizedMultiplierIcecsV2(1000, 1 << 30, 2), 1000);
  EXPECT_EQ(fixed_point::MultiplyByQuantizedMultiplierIcecsV2(1000, 1 << 30, 3), 1500);
  EXPECT_EQ(fixed_point::MultiplyByQuantizedMultiplierIcecsV2(-1001, 1 << 30, 1), -500);  // -500.5 rounds up
  // Saturates x * shift to int32 before the high multiply.
  EXPECT_EQ(fixed_point::MultiplyByQuantizedMultiplierIcecsV2(2000000000, 1 << 30, 3), 1073741824);
  // Right shifts (multipliers below 1, every layer of the shipped and generated models) are TFLite's.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const int32_t x = std::uniform_int_distribution<int32_t>(-1 << 24, 1 << 24)(rng);
    const int32_t m = std::uniform_int_distribution<int32_t>(1 << 30, std::numeric_limits<int32_t>::max())(rng);
    const int shift = std::uniform_int_distribution<int>(-31, 0)(rng);
    ASSERT_EQ(fixed_point::MultiplyByQuantizedMultiplierIcecsV2(x, m, shift),
              fixed_point::MultiplyByQuantizedMultiplier(x, m, shift));
  }
}

TEST(Icecs, PpuDefectChangesOutputsOnlyForMultipliersAboveOne) {
  AcceleratorConfig c = Icecs("qkeras");
  std::mt19937 rng(11);
  RandomGemm g = MakeRandomGemm(*c.method, 12, 8, 16, rng);
  c.ppu_rounding = fixed_point::Rounding::kIcecsV2;
  // Output multipliers below 1: the defect never fires, outputs equal TFLite's.
  ASSERT_EQ(Accelerate(c, g), Reference(g, fixed_point::Rounding::kDouble, -128, 127));
  // A multiplier of 1.5 (TFLite: 0.75 x 2^1) in every channel: the PPU scales by
  // 0.75 x 1 instead of 0.75 x 2. Small activations and weights keep |acc| x 1.5 in int8.
  for (auto& x : g.a) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-1, 1)(rng));
  for (auto& w : g.w) w = static_cast<int8_t>(std::uniform_int_distribution<int>(0, 1)(rng) ? 2 : -1);
  for (auto& b : g.bias) b = std::uniform_int_distribution<int32_t>(-20, 20)(rng);
  g.layer.input_zero_point = 0;
  g.layer.output_zero_point = 0;
  g.layer.output_scale = g.layer.input_scale * g.layer.filter_scales[0] / 1.5f;
  for (auto& s : g.layer.filter_scales) s = g.layer.filter_scales[0];
  const auto got = Accelerate(c, g);
  EXPECT_EQ(got, Reference(g, fixed_point::Rounding::kIcecsV2, -128, 127));
  EXPECT_NE(got, Reference(g, fixed_point::Rounding::kDouble, -128, 127));
}

}  // namespace
}  // namespace potacc::accel
