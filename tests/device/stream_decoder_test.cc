// The accelerator's input side of the §3 protocol: words -> Commands.
#include "potacc/accel/stream_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "accel/potacc_x_support.h"
#include "potacc/accel/depthwise.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

void Push(StreamQueues& q, const StreamWordsT& words) {
  for (int s = 0; s < 4; ++s) q[s].insert(q[s].end(), words[s].begin(), words[s].end());
}

TEST(StreamDecoder, HandWrittenWordsOfSection3) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  StreamDecoder d(c);
  StreamQueues q;
  q[0] = {0x8, 32, static_cast<uint32_t>(-3)};  // CONFIG rK=32 zp_out=-3
  auto cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->op, Opcode::kConfig);
  EXPECT_EQ(cmd->depth, 32);
  EXPECT_EQ(cmd->output_zero_point, -3);
  // LOAD_INP: NB = 8 beats (one strip at depth 32), strips; data words on every stream.
  q[0] = {0x2, 8, 1};
  for (int s = 0; s < 4; ++s)
    for (uint32_t t = 0; t < 8; ++t) q[s].push_back(100 * s + t);
  cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  ASSERT_EQ(cmd->op, Opcode::kLoadInputs);
  EXPECT_EQ(cmd->inputs->rows, 4);
  EXPECT_EQ(cmd->inputs->data[3][7], 307u);
  for (const auto& s : q) EXPECT_TRUE(s.empty());
  q[0] = {0x4, 4, 8};
  cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->op, Opcode::kCompute);
  EXPECT_EQ(cmd->rows, 4);
  EXPECT_EQ(cmd->cols, 8);
}

// Depth splitting: a COMPUTE's PsumMode in bits 8..9 of the opcode word (the
// words StreamWords() writes); a design without the mode knows no such opcode.
TEST(StreamDecoder, PartialSumComputeOnlyWithDepthSplitting) {
  AcceleratorConfig split = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  split.modes[kModeDepthSplit] = 1;
  split.buffers.psum_entries = 64;
  for (PsumMode m : {PsumMode::kNone, PsumMode::kFirst, PsumMode::kMiddle, PsumMode::kLast}) {
    StreamQueues q;
    Push(q, StreamWords(Command::Compute(6, 12, m), split.units));
    EXPECT_EQ(q[0].front(), 0x4u | static_cast<uint32_t>(m) << 8);
    const auto cmd = StreamDecoder(split).Next(q);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->op, Opcode::kCompute);
    EXPECT_EQ(cmd->psum, m);
    EXPECT_EQ(cmd->rows, 6);
    EXPECT_EQ(cmd->cols, 12);
  }
  StreamQueues q;
  q[0] = {0x304, 4, 4};
  EXPECT_THROW(StreamDecoder(ResolveAcceleratorConfig("qkeras", "pynq-z2")).Next(q), Error);
  q[0] = {0x302, 4, 4};  // mode bits on another opcode
  EXPECT_THROW(StreamDecoder(split).Next(q), Error);
}

TEST(StreamDecoder, WaitsForWholeCommands) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  StreamDecoder d(c);
  StreamQueues q;
  q[0] = {0x8, 16};
  EXPECT_FALSE(d.Next(q));
  EXPECT_EQ(q[0].size(), 2u);  // nothing consumed
  q[0].push_back(0);
  EXPECT_TRUE(d.Next(q));
  q[0] = {0x2, 4, 1, 1, 2, 3, 4};
  q[1] = {1, 2, 3};  // one word short on stream 1
  q[2] = {1, 2, 3, 4};
  q[3] = {1, 2, 3, 4};
  EXPECT_FALSE(d.Next(q));
  q[1].push_back(4);
  EXPECT_TRUE(d.Next(q));
}

TEST(StreamDecoder, RejectsWhatTheHardwareWouldNot) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  StreamQueues q;
  q[0] = {0x3};  // two opcode bits
  EXPECT_THROW(StreamDecoder(c).Next(q), Error);
  q[0] = {0x2, 4, 1};  // LOAD_INP before CONFIG
  EXPECT_THROW(StreamDecoder(c).Next(q), Error);
  StreamDecoder d(c);
  q[0] = {0x8, 24, 0};  // depth not a multiple of 16
  EXPECT_THROW(d.Next(q), Error);
}

// StreamWords() (the driver's side) and the decoder are inverses on random
// LOAD_WGT commands of both weight packings.
TEST(StreamDecoder, InvertsStreamWordsOfLoadWeights) {
  std::mt19937 rng(5);
  for (const char* method : {"qkeras", "int8"}) {
    const AcceleratorConfig c = ResolveAcceleratorConfig(method, "kv260");
    for (int trial = 0; trial < 20; ++trial) {
      auto w = std::make_shared<PackedWeights>();
      w->codes_per_word = c.codes_per_word();
      w->rk = w->k = 16 * (1 + static_cast<int>(rng() % 8));
      const int64_t blocks = 1 + rng() % 20;
      w->rn = w->n = 4 * blocks;
      w->words_per_block = w->rk / w->codes_per_word;
      for (auto& s : w->data)
        for (int64_t i = 0; i < blocks * w->words_per_block; ++i) s.push_back(rng());
      for (int64_t i = 0; i < w->rn; ++i) {
        w->bias_sum.push_back(static_cast<int32_t>(rng()));
        w->multiplier.push_back(static_cast<int32_t>(rng() >> 1));
        w->right_shift.push_back(static_cast<int8_t>(rng() % 64));
      }
      const int64_t first = rng() % blocks, count = 1 + rng() % (blocks - first);
      StreamDecoder d(c);
      StreamQueues q;
      Push(q, StreamWords(Command::Config(static_cast<int32_t>(w->rk), 0), c.units));
      Push(q, StreamWords(Command::LoadWeights(w, first, count), c.units));
      ASSERT_TRUE(d.Next(q));
      auto cmd = d.Next(q);
      ASSERT_TRUE(cmd);
      ASSERT_EQ(cmd->op, Opcode::kLoadWeights);
      const PackedWeights& got = *cmd->weights;
      ASSERT_EQ(cmd->blocks, count);
      for (int s = 0; s < 4; ++s) {
        const auto begin = w->data[s].begin() + first * w->words_per_block;
        EXPECT_TRUE(std::equal(got.data[s].begin(), got.data[s].end(), begin));
      }
      for (int64_t col = 0; col < 4 * count; ++col) {
        EXPECT_EQ(got.bias_sum[col], w->bias_sum[4 * first + col]);
        EXPECT_EQ(got.multiplier[col], w->multiplier[4 * first + col]);
        EXPECT_EQ(got.right_shift[col], w->right_shift[4 * first + col]);
      }
      for (const auto& s : q) EXPECT_TRUE(s.empty());
    }
  }
}

// A random depthwise layer whose window the slab layout can read, tiled as
// the driver tiles it (several row tiles and channel tiles).
struct DwLayer {
  kernels::ConvShape shape;
  TilePlan plan;
  std::vector<int8_t> input;
};
DwLayer RandomDepthwiseLayer(const AcceleratorConfig& c, std::mt19937& rng) {
  for (;;) {
    DwLayer l;
    kernels::ConvShape& s = l.shape;
    s.batch = 1 + static_cast<int>(rng() % 2);
    s.in_h = 3 + static_cast<int>(rng() % 14);
    s.in_w = 3 + static_cast<int>(rng() % 14);
    s.in_c = s.out_c = 1 + static_cast<int>(rng() % 40);
    s.filter_h = 1 + static_cast<int>(rng() % 5);
    s.filter_w = 1 + static_cast<int>(rng() % 5);
    s.stride_h = 1 + static_cast<int>(rng() % 4);
    s.stride_w = 1 << (rng() % 3);
    s.dilation_h = 1 + static_cast<int>(rng() % 2);
    s.dilation_w = 1 + static_cast<int>(rng() % 2);
    kernels::ResolvePadding(s, rng() % 2 ? Padding::kSame : Padding::kValid);
    if (s.out_h < 1 || s.out_w < 1) continue;
    l.plan = PlanDepthwiseTiles(c, s);
    if (!l.plan.ok()) continue;
    l.input.resize(static_cast<size_t>(s.batch) * s.in_h * s.in_w * s.in_c);
    for (int8_t& v : l.input) v = static_cast<int8_t>(rng());
    return l;
  }
}

// Depthwise mode: CONFIG_DW and the slab LOAD_INP of every tile of random
// layers come back from StreamWords() with every field the simulator reads.
TEST(StreamDecoder, InvertsStreamWordsOfDepthwiseCommands) {
  AcceleratorConfig c = xmodes::WithModes("apot", "pynq-z2", true, false);
  c.buffers.local_input_addresses = 96;  // several row tiles
  c.buffers.wsums_entries = 2;           // several channel tiles
  std::mt19937 rng(11);
  int tiles = 0, row_tiled = 0;
  std::array<int, 3> strides_w{};
  for (int trial = 0; trial < 60; ++trial) {
    const DwLayer l = RandomDepthwiseLayer(c, rng);
    const DepthwiseGeometry& g = l.plan.dw;
    ++strides_w[g.bank_shift()];
    row_tiled += l.plan.row_tiles() > 1;
    const auto zp = static_cast<int32_t>(rng() % 256) - 128;
    StreamDecoder d(c);
    StreamQueues q;
    const Command config = Command::ConfigDepthwise(static_cast<int32_t>(l.plan.rk), zp, g);
    Push(q, StreamWords(config, c.units));
    auto cmd = d.Next(q);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->op, Opcode::kConfigDepthwise);
    EXPECT_EQ(cmd->depth, l.plan.rk);
    EXPECT_EQ(cmd->output_zero_point, zp);
    EXPECT_EQ(cmd->dw, g);
    for (const Tile& t : l.plan.tiles) {
      ++tiles;
      const auto sent = SplitSlab(l.shape, l.plan, t, l.input.data(), static_cast<int8_t>(zp));
      Push(q, StreamWords(Command::LoadInputs(sent), c.units));
      Push(q, StreamWords(Command::Compute(t.rows, t.cols), c.units));
      cmd = d.Next(q);
      ASSERT_TRUE(cmd);
      ASSERT_EQ(cmd->op, Opcode::kLoadInputs);
      const InputTile& got = *cmd->inputs;
      EXPECT_EQ(got.rows, sent->rows);
      EXPECT_EQ(got.rk, sent->rk);
      EXPECT_EQ(got.slab_blocks, sent->slab_blocks);
      EXPECT_EQ(got.slab_rows, sent->slab_rows);
      EXPECT_EQ(got.slab_w, sent->slab_w);
      EXPECT_EQ(got.slab_bank_shift, sent->slab_bank_shift);
      EXPECT_EQ(got.data, sent->data);
      cmd = d.Next(q);
      ASSERT_TRUE(cmd);
      EXPECT_EQ(cmd->op, Opcode::kCompute);
      EXPECT_EQ(cmd->rows, t.rows);
    }
    for (const auto& s : q) EXPECT_TRUE(s.empty());
  }
  EXPECT_GT(tiles, 100);
  EXPECT_GT(row_tiled, 10);
  for (int n : strides_w) EXPECT_GT(n, 3);  // strides 1, 2 and 4 across
}

// Hand-written words: CONFIG_DW of a 3x3 window, stride 2x2 (bank shift 1),
// pitch 12 (>= 9 columns, 12 * 2 = 4 * 2 mod 8), 4 output columns; then a
// LOAD_INP of 2 blocks x 3 rows: 36 words per slab in whole groups of 8 ->
// 40 words = 10 beats per block, 20 beats.
StreamQueues HandWrittenDepthwise() {
  StreamQueues q;
  q[0] = {0x10, 16, 5, 3, 3, 2, 2, 1, 1, 12, 4};
  q[0].insert(q[0].end(), {0x2, 20, 2, 3, 12});
  for (int s = 0; s < 4; ++s)
    for (uint32_t t = 0; t < 20; ++t) q[s].push_back(100 * s + t);
  return q;
}

TEST(StreamDecoder, HandWrittenDepthwiseWords) {
  StreamQueues q = HandWrittenDepthwise();
  StreamDecoder d(xmodes::WithModes("apot", "pynq-z2", true, false));
  auto cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  ASSERT_EQ(cmd->op, Opcode::kConfigDepthwise);
  EXPECT_EQ(cmd->depth, 16);
  EXPECT_EQ(cmd->output_zero_point, 5);
  EXPECT_EQ(cmd->dw, (DepthwiseGeometry{3, 3, 2, 2, 1, 1, 12, 4}));
  EXPECT_EQ(SlabPitch(cmd->dw, 9), 12);  // the pitch the driver would choose
  cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  ASSERT_EQ(cmd->op, Opcode::kLoadInputs);
  const InputTile& t = *cmd->inputs;
  EXPECT_EQ(t.rk, 16);
  EXPECT_EQ(t.slab_blocks, 2);
  EXPECT_EQ(t.slab_rows, 3);
  EXPECT_EQ(t.slab_w, 12);
  EXPECT_EQ(t.slab_bank_shift, 1);
  EXPECT_EQ(t.slab_beats_per_block(), 10);
  EXPECT_EQ(t.rows, 4);  // one output row (3 slab rows, 3-row window) of 4 pixels
  EXPECT_EQ(t.data[2][19], 219u);
  for (const auto& s : q) EXPECT_TRUE(s.empty());
}

// A depthwise LOAD_INP or CONFIG_DW the hardware could not take: a one-line
// error, never a crash; a command still arriving consumes nothing.
TEST(StreamDecoder, RejectsInconsistentDepthwiseCommands) {
  const AcceleratorConfig c = xmodes::WithModes("apot", "pynq-z2", true, false);
  using Edits = std::vector<std::pair<size_t, uint32_t>>;  // (index in stream 0, new word)
  const std::pair<Edits, const char*> cases[] = {
      {{{12, 19}}, "LOAD_INP of 19 beats is not 2 slabs of 10 beats"},  // NB truncated
      {{{12, 30}}, "LOAD_INP of 30 beats is not 2 slabs of 10 beats"},
      {{{13, 0}}, "is not 0 slabs"},
      {{{14, 4}}, "slab of 4 rows is not whole output rows of a 3-row window at stride 2"},
      {{{14, 2}}, "slab of 2 rows is not whole output rows"},
      {{{15, 13}}, "pitch 13 differs from CONFIG_DW's 12"},
      {{{13, 4096}, {12, 40960}}, "overflow a unit's local input buffer"},
      {{{6, 3}}, "CONFIG_DW stride_w 3 is not 1, 2 or 4"},
      {{{6, 0}}, "CONFIG_DW stride_w 0 is out of range"},
      {{{3, 6}}, "CONFIG_DW window of 18 taps exceeds depth 16"},
      {{{3, 0xffffffff}}, "CONFIG_DW kh 4294967295 is out of range"},
      {{{1, 24}}, "CONFIG depth 24 is not a multiple of 16"},
  };
  for (const auto& [edits, expected] : cases) {
    StreamQueues q = HandWrittenDepthwise();
    for (const auto& [at, word] : edits) q[0][at] = word;
    std::string error;
    try {
      StreamDecoder d(c);
      for (int i = 0; i < 3 && d.Next(q); ++i) {
      }
    } catch (const Error& e) {
      error = e.what();
    }
    EXPECT_NE(error.find(expected), std::string::npos) << expected << ": \"" << error << "\"";
    EXPECT_EQ(error.rfind("accelerator input stream: ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // 5 rows at stride 2 are two output rows (16 beats per block): the decoder
  // waits for the 12 beats not sent yet, consuming nothing.
  StreamQueues q = HandWrittenDepthwise();
  q[0][12] = 32;
  q[0][14] = 5;
  StreamDecoder d(c);
  ASSERT_TRUE(d.Next(q));
  EXPECT_FALSE(d.Next(q));
  EXPECT_EQ(q[1].size(), 20u);
  for (uint32_t t = 20; t < 32; ++t)
    for (int s = 0; s < 4; ++s) q[s].push_back(t);
  const auto cmd = d.Next(q);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->inputs->rows, 8);
  // A header cut short: nothing consumed.
  q = HandWrittenDepthwise();
  q[0].resize(14);
  StreamDecoder cut(c);
  ASSERT_TRUE(cut.Next(q));
  EXPECT_FALSE(cut.Next(q));
  EXPECT_EQ(q[0].size(), 3u);
  // CONFIG_DW is no opcode of a design without the depthwise mode.
  q = HandWrittenDepthwise();
  EXPECT_THROW(StreamDecoder(ResolveAcceleratorConfig("apot", "pynq-z2")).Next(q), Error);
}

}  // namespace
}  // namespace potacc::accel
