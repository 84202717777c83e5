// Reader/writer on the real models in ../shared/data: they load, their
// contents match facts documented in shared/data/README.md, and a write/read
// round trip is the identity.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "potacc/error.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

const char* const kRealModels[] = {
    "models/potacc/potaccAPoT_res20_4bit.tflite",
    "models/potacc/potaccQK_mbv2_4bit.tflite",
    "models/potacc/potaccAPoTmobilenet_v2_4bit.tflite",
    "models/potacc/potacc_benchmark_mobilenetv2.tflite",
    "models/mlperf_tiny/pretrainedResnet_quant.tflite",
    "models/mlperf_tiny/pretrainedResnet_large_int8.tflite",
};

class RealModel : public ::testing::TestWithParam<const char*> {};

TEST_P(RealModel, LoadsAndRoundTripsExactly) {
  POTACC_REQUIRE_DATA(GetParam());
  const Model m = LoadModel(testing::DataPath(GetParam()).string());
  ASSERT_FALSE(m.subgraphs.empty());
  EXPECT_FALSE(m.main().operators.empty());
  EXPECT_FALSE(m.main().inputs.empty());
  EXPECT_FALSE(m.main().outputs.empty());
  const std::vector<uint8_t> bytes = WriteModel(m);
  const Model again = ReadModel(bytes, "roundtrip");
  EXPECT_TRUE(again == m);
  // A second generation is byte-identical (the writer is deterministic).
  EXPECT_EQ(WriteModel(again), bytes);
}

INSTANTIATE_TEST_SUITE_P(SharedData, RealModel, ::testing::ValuesIn(kRealModels),
                         [](const auto& info) {
                           std::string n = std::filesystem::path(info.param).stem().string();
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return n;
                         });

std::set<std::string> OpNames(const Model& m) {
  std::set<std::string> names;
  for (const Operator& op : m.main().operators) names.insert(BuiltinOpName(op.builtin));
  return names;
}

TEST(RealModelFacts, Res20MatchesReadme) {
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoT_res20_4bit.tflite");
  const Model m = LoadModel(testing::DataPath("models/potacc/potaccAPoT_res20_4bit.tflite").string());
  const Subgraph& sg = m.main();
  ASSERT_EQ(sg.inputs.size(), 1u);
  const Tensor& in = sg.tensors[static_cast<size_t>(sg.inputs[0])];
  EXPECT_EQ(in.type, DataType::kFloat32);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 32, 32, 3}));
  const Tensor& out = sg.tensors[static_cast<size_t>(sg.outputs[0])];
  EXPECT_EQ(out.type, DataType::kFloat32);
  EXPECT_EQ(out.shape, (std::vector<int32_t>{1, 10}));
  // README: QUANTIZE(s=0.016155, zp=-5) first.
  const Operator& first = sg.operators.front();
  ASSERT_EQ(first.op(), BuiltinOp::kQuantize);
  const Tensor& q = sg.tensors[static_cast<size_t>(first.outputs[0])];
  ASSERT_EQ(q.quant.scale.size(), 1u);
  EXPECT_NEAR(q.quant.scale[0], 0.016155, 1e-6);
  EXPECT_EQ(q.quant.zero_point[0], -5);
  const std::set<std::string> expected = {"QUANTIZE", "PAD", "CONV_2D", "ADD", "AVERAGE_POOL_2D",
                                          "FULLY_CONNECTED", "DEQUANTIZE"};
  for (const auto& name : OpNames(m)) EXPECT_TRUE(expected.count(name)) << name;
  EXPECT_TRUE(OpNames(m).count("CONV_2D"));
}

TEST(RealModelFacts, BenchmarkMobilenetUsesDeprecatedCodesOnly) {
  POTACC_REQUIRE_DATA("models/potacc/potacc_benchmark_mobilenetv2.tflite");
  const Model m = LoadModel(testing::DataPath("models/potacc/potacc_benchmark_mobilenetv2.tflite").string());
  // README: only deprecated_builtin_code is set; resolving must still give real ops.
  const auto names = OpNames(m);
  EXPECT_TRUE(names.count("CONV_2D"));
  EXPECT_TRUE(names.count("DEPTHWISE_CONV_2D"));
  EXPECT_TRUE(names.count("SOFTMAX"));
  EXPECT_TRUE(names.count("QUANTIZE"));  // code 114 fits in the byte field
  const Tensor& in = m.main().tensors[static_cast<size_t>(m.main().inputs[0])];
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 224, 224, 3}));
  const Tensor& out = m.main().tensors[static_cast<size_t>(m.main().outputs[0])];
  EXPECT_EQ(out.shape, (std::vector<int32_t>{1, 1000}));
  // It carries a min_runtime_version metadata entry.
  EXPECT_TRUE(m.metadata.count("min_runtime_version"));
}

TEST(RealModelFacts, MlperfResnetIsFullyInt8) {
  POTACC_REQUIRE_DATA("models/mlperf_tiny/pretrainedResnet_quant.tflite");
  const Model m = LoadModel(testing::DataPath("models/mlperf_tiny/pretrainedResnet_quant.tflite").string());
  const Tensor& in = m.main().tensors[static_cast<size_t>(m.main().inputs[0])];
  EXPECT_EQ(in.type, DataType::kInt8);
  EXPECT_EQ(in.quant.scale, std::vector<float>{1.0f});
  EXPECT_EQ(in.quant.zero_point, std::vector<int64_t>{-128});
  const Tensor& out = m.main().tensors[static_cast<size_t>(m.main().outputs[0])];
  EXPECT_EQ(out.type, DataType::kInt8);
  EXPECT_FLOAT_EQ(out.quant.scale[0], 1.0f / 256.0f);
  EXPECT_EQ(out.quant.zero_point[0], -128);
  // Conv weights are int8, quantized per output channel (dimension 0).
  bool saw_conv = false;
  for (const Operator& op : m.main().operators) {
    if (op.op() != BuiltinOp::kConv2D) continue;
    saw_conv = true;
    const Tensor& w = m.main().tensors[static_cast<size_t>(op.inputs[1])];
    EXPECT_EQ(w.type, DataType::kInt8);
    ASSERT_EQ(w.shape.size(), 4u);
    EXPECT_EQ(w.quant.scale.size(), static_cast<size_t>(w.shape[0]));
    EXPECT_NE(ConstantData(m, w), nullptr);
    EXPECT_GE(op.options.stride_w, 1);
  }
  EXPECT_TRUE(saw_conv);
}

}  // namespace
}  // namespace potacc
