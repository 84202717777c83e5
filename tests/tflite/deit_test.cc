// `potacc gen deit-tiny|deit-small`: the converter-like operator pattern, the
// post-training quantization, operator versions, MAC classes, the writer
// round trip and int8-vs-float agreement (small configurations; the full
// DeiT-tiny runs in tests/e2e).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <span>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/op_version.h"
#include "potacc/tflite/ptq.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/float_run.h"

namespace potacc {
namespace {

std::map<std::string, int> OpCounts(const Model& m) {
  std::map<std::string, int> c;
  for (const Operator& op : m.main().operators) c[BuiltinOpName(op.builtin)]++;
  return c;
}

int VersionOf(const Model& m, BuiltinOp op) {
  for (const OperatorCode& c : m.operator_codes)
    if (c.builtin == static_cast<int32_t>(op)) return c.version;
  return -1;
}

std::vector<float> RunFloat(const Model& m, const std::vector<float>& input) {
  return testing::RunFloatModel(m, input);
}

std::vector<float> Image(int resolution, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(resolution) * resolution * 3);
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = -2.0f + 4.5f * static_cast<float>(seed >> 8) / static_cast<float>(1 << 24);
  }
  return v;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

TEST(Deit, OperatorPatternOfOneBlock) {
  const Model m = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"gelu", "exact"}});
  auto c = OpCounts(m);
  // Per block: q/k/v/out + fc1/fc2, plus the head; 3 layer norms (2 + final).
  EXPECT_EQ(c["FULLY_CONNECTED"], 7);
  EXPECT_EQ(c["BATCH_MATMUL"], 2);
  EXPECT_EQ(c["TRANSPOSE"], 4);
  EXPECT_EQ(c["SOFTMAX"], 1);
  EXPECT_EQ(c["GELU"], 1);
  EXPECT_EQ(c["MEAN"], 6);
  EXPECT_EQ(c["SQUARED_DIFFERENCE"], 3);
  EXPECT_EQ(c["RSQRT"], 3);
  EXPECT_EQ(c["SUB"], 3);
  EXPECT_EQ(c["GATHER"], 1);
  EXPECT_EQ(c["CONCATENATION"], 1);
  EXPECT_EQ(c["CONV_2D"], 1);
  EXPECT_EQ(c["QUANTIZE"], 1);
  EXPECT_EQ(c["DEQUANTIZE"], 1);
  // Versions as the converter writes them (op_version.cc rules).
  EXPECT_EQ(VersionOf(m, BuiltinOp::kConv2D), 3);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kFullyConnected), 5);  // keep_num_dims
  EXPECT_EQ(VersionOf(m, BuiltinOp::kBatchMatMul), 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kGelu), 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kTranspose), 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kGather), 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kSquaredDifference), 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kReshape), 1);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kQuantize), 1);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kDequantize), 2);
  // The newest release any of these needs: GELU (both versions) came with
  // TFLite 2.9.0 (runtime_version.cc), every other one earlier.
  const auto min_runtime = m.metadata.find(kMinRuntimeVersionMetadata);
  ASSERT_NE(min_runtime, m.metadata.end());
  EXPECT_STREQ(reinterpret_cast<const char*>(min_runtime->second.data()), "2.9.0");
  // The attention scores: BATCH_MATMUL with adj_y, both operands int8 activations.
  for (const Operator& op : m.main().operators) {
    if (op.op() != BuiltinOp::kBatchMatMul) continue;
    for (int i : op.inputs) EXPECT_EQ(m.main().tensors[i].type, DataType::kInt8);
  }
  // Weights per channel, activations per tensor, softmax output fixed.
  for (const Operator& op : m.main().operators) {
    if (op.op() == BuiltinOp::kFullyConnected) {
      EXPECT_TRUE(m.main().tensors[op.inputs[1]].quant.per_channel());
    }
    if (op.op() == BuiltinOp::kSoftmax) {
      const Tensor& out = m.main().tensors[op.outputs[0]];
      EXPECT_EQ(out.quant.scale[0], 1.0f / 256);
      EXPECT_EQ(out.quant.zero_point[0], -128);
    }
  }
}

// TFLite Micro (tflite-micro@90b983c, 2026-08) registers no GELU kernel, so
// the default writes GELU's tanh form in operators it has (MUL, ADD, TANH).
TEST(Deit, DefaultGeluIsTheTanhFormInOperatorsTfliteMicroRuns) {
  const Model m = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}});
  auto c = OpCounts(m);
  EXPECT_EQ(c.count("GELU"), 0u);
  EXPECT_EQ(c["TANH"], 1);
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): x^2, x^3, 0.044715 x^3, sqrt(2/pi) u, x z, 0.5 (x z)
  // are 6 more MULs, x + t and 1 + tanh 2 more ADDs than the GELU-op form.
  const auto exact = OpCounts(Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"gelu", "exact"}}));
  EXPECT_EQ(c["MUL"], exact.at("MUL") + 6);
  EXPECT_EQ(c["ADD"], exact.at("ADD") + 2);
  EXPECT_EQ(VersionOf(m, BuiltinOp::kTanh), 2);
  // The operators of the default file are all ones TFLite Micro's reference op resolver has.
  const std::set<std::string> tflm = {"QUANTIZE", "DEQUANTIZE", "CONV_2D", "RESHAPE", "CONCATENATION", "ADD",
                                      "MEAN", "SQUARED_DIFFERENCE", "RSQRT", "MUL", "SUB", "FULLY_CONNECTED",
                                      "TRANSPOSE", "BATCH_MATMUL", "SOFTMAX", "TANH", "GATHER"};
  for (const auto& [name, count] : c) EXPECT_TRUE(tflm.count(name)) << name << " is not a TFLite Micro kernel";
}

TEST(Deit, TanhOpsVariantHasNoGeluAndTanhOutputsQ07) {
  const Model m = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"gelu", "tanh-ops"}});
  auto c = OpCounts(m);
  EXPECT_EQ(c.count("GELU"), 0u);
  EXPECT_EQ(c["TANH"], 1);
  for (const Operator& op : m.main().operators) {
    if (op.op() != BuiltinOp::kTanh) continue;
    const Tensor& out = m.main().tensors[op.outputs[0]];
    EXPECT_EQ(out.quant.scale[0], 1.0f / 128);
    EXPECT_EQ(out.quant.zero_point[0], 0);
  }
  const Model a = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"gelu", "tanh"}});
  for (const Operator& op : a.main().operators)
    if (op.op() == BuiltinOp::kGelu) {
      EXPECT_TRUE(op.options.approximate);
    }
  EXPECT_THROW(Generate("deit-tiny", 1, {{"gelu", "erf"}}), Error);
  EXPECT_THROW(Generate("deit-tiny", 1, {{"resolution", "40"}}), Error);
}

TEST(Deit, MacsSplitIntoFullyConnectedMatmulAndConv) {
  const Model m = Generate("deit-tiny", 1, {{"depth", "2"}, {"resolution", "64"}, {"classes", "10"}});
  const ModelInfo info = DescribeModel(m);
  const int64_t tokens = 17, d = 192;
  // conv: 16 patches x 192 x (16*16*3); FC per block: 4 d^2 + 8 d^2 per token; head d x 10.
  EXPECT_EQ(info.macs_by_class.at("conv"), 16 * d * 768);
  EXPECT_EQ(info.macs_by_class.at("fc"), 2 * tokens * 12 * d * d + d * 10);
  // matmul per block: scores 3 x T x T x 64 and context 3 x T x 64 x T.
  EXPECT_EQ(info.macs_by_class.at("matmul"), 2 * 2 * 3 * tokens * tokens * 64);
  EXPECT_EQ(info.macs_by_class.at("depthwise"), 0);
  EXPECT_EQ(info.total_macs, info.macs_by_class.at("conv") + info.macs_by_class.at("fc") +
                                 info.macs_by_class.at("matmul"));
  EXPECT_GT(info.other_ops, 0);
}

TEST(Deit, WriterRoundTripIsExactAndInt8AgreesWithFloat) {
  const std::map<std::string, std::string> p = {{"depth", "2"}, {"resolution", "64"}, {"classes", "50"}};
  const Model m = Generate("deit-tiny", 3, p);
  const std::vector<uint8_t> bytes = WriteModel(m);
  const Model back = ReadModel(bytes, "deit");
  EXPECT_TRUE(back == m);
  EXPECT_EQ(WriteModel(back), bytes);
  auto fp = p;
  fp["float"] = "true";
  const Model f = Generate("deit-tiny", 3, fp);
  for (uint32_t seed : {1u, 2u}) {
    const auto image = Image(64, seed);
    const auto q = RunFloat(m, image), r = RunFloat(f, image);
    ASSERT_EQ(q.size(), 50u);
    EXPECT_GT(Cosine(q, r), 0.98) << seed;  // int8 logits follow the float model
  }
}

TEST(Ptq, Int8ParametersOfARange) {
  // [-1, 3]: scale 4/255, zero point round(-128 + 1 / (4/255)) = round(-64.25) = -64.
  QuantParams q = Int8QuantForRange(-1.0f, 3.0f);
  EXPECT_FLOAT_EQ(q.scale[0], 4.0f / 255);
  EXPECT_EQ(q.zero_point[0], -64);
  // Ranges always include 0.
  q = Int8QuantForRange(0.5f, 2.0f);
  EXPECT_FLOAT_EQ(q.scale[0], 2.0f / 255);
  EXPECT_EQ(q.zero_point[0], -128);
  q = Int8QuantForRange(-2.0f, -1.0f);
  EXPECT_FLOAT_EQ(q.scale[0], 2.0f / 255);
  EXPECT_EQ(q.zero_point[0], 127);
  q = Int8QuantForRange(0.0f, 0.0f);
  EXPECT_GT(q.scale[0], 0.0f);
}

TEST(Ptq, RefusesOperatorsItCannotQuantize) {
  Model f = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"float", "true"}});
  f.main().operators[1].builtin = static_cast<int32_t>(BuiltinOp::kHardSwish);
  try {
    QuantizeFullInteger(f, {std::vector<float>(32 * 32 * 3, 0.0f)});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HARD_SWISH"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace potacc
