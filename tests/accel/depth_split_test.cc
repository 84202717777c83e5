// Depth splitting (potacc-x): layers deeper than a unit's buffers run in
// K-chunks with the partial sums kept on chip; bit-exact with the CPU, tiles
// bounded by the partial-sum buffer, and refused exactly as before when the
// mode is off.
#include <gtest/gtest.h>

#include <random>

#include "accel/potacc_x_support.h"
#include "potacc/accel/diff.h"
#include "potacc/error.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/tiling.h"
#include "potacc/platform/compare.h"

namespace potacc::accel {
namespace {

using xmodes::Generated;
using xmodes::WithModes;

TEST(DepthSplit, ChunksCoverTheDepthAndFitEveryBuffer) {
  const AcceleratorConfig c = WithModes("qkeras", "pynq-z2", false, true, 64);
  const TilePlan p = PlanTiles(c, 301, 97, 20000);  // K beyond the 16,384 weight-buffer limit
  ASSERT_TRUE(p.ok()) << p.refused;
  EXPECT_EQ(p.chunks, 3);  // the local input buffer bounds a chunk at 8,192
  EXPECT_EQ(p.chunk_rk % 16, 0);
  EXPECT_LE(p.chunk_rk, MaxChunkDepth(c));
  EXPECT_GE(p.rk, 20000);
  EXPECT_EQ(p.rk, p.chunks * p.chunk_rk);
  // Every (row tile, column tile) appears once per chunk, first/middle/last in order.
  std::map<std::pair<int64_t, int64_t>, std::vector<PsumMode>> seen;
  for (const Tile& t : p.tiles) {
    seen[{t.row0, t.col0}].push_back(t.psum);
    EXPECT_TRUE(t.load_inputs && t.load_weights);
    const int64_t slots = (t.cols / 4 + c.units - 1) / c.units;
    EXPECT_LE((t.rows + 3) / 4 * slots, c.buffers.psum_entries);
    EXPECT_LE(slots * (p.chunk_rk / 4), c.buffers.weight_addresses);
    EXPECT_LE((t.rows + 3) / 4 * (p.chunk_rk / 4), c.buffers.gib_addresses);
  }
  for (const auto& [tile, modes] : seen)
    EXPECT_EQ(modes, (std::vector<PsumMode>{PsumMode::kFirst, PsumMode::kMiddle, PsumMode::kLast}));
}

TEST(DepthSplit, OffByDefaultAndRefusedAsInTheReference) {
  const AcceleratorConfig ref = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  EXPECT_FALSE(ref.depth_split());
  EXPECT_FALSE(PlanTiles(ref, 4, 4, 16385).ok());
  const TilePlan shallow = PlanTiles(WithModes("qkeras", "pynq-z2", false, true), 64, 64, 1024);
  EXPECT_EQ(shallow.chunks, 1);  // nothing to split: the reference plan
  EXPECT_EQ(shallow.tiles.size(), PlanTiles(ref, 64, 64, 1024).tiles.size());
  for (const Tile& t : shallow.tiles) EXPECT_EQ(t.psum, PsumMode::kNone);
}

TEST(DepthSplit, ConfigNeedsAPartialSumBuffer) {
  EXPECT_THROW(ParseAcceleratorConfig(R"({"name":"x","pe_method":"apot","modes":{"depth_split":true}})", "t"), Error);
  const AcceleratorConfig c = ParseAcceleratorConfig(
      R"({"name":"x","pe_method":"apot","buffers":{"psum_entries":128},"modes":{"depth_split":true}})", "t");
  EXPECT_TRUE(c.depth_split());
  EXPECT_EQ(c.buffers.psum_entries, 128);
  // Round trip through the JSON form.
  const AcceleratorConfig back = ParseAcceleratorConfig(AcceleratorConfigToJson(c), "t");
  EXPECT_TRUE(back.depth_split());
  EXPECT_EQ(back.buffers.psum_entries, 128);
  EXPECT_TRUE(back.weight_preload());
  EXPECT_FALSE(back.host_overlap());
}

TEST(DepthSplit, BitExactWithTheCpu) {
  // Small buffers make ordinary depths "deep": many chunks, row and column tiles.
  std::mt19937 rng(99);
  const char* methods[] = {"qkeras", "apot", "msq", "uniform4", "int8"};
  for (int trial = 0; trial < 10; ++trial) {
    const std::string method = methods[trial % 5];
    AcceleratorConfig c = WithModes(method, trial % 2 ? "kv260" : "pynq-z2", false, true,
                                    std::uniform_int_distribution<int>(1, 40)(rng));
    c.buffers.weight_addresses = 32;       // depth limit 128
    c.buffers.local_input_addresses = 24;  // chunk <= 96
    c.buffers.gib_addresses = 96;
    c.buffers.wsums_entries = 3;
    const int m = std::uniform_int_distribution<int>(1, 70)(rng);
    const int n = std::uniform_int_distribution<int>(1, 60)(rng);
    const int k = std::uniform_int_distribution<int>(97, 700)(rng);
    const Model model = Generated(
        "gemm", 20 + trial, {{"m", std::to_string(m)}, {"n", std::to_string(n)}, {"k", std::to_string(k)}}, method);
    const DiffReport r = DiffAgainstCpu(model, c, platform::DeterministicInputs(model, trial));
    ASSERT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
    EXPECT_TRUE(r.bit_exact()) << method << " " << m << "x" << n << "x" << k << ": " << r.accel_mismatches();
    const TilePlan p = PlanTiles(c, m, n, k);
    EXPECT_GT(p.chunks, 1);
  }
}

TEST(DepthSplit, LayerDeeperThanTheShippedBuffersOnTheShippedGeometry) {
  // K = 20,000 exceeds every buffer of the PYNQ-Z2 design.
  const Model model = Generated("gemm", 7, {{"m", "38"}, {"n", "21"}, {"k", "20000"}}, "apot");
  const DiffReport refused = DiffAgainstCpu(model, ResolveAcceleratorConfig("apot", "pynq-z2"), {});
  EXPECT_EQ(refused.layers[0].device, "cpu");
  const DiffReport r =
      DiffAgainstCpu(model, WithModes("apot", "pynq-z2", false, true), platform::DeterministicInputs(model, 3));
  ASSERT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
  EXPECT_EQ(r.accel_elements(), 38 * 21);
  EXPECT_TRUE(r.bit_exact());
}

TEST(DepthSplit, SimulatorChecksThePartialSumProtocol) {
  AcceleratorConfig c = WithModes("int8", "pynq-z2", false, true, 4);
  Simulator sim(c);
  std::vector<int8_t> a(8 * 16, 1);
  sim.Execute(Command::Config(16, 0));
  sim.Execute(Command::LoadInputs(SplitRows(a.data(), 16, 8, 0, 8, 16, 16)));
  EncodedWeights e;
  e.n = 4;
  e.k = 16;
  e.codes.assign(64, 1);
  e.bias_sum.assign(4, 0);
  e.multiplier.assign(4, 1 << 30);
  e.shift.assign(4, 0);
  sim.Execute(Command::LoadWeights(PackWeights(c, e), 0, 1));
  StreamWordsT out;
  // A middle chunk without a first one continues nothing.
  EXPECT_THROW(sim.Execute(Command::Compute(8, 4, PsumMode::kMiddle), &out), Error);
  sim.Execute(Command::Compute(8, 4, PsumMode::kFirst), &out);
  EXPECT_EQ(out[0].size(), 1u);  // only the end marker
  EXPECT_THROW(sim.Execute(Command::Compute(4, 4, PsumMode::kLast), &out), Error);  // another tile shape
  // 40 strips overflow 4 entries.
  AcceleratorConfig small = c;
  Simulator sim2(small);
  std::vector<int8_t> big(160 * 16, 1);
  sim2.Execute(Command::Config(16, 0));
  sim2.Execute(Command::LoadInputs(SplitRows(big.data(), 16, 160, 0, 160, 16, 16)));
  sim2.Execute(Command::LoadWeights(PackWeights(c, e), 0, 1));
  EXPECT_THROW(sim2.Execute(Command::Compute(160, 4, PsumMode::kFirst), &out), Error);
}

}  // namespace
}  // namespace potacc::accel
