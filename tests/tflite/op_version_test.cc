// Operator versions and min_runtime_version as TFLite's converter writes them
// (hostile input #23: generated models had every operator at version 1).
#include "potacc/tflite/op_version.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

std::map<std::string, int> Versions(const Model& m) {
  std::map<std::string, int> v;
  for (const OperatorCode& c : m.operator_codes) v[BuiltinOpName(c.builtin)] = c.version;
  return v;
}

std::string MinRuntime(const Model& m) {
  const auto it = m.metadata.find(kMinRuntimeVersionMetadata);
  if (it == m.metadata.end()) return "(none)";
  EXPECT_EQ(it->second.size(), 16u);  // the converter's fixed-size, zero-padded buffer
  return std::string(reinterpret_cast<const char*>(it->second.data()));
}

// The strongest check available: the converter itself wrote the shared real
// models. Recomputing every operator's version from its features must give
// exactly the version the converter stored, and the runtime release the
// four models converted with the current rules record.
TEST(OpVersions, ReproduceWhatTheConverterWroteInRealModels) {
  const char* const models[] = {"models/potacc/potaccAPoT_res20_4bit.tflite",
                                "models/potacc/potaccAPoTmobilenet_v2_4bit.tflite",
                                "models/potacc/potaccQK_mbv2_4bit.tflite",
                                "models/potacc/potacc_benchmark_mobilenetv2.tflite",
                                "models/mlperf_tiny/pretrainedResnet_quant.tflite",
                                "models/mlperf_tiny/pretrainedResnet_large_int8.tflite"};
  for (const char* rel : models) POTACC_REQUIRE_DATA(rel);
  for (const char* rel : models) {
    const Model source = LoadModel(testing::DataPath(rel).string());
    for (const Operator& op : source.main().operators)
      EXPECT_EQ(ConverterOpVersion(source.main(), op), source.operator_codes[op.opcode_index].version)
          << rel << " " << BuiltinOpName(op.builtin);
    Model recomputed = source;
    // Codes that some operator uses start again at 1 (pretrainedResnet_quant
    // also lists a DEQUANTIZE code no operator uses: it keeps its version).
    for (const Operator& op : source.main().operators) recomputed.operator_codes[op.opcode_index].version = 1;
    recomputed.metadata.erase(kMinRuntimeVersionMetadata);
    SetConverterOpVersions(recomputed);
    EXPECT_EQ(Versions(recomputed), Versions(source)) << rel;
    // Two files come from older converters that wrote an older release
    // ("1.5.0", "1.6.0") than their own operator versions need.
    const std::string stored = MinRuntime(source);
    if (stored == "1.14.0") {
      EXPECT_EQ(MinRuntime(recomputed), stored) << rel;
    }
  }
}

TEST(OpVersions, GeneratedModelsCarryConverterVersions) {
  // int8 CNN: CONV_2D v3, DEPTHWISE_CONV_2D v3, FULLY_CONNECTED v4 (int8 with
  // bias), ADD/MEAN/SOFTMAX/pooling v2 (int8) -- the rules of op_version.cc.
  const Model cnn = Generate("cnn", 1);
  const auto v = Versions(cnn);
  EXPECT_EQ(v.at("CONV_2D"), 3);
  EXPECT_EQ(v.at("DEPTHWISE_CONV_2D"), 3);
  EXPECT_EQ(v.at("FULLY_CONNECTED"), 4);
  EXPECT_EQ(v.at("ADD"), 2);
  EXPECT_EQ(v.at("MEAN"), 2);
  EXPECT_EQ(v.at("SOFTMAX"), 2);
  EXPECT_EQ(MinRuntime(cnn), "1.14.0");
  for (const OperatorCode& c : cnn.operator_codes) EXPECT_FALSE(MinRuntimeVersion(c.builtin, c.version).empty());
}

TEST(OpVersions, FeatureRules) {
  // A FULLY_CONNECTED without a bias input needs version 6 (TFLite 2.1.0).
  ModelBuilder b(3);
  int x = b.Input({1, 8});
  b.Output(b.FullyConnected(x, {.out_features = 4, .bias = false}));
  const Model no_bias = b.Build();
  EXPECT_EQ(Versions(no_bias).at("FULLY_CONNECTED"), 6);
  EXPECT_EQ(MinRuntime(no_bias), "2.1.0");
  // Dilation raises a float depthwise conv to 2; int8 is 3 regardless.
  ConvModelSpec s;
  s.depthwise = true;
  s.cout = s.cin;
  s.dilation = 2;
  EXPECT_EQ(Versions(MakeConvModel(s)).at("DEPTHWISE_CONV_2D"), 3);
  EXPECT_EQ(MinRuntimeVersion(static_cast<int32_t>(BuiltinOp::kConv2D), 3), "1.14.0");
  EXPECT_EQ(MinRuntimeVersion(static_cast<int32_t>(BuiltinOp::kConv2D), 99), "");
  // Versions are never lowered.
  Model m = no_bias;
  for (OperatorCode& c : m.operator_codes) c.version = 9;
  SetConverterOpVersions(m);
  for (const OperatorCode& c : m.operator_codes) EXPECT_EQ(c.version, 9);
}

}  // namespace
}  // namespace potacc
