// DescribeModel / AnalyzeWeights: MACs against hand-computed counts, the
// weight-grid analysis on hand-made tensors, and on the real PoTAcc models
// whose README states their quantization method.
#include "potacc/tflite/model_info.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "potacc/quant/method.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(ModelInfo, MacsAreHandComputed) {
  // 16x16x8 -> 3x3 SAME conv, 16 channels: 16*16*16 outputs x 3*3*8 MACs each.
  ConvModelSpec s;
  const ModelInfo conv = DescribeModel(MakeConvModel(s));
  EXPECT_EQ(conv.total_macs, 16 * 16 * 16 * 3 * 3 * 8);
  // Depthwise 16x16x8, 3x3 stride 2 SAME, multiplier 1: 8x8x8 outputs x 9.
  s.cout = 8;
  s.stride = 2;
  s.depthwise = true;
  EXPECT_EQ(DescribeModel(MakeConvModel(s)).total_macs, 8 * 8 * 8 * 9);
  // FC batch 3, 100 -> 10.
  EXPECT_EQ(DescribeModel(MakeFullyConnectedModel(3, 100, 10)).total_macs, 3 * 100 * 10);
  // GEMM probe (M x K) * (K x N).
  EXPECT_EQ(DescribeModel(MakeGemmModel(12, 7, 33)).total_macs, 12 * 7 * 33);
}

TEST(ModelInfo, SmallCnnSummary) {
  const ModelInfo info = DescribeModel(MakeSmallCnn());
  EXPECT_EQ(info.nodes.size(), 10u);
  EXPECT_EQ(info.op_counts.at("CONV_2D"), 3);
  // conv 3x3x3->16 @32x32, dw 3x3 s2 @16x16x16, conv 1x1 16->32 @16x16, conv 3x3 32->32 @16x16, FC 32->10.
  const int64_t expected = 32 * 32 * 16 * 27 + 16 * 16 * 16 * 9 + 16 * 16 * 32 * 16 + 16 * 16 * 32 * 288 + 320;
  EXPECT_EQ(info.total_macs, expected);
  // Parameters: weights + biases + MEAN axes (2).
  const int64_t params = (16 * 27 + 16) + (9 * 16 + 16) + (32 * 16 + 32) + (32 * 288 + 32) + (320 + 10) + 2;
  EXPECT_EQ(info.num_parameters, params);
  const std::string text = FormatModelInfo(info, "cnn.tflite");
  EXPECT_NE(text.find("DEPTHWISE_CONV_2D"), std::string::npos);
  EXPECT_NE(text.find("3x3 s2 SAME relu6"), std::string::npos);
  const auto j = ModelInfoToJson(info);
  EXPECT_EQ(j["total_macs"].get<int64_t>(), expected);
  EXPECT_EQ(j["nodes"].size(), 10u);
}

TEST(AnalyzeWeights, PowerOfTwoAndExactMethodFits) {
  // Two channels of 4 values each (channel dim 0).
  const std::vector<int8_t> pot = {1, -2, 4, -64, 8, 8, -16, 32};
  const WeightInfo w = AnalyzeWeights(pot, {2, 4}, 0);
  EXPECT_TRUE(w.power_of_two);
  EXPECT_EQ(w.channels, 2);
  EXPECT_EQ(w.distinct_values, 7);
  EXPECT_EQ(w.max_distinct_per_channel, 4);
  EXPECT_TRUE(Has(w.fitting_methods, "qkeras"));  // +-2^k, no zero
  EXPECT_TRUE(Has(w.fitting_methods, "int8"));
  EXPECT_FALSE(Has(w.fitting_methods, "apot"));  // 64/16 = 4 levels apart: not on {0..10}

  // APoT grid {0,1,2,3,4,6,8,10} times 5 in one channel, times 3 in the other.
  const std::vector<int8_t> apot = {0, 5, -15, 50, 30, 3, -9, 24, 30, 18};
  const WeightInfo a = AnalyzeWeights(apot, {2, 5}, 0);
  EXPECT_FALSE(a.power_of_two);
  EXPECT_TRUE(Has(a.fitting_methods, "apot"));
  EXPECT_FALSE(Has(a.fitting_methods, "qkeras"));  // 0 and 3 are not powers of two
  EXPECT_FALSE(Has(a.fitting_methods, "msq"));     // 3 is not in {0,1,2,4,5,6,8}
  EXPECT_TRUE(Has(a.fitting_methods, "int8"));
}

TEST(AnalyzeWeights, RoundedGridOfInt8ConvertedModels) {
  // APoT levels scaled by 127/10 and rounded, as a TFLite converter stores them.
  std::vector<int8_t> values;
  for (int l : quant::MethodByName("apot").levels()) values.push_back(static_cast<int8_t>(std::lround(l * 12.7)));
  const WeightInfo w = AnalyzeWeights(values, {1, static_cast<int32_t>(values.size())}, 0);
  EXPECT_FALSE(Has(w.fitting_methods, "apot"));  // 13 = round(12.7) is not an exact multiple
  EXPECT_TRUE(Has(w.rounded_fitting_methods, "apot"));
  EXPECT_FALSE(Has(w.rounded_fitting_methods, "qkeras"));
  EXPECT_FALSE(Has(w.rounded_fitting_methods, "uniform4"));
  // Random int8 values do not fit any 4-bit grid.
  std::vector<int8_t> dense;
  for (int v = -127; v <= 127; v += 3) dense.push_back(static_cast<int8_t>(v));
  const WeightInfo d = AnalyzeWeights(dense, {1, static_cast<int32_t>(dense.size())}, 0);
  for (const char* m : {"qkeras", "apot", "msq", "uniform4"}) {
    EXPECT_FALSE(Has(d.rounded_fitting_methods, m)) << m;
    EXPECT_FALSE(Has(d.fitting_methods, m)) << m;
  }
}

TEST(AnalyzeWeights, ChannelDimensionOfDepthwise) {
  // Shape [1, 2, 1, 3], channel dim 3: channel c holds elements c and c+3.
  const std::vector<int8_t> v = {1, 2, 3, 1, 2, 3};
  const WeightInfo w = AnalyzeWeights(v, {1, 2, 1, 3}, 3);
  EXPECT_EQ(w.channels, 3);
  EXPECT_EQ(w.max_distinct_per_channel, 1);
  EXPECT_EQ(w.distinct_values, 3);
}

TEST(ModelInfo, BuilderWithMethodLevelsIsDetected) {
  std::vector<int> levels;
  for (int l : quant::MethodByName("msq").levels()) levels.push_back(l * 15);
  ModelBuilder b;
  const int x = b.Input({1, 6, 6, 8});
  b.Output(b.Conv2D(x, {.out_channels = 8, .kernel = 3, .weights = {.levels = levels}}));
  const ModelInfo info = DescribeModel(b.Build());
  ASSERT_TRUE(info.nodes[0].has_weights);
  EXPECT_TRUE(Has(info.nodes[0].weights.fitting_methods, "msq"));
  EXPECT_LE(info.nodes[0].weights.max_distinct_per_channel, 13);
}

TEST(ModelInfo, RealApotModelIsRecognised) {
  // README: potaccAPoT_res20_4bit is an APoT 4-bit ResNet-20 stored as int8.
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoT_res20_4bit.tflite");
  const ModelInfo info =
      DescribeModel(LoadModel(testing::DataPath("models/potacc/potaccAPoT_res20_4bit.tflite").string()));
  int weighted = 0, apot = 0, qkeras = 0;
  for (const NodeInfo& n : info.nodes) {
    if (!n.has_weights) continue;
    ++weighted;
    apot += Has(n.weights.rounded_fitting_methods, "apot");
    qkeras += Has(n.weights.rounded_fitting_methods, "qkeras");
  }
  EXPECT_EQ(weighted, 22);  // 21 CONV_2D + 1 FULLY_CONNECTED
  EXPECT_GE(apot, weighted - 2);  // first conv / classifier may stay 8-bit
  EXPECT_EQ(qkeras, 0);
}

TEST(ModelInfo, RealQKerasModelIsRecognised) {
  POTACC_REQUIRE_DATA("models/potacc/potaccQK_mbv2_4bit.tflite");
  const ModelInfo info = DescribeModel(LoadModel(testing::DataPath("models/potacc/potaccQK_mbv2_4bit.tflite").string()));
  int qkeras = 0, apot = 0;
  for (const NodeInfo& n : info.nodes) {
    if (!n.has_weights) continue;
    qkeras += Has(n.weights.rounded_fitting_methods, "qkeras");
    apot += Has(n.weights.rounded_fitting_methods, "apot");
  }
  EXPECT_GE(qkeras, 30);
  EXPECT_EQ(apot, 0);
}

}  // namespace
}  // namespace potacc
