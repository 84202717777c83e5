// Stream layouts (§2.3, §3), weight encoding and the command stream.
#include <gtest/gtest.h>

#include "potacc/accel/command.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/packing.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

TEST(Packing, EightCodesPerWordLowNibbleFirst) {
  const uint8_t codes[8] = {1, 2, 3, 4, 5, 6, 7, 15};
  EXPECT_EQ(PackCodesWord(codes, 8, 4), 0xF7654321u);
  const uint8_t bytes[4] = {0x01, 0xFF, 0x80, 0x7F};
  EXPECT_EQ(PackCodesWord(bytes, 4, 8), 0x7F80FF01u);
}

LayerWeights Layer(const std::vector<int8_t>& w, int64_t n, int64_t k, const std::vector<int32_t>& bias) {
  LayerWeights L;
  L.n = n;
  L.k = k;
  L.weights = w.data();
  L.bias = bias.data();
  L.filter_scales = {0.5f};
  L.input_scale = 0.25f;
  L.output_scale = 1.0f;
  L.input_zero_point = 3;
  L.output_zero_point = -2;
  return L;
}

TEST(Packing, ApotWeightsAndEpilogue) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");
  // N = 5 (padded to 8, two blocks), K = 3 (padded to 16).
  const std::vector<int8_t> w = {1, -2, 10,  0, 3, 4,  -6, 8, -1,  2, 2, 2,  -10, 0, 6};
  const std::vector<int32_t> bias = {100, 200, 300, 400, 500};
  const EncodedWeights e = EncodeWeights(c, Layer(w, 5, 3, bias));
  ASSERT_TRUE(e.refused.empty()) << e.refused;
  // APoT codes: |v| 1->000, 2->011, 3->001, 4->100, 6->101, 8->110, 10->111, 0->010; bit 3 = sign.
  EXPECT_EQ(e.codes[0], 0x0);
  EXPECT_EQ(e.codes[1], 0x8 | 0x3);
  EXPECT_EQ(e.codes[2], 0x7);
  EXPECT_EQ(e.codes[3], 0x2);
  // B[c] = bias + zp_off * sum(w), zp_off = -3.
  EXPECT_EQ(e.bias_sum[0], 100 - 3 * (1 - 2 + 10));
  EXPECT_EQ(e.bias_sum[2], 300 - 3 * (-6 + 8 - 1));
  EXPECT_EQ(e.bias_sum[4], 500 - 3 * (-10 + 0 + 6));
  // Mq/S from input*filter/output = 0.125 = 0.5 * 2^-2: Mq = 2^30, shift = -2, S = 33.
  EXPECT_EQ(e.multiplier[0], 1 << 30);
  EXPECT_EQ(e.shift[0], -2);

  const auto p = PackWeights(c, e);
  EXPECT_EQ(p->rk, 16);
  EXPECT_EQ(p->rn, 8);
  EXPECT_EQ(p->words_per_block, 2);
  // Block 0, stream q = column q: word 0 = codes of depth 0..7 (depth >= 3 padded with code 0).
  EXPECT_EQ(p->data[0][0], (0x7u << 8) | (0xBu << 4) | 0x0u);  // {1, -2, 10}
  EXPECT_EQ(p->data[0][1], 0u);
  EXPECT_EQ(p->data[1][0], (0x4u << 8) | (0x1u << 4) | 0x2u);  // {0, 3, 4}
  // Block 1 holds column 4 on stream 0; columns 5..7 are padding (all zero).
  EXPECT_EQ(p->data[0][2], (0x5u << 8) | (0x2u << 4) | 0xFu);  // {-10, 0, 6}: sign+111, 010, 101
  EXPECT_EQ(p->data[1][2], 0u);
  EXPECT_EQ(p->right_shift[0], 33);
  EXPECT_EQ(p->bias_sum[5], 0);
  EXPECT_EQ(p->multiplier[7], 0);
}

TEST(Packing, OffGridWeightsAreRefusedWithReason) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");
  const std::vector<int8_t> w = {1, 13, 2, 4};
  const std::vector<int32_t> bias = {0, 0};
  const EncodedWeights e = EncodeWeights(c, Layer(w, 2, 2, bias));
  EXPECT_NE(e.refused.find("weight 13 (output channel 0) is not on the apot grid"), std::string::npos) << e.refused;
  // QKeras: 127 is not 2^7 (the released encoder would run it as 128).
  const AcceleratorConfig q = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  const std::vector<int8_t> wq = {1, 127};
  EXPECT_FALSE(EncodeWeights(q, Layer(wq, 1, 2, bias)).refused.empty());
  // INT8 takes anything.
  const AcceleratorConfig i8 = ResolveAcceleratorConfig("int8", "pynq-z2");
  EXPECT_TRUE(EncodeWeights(i8, Layer(w, 2, 2, bias)).refused.empty());
}

TEST(Packing, Int8FourPerWord) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("int8", "pynq-z2");
  std::vector<int8_t> w(20);
  for (int i = 0; i < 20; ++i) w[i] = static_cast<int8_t>(i - 10);
  const std::vector<int32_t> bias = {0};
  const auto p = PackWeights(c, EncodeWeights(c, Layer(w, 1, 20, bias)));
  EXPECT_EQ(p->rk, 32);
  EXPECT_EQ(p->words_per_block, 8);
  EXPECT_EQ(p->data[0][0], 0xF9F8F7F6u);  // -10, -9, -8, -7
  EXPECT_EQ(p->data[0][4], 0x09080706u);  // 6, 7, 8, 9
  EXPECT_EQ(p->data[0][5], 0u);           // padding
}

TEST(Packing, InputRowSplit) {
  // 6 rows x 5 depth, rk 16: stream q word t of strip g = A[4g+q][4t..4t+3].
  std::vector<int8_t> a(6 * 5);
  for (int i = 0; i < 30; ++i) a[i] = static_cast<int8_t>(i + 1);
  const auto t = SplitRows(a.data(), 5, 6, 0, 6, 5, 16);
  EXPECT_EQ(t->strips(), 2);
  ASSERT_EQ(t->data[0].size(), 8u);
  EXPECT_EQ(t->data[1][0], 0x09080706u);  // row 1, depth 0..3 = 6,7,8,9
  EXPECT_EQ(t->data[1][1], 0x0000000Au);  // row 1, depth 4 = 10, then zero padding
  EXPECT_EQ(t->data[0][4], 0x18171615u);  // strip 1 row 4 = 21..24
  EXPECT_EQ(t->data[2][4], 0u);           // row 6 does not exist
}

TEST(CommandStream, WordsOfEachCommand) {
  const AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");
  const std::vector<int8_t> w = {1, 2, 3, 4, 6, 8, 10, -1, 0, 1, 2, 3, 4, 6, 8, 10, -1, -2, -3, -4};  // N=5, K=4
  const std::vector<int32_t> bias = {7, 8, 9, 10, 11};
  const PreparedGemm g = PrepareGemm(c, Layer(w, 5, 4, bias), 3);
  ASSERT_TRUE(g.ok()) << g.refused;
  std::vector<int8_t> a(3 * 4, 1);
  const std::vector<Command> cmds = BuildCommands(g, a.data(), 4);
  ASSERT_EQ(cmds.size(), 4u);  // CONFIG, LOAD_INP, LOAD_WGT, COMPUTE
  EXPECT_EQ(StreamWords(cmds[0], 4)[0], (std::vector<uint32_t>{0x8, 16, static_cast<uint32_t>(-2)}));
  const StreamWordsT inp = StreamWords(cmds[1], 4);
  EXPECT_EQ(inp[0][0], 0x2u);
  EXPECT_EQ(inp[0][1], 4u);  // NB = 4 rows * 16 / 16
  EXPECT_EQ(inp[0][2], 1u);  // strips
  EXPECT_EQ(inp[0].size(), 3u + 4u);
  EXPECT_EQ(inp[1].size(), 4u);
  EXPECT_EQ(inp[3][0], 0u);  // row 3 is padding
  const StreamWordsT wgt = StreamWords(cmds[2], 4);
  // Header: 0x1, nblk, rK/8, nblk div V, nblk mod V, rK/8.
  EXPECT_EQ(std::vector<uint32_t>(wgt[0].begin(), wgt[0].begin() + 6), (std::vector<uint32_t>{1, 2, 2, 0, 2, 2}));
  // Data (2 blocks x 2 words) then per block B, Mq (+ packed S on stream 0).
  EXPECT_EQ(wgt[0].size(), 6u + 4u + 2u * 3u);
  EXPECT_EQ(wgt[1].size(), 4u + 2u * 2u);
  EXPECT_EQ(wgt[1][4], static_cast<uint32_t>(g.weights->bias_sum[1]));
  EXPECT_EQ(wgt[1][5], static_cast<uint32_t>(g.weights->multiplier[1]));
  const uint32_t s0 = static_cast<uint8_t>(g.weights->right_shift[0]);
  EXPECT_EQ(wgt[0][6 + 4 + 2] & 0xFF, s0);
  EXPECT_EQ(StreamWords(cmds[3], 4)[0], (std::vector<uint32_t>{0x4, 4, 8}));
  EXPECT_EQ(StreamWords(Command::Nop(), 4)[0], std::vector<uint32_t>{0});
  for (const Command& cmd : cmds) {
    const auto words = StreamWords(cmd, 4);
    const auto counts = StreamWordCounts(cmd);
    for (int q = 0; q < 4; ++q) EXPECT_EQ(static_cast<int64_t>(words[q].size()), counts[q]) << Describe(cmd);
  }
}

TEST(Packing, ReleasedApotEncoderCases) {
  const quant::Method& apot = quant::MethodByName("apot");
  // Channel 0 on the int8 APoT grid (case A), channel 1 = 127 * {0,1,2,3,4,6,8}/8 (case B, O = 8).
  const std::vector<int8_t> w = {13, -25, 127, 0, -102, 76, 38,  0, 16, 32, 48, 64, 95, 127};
  const std::vector<int32_t> bias = {1000, 1000};
  LayerWeights L = Layer(w, 2, 7, bias);
  L.filter_scales = {0.01f, 0.02f};
  const ReleasedEncoding r = ReleasedEncode(apot, L);
  EXPECT_EQ(r.case_b_channels, 1);
  EXPECT_EQ(std::vector<int32_t>(r.believed_values.begin(), r.believed_values.begin() + 7),
            (std::vector<int32_t>{1, -2, 10, 0, -8, 6, 3}));
  EXPECT_EQ(std::vector<int32_t>(r.believed_values.begin() + 7, r.believed_values.end()),
            (std::vector<int32_t>{0, 1, 2, 3, 4, 6, 8}));
  EXPECT_FLOAT_EQ(r.filter_scales[0], 0.01f * 127.0f / 10.0f);
  EXPECT_FLOAT_EQ(r.filter_scales[1], 0.02f * 127.0f / 8.0f);
  EXPECT_EQ(r.bias[0], 79);  // round(1000 * 10 / 127)
  EXPECT_EQ(r.bias[1], 63);  // round(1000 * 8 / 127)
  // Zero carries the sign bit ("-0"), 10 -> 0111, -2 -> 1011.
  EXPECT_EQ(r.codes[3], 0xA);
  EXPECT_EQ(r.codes[2], 0x7);
  EXPECT_EQ(r.codes[1], 0xB);
}

TEST(Packing, ReleasedQkerasEncoder) {
  const quant::Method& qk = quant::MethodByName("qkeras");
  const std::vector<int8_t> w = {0, 1, 3, -6, 12, 127, -5, 96};
  const std::vector<int32_t> bias = {0};
  const ReleasedEncoding r = ReleasedEncode(qk, Layer(w, 1, 8, bias));
  // Nearest power of two, ties up; 0 -> code 0 (+1); 127 -> 2^7.
  EXPECT_EQ(r.codes, (std::vector<uint8_t>{0, 0, 2, 8 | 3, 4, 7, 8 | 2, 7}));
  // B uses the raw int8 weights.
  EXPECT_EQ(r.believed_values[5], 127);
}

// The released host's encoder is chosen per method, never by falling through
// to APoT: the table is the reference document's (§1.6, §10), and a method
// without a shift-PE encoder is refused by name.
TEST(Packing, ReleasedEncoderIsChosenPerMethod) {
  EXPECT_EQ(ReleasedEncoderFor(quant::MethodId::kQKeras), ReleasedEncoder::kQKerasPow2);
  EXPECT_EQ(ReleasedEncoderFor(quant::MethodId::kApot), ReleasedEncoder::kApotTables);
  EXPECT_EQ(ReleasedEncoderFor(quant::MethodId::kMsq), ReleasedEncoder::kApotTables);  // released MSQ = APoT copy
  EXPECT_EQ(ReleasedEncoderFor(quant::MethodId::kUniform4), ReleasedEncoder::kPlainIntegers);
  EXPECT_EQ(ReleasedEncoderFor(quant::MethodId::kInt8), ReleasedEncoder::kPlainIntegers);
  EXPECT_THROW(ReleasedEncoderFor(static_cast<quant::MethodId>(200)), Error);
  const std::vector<int8_t> w = {1, 2, 3, 4};
  const std::vector<int32_t> bias = {0};
  for (const char* name : {"uniform4", "int8"}) {
    try {
      ReleasedEncode(quant::MethodByName(name), Layer(w, 1, 4, bias));
      ADD_FAILURE() << name << " was encoded by a shift-PE encoder";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace potacc::accel
