// Depthwise mode (potacc-x): lowering, slab layout, tiling, and bit-exactness
// against the CPU's TFLite depthwise reference on random shapes.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "accel/potacc_x_support.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/depthwise.h"
#include "potacc/accel/diff.h"
#include "potacc/error.h"
#include "potacc/platform/compare.h"

namespace potacc::accel {
namespace {

using xmodes::DwShape;
using xmodes::Generated;
using xmodes::WithModes;


TEST(Depthwise, LoweringTransposesTheFilterPerChannel) {
  const Model m = Generate("conv", 3, DwShape(6, 5, 7, 3, 1, 1, true));
  const GemmLowering g = LowerNode(m, 0);
  ASSERT_TRUE(g.ok()) << g.refused;
  EXPECT_TRUE(g.depthwise);
  EXPECT_EQ(g.m, 30);
  EXPECT_EQ(g.n, 7);
  EXPECT_EQ(g.k, 9);
  // Filter [1, 3, 3, 7]: tap t of channel c is element t * 7 + c.
  const Tensor& w = m.main().tensors[m.main().operators[0].inputs[1]];
  const auto* src = reinterpret_cast<const int8_t*>(ConstantData(m, w)->data());
  for (int c = 0; c < 7; ++c)
    for (int t = 0; t < 9; ++t) EXPECT_EQ(g.layer.weights[c * 9 + t], src[t * 7 + c]);
}

TEST(Depthwise, RefusesDepthMultiplierAndSaysWhy) {
  std::map<std::string, std::string> v = DwShape(6, 6, 4, 3, 1, 1, true);
  v["cout"] = "8";  // depth multiplier 2
  const Model m = Generate("conv", 3, v);
  const GemmLowering g = LowerNode(m, 0);
  EXPECT_FALSE(g.ok());
  EXPECT_NE(g.refused.find("depth multiplier 2"), std::string::npos) << g.refused;
}

TEST(Depthwise, SlabHoldsTheTileRowsWithZeroPointPadding) {
  // 3x2 input, 5 channels, 3x3 SAME stride 1: slab = 3 rows x 4 columns
  // (padded -1..2); channels 4..7 form the second block.
  kernels::ConvShape s;
  s.in_h = 3;
  s.in_w = 2;
  s.in_c = s.out_c = 5;
  s.filter_h = s.filter_w = 3;
  s.out_h = 3;
  s.out_w = 2;
  s.pad_top = s.pad_left = 1;
  std::vector<int8_t> in(3 * 2 * 5);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int8_t>(i + 1);
  TilePlan p;
  p.rk = 16;
  p.dw = MakeDepthwiseGeometry(s);
  // 4 columns are needed; the pitch is the next width = out_w (mod 4) so that
  // consecutive pixels' words sit in different banks.
  EXPECT_EQ(p.dw.slab_w, 6);
  Tile t;
  t.out_row0 = 1;  // output row 1 reads input rows 0..2
  t.out_rows = 1;
  t.rows = 2;
  t.cols = 8;
  const auto slab = SplitSlab(s, p, t, in.data(), /*zero_point=*/-7);
  ASSERT_EQ(slab->slab_rows, 3);
  ASSERT_EQ(slab->slab_blocks, 2);
  const int64_t bpb = slab->slab_beats_per_block();
  EXPECT_EQ(bpb, 5);  // 3 rows x 6 = 18 words -> 5 beats (stride 1: word order)
  auto word = [&](int64_t block, int64_t w) { return slab->data[w % 4][block * bpb + w / 4]; };
  const uint32_t zp = 0xF9u;  // -7
  // Slab row 0 = input row 0; column 0 is padding, column 1 = input (0, 0).
  EXPECT_EQ(word(0, 0), zp | zp << 8 | zp << 16 | zp << 24);
  EXPECT_EQ(word(0, 1), 1u | 2u << 8 | 3u << 16 | 4u << 24);
  EXPECT_EQ(word(1, 1), 5u);          // channel 4; channels 5..7 do not exist (0)
  EXPECT_EQ(word(0, 2), 6u | 7u << 8 | 8u << 16 | 9u << 24);  // input (0, 1)
  EXPECT_EQ(word(0, 3), zp | zp << 8 | zp << 16 | zp << 24);
  EXPECT_EQ(word(0, 5), zp | zp << 8 | zp << 16 | zp << 24);  // pitch column
  EXPECT_EQ(word(0, 6 * 2 + 1), 21u | 22u << 8 | 23u << 16 | 24u << 24);  // slab row 2 = input row 2
  EXPECT_EQ(word(0, 18), 0u);  // padding of the last beat
  // The window of output pixel (1, 0) in channel 1: slab rows 0..2, columns 0..2.
  std::vector<uint32_t> flat(18);
  for (int64_t w = 0; w < 18; ++w) flat[w] = word(0, w);
  const int16_t weights[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int32_t expect = -7 * 1 + 2 * 2 + 7 * 3 + -7 * 4 + 12 * 5 + 17 * 6 + -7 * 7 + 22 * 8 + 27 * 9;
  EXPECT_EQ(DepthwiseDot(p.dw, flat.data(), 3, /*pixel=*/0, /*channel=*/1, weights), expect);
}

TEST(Depthwise, TilesCoverEveryOutputOnceAndRespectTheBuffers) {
  AcceleratorConfig c = WithModes("apot", "pynq-z2", true, false);
  c.buffers.local_input_addresses = 64;  // a few output rows per tile
  c.buffers.wsums_entries = 3;            // several channel tiles
  kernels::ConvShape s;
  s.batch = 2;
  s.in_h = 19;
  s.in_w = 13;
  s.in_c = s.out_c = 61;
  s.filter_h = 3;
  s.filter_w = 5;
  s.stride_h = 2;
  s.stride_w = 2;
  kernels::ResolvePadding(s, Padding::kSame);
  const TilePlan p = PlanDepthwiseTiles(c, s);
  ASSERT_TRUE(p.ok()) << p.refused;
  std::vector<int> cover(static_cast<size_t>(s.rows() * 64), 0);
  for (const Tile& t : p.tiles) {
    EXPECT_EQ(t.rows % 2, 0);
    EXPECT_EQ(t.valid_rows, t.out_rows * s.out_w);
    const int64_t slots = (t.cols / 4 + c.units - 1) / c.units;
    const int64_t beats = SlabShape(p.dw, t.out_rows).slab_beats_per_block();
    EXPECT_LE(slots * beats, c.buffers.local_input_addresses);
    EXPECT_LE(slots, c.buffers.wsums_entries);
    for (int64_t r = t.row0; r < t.row0 + t.valid_rows; ++r)
      for (int64_t col = t.col0; col < t.col0 + t.cols; ++col) ++cover[r * 64 + col];
  }
  for (int v : cover) ASSERT_EQ(v, 1);
  EXPECT_GT(p.col_tiles(), 1);
  EXPECT_GT(p.row_tiles(), 2);
}

TEST(Depthwise, BitExactWithTheCpuOnRandomShapes) {
  std::mt19937 rng(2024);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* methods[] = {"qkeras", "apot", "msq", "uniform4", "int8"};
  const char* acts[] = {"none", "relu", "relu6"};
  for (int trial = 0; trial < 20; ++trial) {
    const std::string method = methods[trial % 5];
    const int kernel = pick(1, 5), stride = 1 << pick(0, 2), dilation = kernel > 1 ? pick(1, 2) : 1;
    const int h = pick((kernel - 1) * dilation + 1, 17), w = pick((kernel - 1) * dilation + 1, 17);
    const Model m = Generated("conv", 10 + trial,
                              DwShape(h, w, pick(1, 40), kernel, stride, dilation, pick(0, 1), acts[trial % 3]), method);
    AcceleratorConfig c = WithModes(method, trial % 2 ? "kv260" : "pynq-z2", true, false);
    if (trial % 3 == 0) {  // tiny buffers: several row and channel tiles
      c.buffers.local_input_addresses = 48;
      c.buffers.wsums_entries = 2;
    }
    const DiffReport r = DiffAgainstCpu(m, c, platform::DeterministicInputs(m, trial));
    ASSERT_EQ(r.layers.size(), 1u);
    ASSERT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
    EXPECT_EQ(r.accel_elements(), m.main().tensors[m.main().outputs[0]].num_elements());
    EXPECT_TRUE(r.bit_exact()) << "trial " << trial << " " << method << ": " << r.accel_mismatches() << " mismatches";
  }
}

// The window generator reads the 4 pixels of a tile at one tap from 4 banks
// in one cycle: for every supported stride, pitch and dilation, the words of 4
// consecutive output pixels (also across an output-row wrap) must lie in 4
// different banks, and the physical positions must be a bijection.
TEST(Depthwise, SlabPitchMakesEveryTapReadConflictFree) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    DepthwiseGeometry g;
    g.stride_h = 1 << pick(0, 2);
    g.stride_w = 1 << pick(0, 2);
    g.filter_h = pick(1, 5);
    g.filter_w = pick(1, 5);
    g.dilation_h = pick(1, 3);
    g.dilation_w = pick(1, 3);
    g.out_w = pick(1, 30);
    g.slab_w = SlabPitch(g, int64_t{g.out_w - 1} * g.stride_w + int64_t{g.filter_w - 1} * g.dilation_w + 1);
    // P * k * stride_w = out_w * stride_w (mod 4 stride_w), k = stride_h / stride_w: k P = out_w (mod 4)
    // has a solution iff k <= 1 or k divides out_w.
    if (g.stride_h > g.stride_w && g.out_w % (g.stride_h / g.stride_w) != 0) {
      EXPECT_EQ(g.slab_w, 0) << "stride " << g.stride_h << "x" << g.stride_w << " out_w " << g.out_w;
      continue;
    }
    ASSERT_GT(g.slab_w, 0) << "stride " << g.stride_h << "x" << g.stride_w << " out_w " << g.out_w;
    const int s = g.bank_shift();
    for (int64_t p0 = 0; p0 < 3 * g.out_w; ++p0)
      for (int ky = 0; ky < g.filter_h; ++ky)
        for (int kx = 0; kx < g.filter_w; ++kx) {
          std::set<int> banks;
          for (int64_t p = p0; p < p0 + 4; ++p) {
            const int64_t a = ((p / g.out_w) * g.stride_h + int64_t{ky} * g.dilation_h) * g.slab_w +
                              (p % g.out_w) * g.stride_w + int64_t{kx} * g.dilation_w;
            banks.insert(SlabWordPosition(a, s).stream);
          }
          ASSERT_EQ(banks.size(), 4u) << "pixel " << p0 << " tap " << ky << "," << kx;
        }
    std::set<std::pair<int64_t, int>> seen;
    const int64_t words = int64_t{16} << s;
    for (int64_t a = 0; a < words; ++a) {
      const SlabPosition at = SlabWordPosition(a, s);
      EXPECT_LT(at.beat, words / 4);
      seen.insert({at.beat, at.stream});
    }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), words);
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

// Tall layers at strides 2 and 4 fill the local input buffer: the slabs,
// padded to whole bank-layout groups, must still fit it (a plan sized on the
// unpadded words overflowed it), on every shipped geometry and random shapes.
TEST(Depthwise, PaddedSlabsOfEveryTileFitTheLocalInputBuffer) {
  std::mt19937 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int planned = 0;
  for (int trial = 0; trial < 400; ++trial) {
    AcceleratorConfig c = WithModes("apot", trial % 2 ? "kv260" : "pynq-z2", true, false);
    if (trial % 3 == 0) c.buffers.local_input_addresses = 1 << pick(6, 10);
    kernels::ConvShape s;
    s.in_h = pick(8, 300);
    s.in_w = pick(4, 120);
    s.in_c = s.out_c = pick(1, 600);
    s.filter_h = s.filter_w = pick(1, 5);
    s.stride_h = s.stride_w = 1 << pick(0, 2);
    kernels::ResolvePadding(s, Padding::kSame);
    const TilePlan p = PlanDepthwiseTiles(c, s);
    if (!p.ok()) continue;
    ++planned;
    for (const Tile& t : p.tiles) {
      const InputTile slab = SlabShape(p.dw, t.out_rows);
      const int64_t slots = (t.cols / 4 + c.units - 1) / c.units;
      ASSERT_LE(slots * slab.slab_beats_per_block(), c.buffers.local_input_addresses)
          << "trial " << trial << ": " << s.in_h << "x" << s.in_w << "x" << s.in_c << " stride " << s.stride_w;
    }
  }
  EXPECT_GT(planned, 300);
  // The reviewer's case: 56x56x40, 3x3, stride 4 on the PYNQ-Z2 geometry, end to end.
  const Model m = Generated("conv", 9, DwShape(56, 56, 40, 3, 4, 1, true), "int8");
  const DiffReport r = DiffAgainstCpu(m, WithModes("int8", "pynq-z2", true, false), platform::DeterministicInputs(m, 2));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
  EXPECT_TRUE(r.bit_exact());
}

TEST(Depthwise, StridesTheWindowGeneratorCannotReadStayOnTheCpu) {
  const Model m = Generated("conv", 3, DwShape(12, 12, 8, 3, 3, 1, true), "apot");
  const DiffReport r = DiffAgainstCpu(m, WithModes("apot", "pynq-z2", true, false), platform::DeterministicInputs(m, 1));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].device, "cpu");
  EXPECT_NE(r.layers[0].reason.find("strides 1, 2, 4"), std::string::npos) << r.layers[0].reason;
  EXPECT_TRUE(r.bit_exact());
}

TEST(Depthwise, ReferenceDesignLeavesDepthwiseOnTheCpu) {
  const Model m = Generated("conv", 5, DwShape(8, 8, 8, 3, 1, 1, true), "apot");
  const auto placements = PlanDelegation(m, ResolveAcceleratorConfig("apot", "pynq-z2"));
  ASSERT_EQ(placements.size(), 1u);
  EXPECT_FALSE(placements[0].on_accel);
  EXPECT_NE(placements[0].reason.find("DEPTHWISE_CONV_2D not accepted"), std::string::npos);
}

TEST(Depthwise, SimulatorRejectsDepthwiseCommandsOnTheReferenceDesign) {
  Simulator sim(ResolveAcceleratorConfig("apot", "pynq-z2"));
  DepthwiseGeometry g;
  g.filter_h = g.filter_w = 3;
  g.slab_w = 10;
  g.out_w = 8;
  EXPECT_THROW(sim.Execute(Command::ConfigDepthwise(16, 0, g)), Error);
}

}  // namespace
}  // namespace potacc::accel
