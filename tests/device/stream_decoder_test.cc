// The accelerator's input side of the §3 protocol: words -> Commands.
#include "potacc/accel/stream_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

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

}  // namespace
}  // namespace potacc::accel
