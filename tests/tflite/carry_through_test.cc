// Fields potacc reads but does not interpret are written back unchanged, at
// TFLite's own vtable slots (hostile inputs #8, #21, #22), and options potacc
// does not model make the writer refuse rather than drop them.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include "potacc/error.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

// vtable slots of TFLite's schema (tensorflow/lite/schema/schema_generated.h,
// VT_* = 4 + 2 * field id): written independently of potacc's schema subset.
constexpr flatbuffers::voffset_t kModelSignatureDefs = 18;   // Model field 7
constexpr flatbuffers::voffset_t kModelSubgraphs = 8;        // Model field 2
constexpr flatbuffers::voffset_t kSubGraphTensors = 4;       // SubGraph field 0
constexpr flatbuffers::voffset_t kSubGraphOperators = 10;    // SubGraph field 3
constexpr flatbuffers::voffset_t kTensorHasRank = 20;        // Tensor field 8
constexpr flatbuffers::voffset_t kOperatorCustomOptions = 14;  // Operator field 5
constexpr flatbuffers::voffset_t kSignatureKey = 8;          // SignatureDef field 2
constexpr flatbuffers::voffset_t kSignatureSubgraph = 12;    // SignatureDef field 4

using Table = flatbuffers::Table;
using TableVector = flatbuffers::Vector<flatbuffers::Offset<Table>>;

Model Sample() {
  ConvModelSpec s;
  s.h = 4, s.w = 4, s.cin = 2, s.cout = 3;
  Model m = MakeConvModel(s, 5);
  Subgraph& g = m.main();
  // A rank-0 tensor that is a scalar (has_rank), a custom operator with options.
  Tensor scalar;
  scalar.name = "scalar";
  scalar.type = DataType::kInt8;
  scalar.has_rank = true;
  g.tensors.push_back(scalar);
  m.operator_codes.push_back({32, "MyOp", 1});  // CUSTOM
  Operator custom;
  custom.opcode_index = static_cast<uint32_t>(m.operator_codes.size() - 1);
  custom.builtin = 32;
  custom.inputs = {g.outputs[0]};
  custom.outputs = {static_cast<int32_t>(g.tensors.size() - 1)};
  custom.custom_options = {0xde, 0xad, 0xbe, 0xef};
  g.operators.push_back(custom);
  m.signature_defs.push_back({{{"x", static_cast<uint32_t>(g.inputs[0])}},
                              {{"y", static_cast<uint32_t>(g.outputs[0])}},
                              "serving_default",
                              "",
                              0});
  return m;
}

TEST(CarryThrough, WrittenAtTfliteSlotsAndReadBack) {
  const Model m = Sample();
  const std::vector<uint8_t> bytes = WriteModel(m);
  const Table* model = flatbuffers::GetRoot<Table>(bytes.data());
  const auto* signatures = model->GetPointer<const TableVector*>(kModelSignatureDefs);
  ASSERT_NE(signatures, nullptr);
  ASSERT_EQ(signatures->size(), 1u);
  EXPECT_EQ(signatures->Get(0)->GetPointer<const flatbuffers::String*>(kSignatureKey)->str(), "serving_default");
  // subgraph_index 0 is the schema default, which flatbuffers leaves out: read
  // it as a TFLite reader does (absent = the schema's default 0).
  EXPECT_EQ(signatures->Get(0)->GetField<uint32_t>(kSignatureSubgraph, 0), 0u);
  const Table* sg = model->GetPointer<const TableVector*>(kModelSubgraphs)->Get(0);
  const auto* tensors = sg->GetPointer<const TableVector*>(kSubGraphTensors);
  EXPECT_EQ(tensors->Get(tensors->size() - 1)->GetField<uint8_t>(kTensorHasRank, 0), 1);
  const auto* ops = sg->GetPointer<const TableVector*>(kSubGraphOperators);
  const auto* custom = ops->Get(ops->size() - 1)->GetPointer<const flatbuffers::Vector<uint8_t>*>(kOperatorCustomOptions);
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(custom->begin(), custom->end()), (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  // And potacc's reader gives the same model back.
  EXPECT_EQ(ReadModel(bytes, "sample"), m);
}

TEST(CarryThrough, SignatureIndicesAreValidated) {
  Model m = Sample();
  m.signature_defs[0].outputs[0].tensor_index = 999;
  try {
    ReadModel(WriteModel(m), "bad.tflite");
    FAIL();
  } catch (const InvalidModelError& e) {
    EXPECT_NE(std::string(e.what()).find("signature 'serving_default' maps 'y' to tensor 999"), std::string::npos)
        << e.what();
  }
}

TEST(CarryThrough, UnmodelledOptionsAreRefusedNotDropped) {
  POTACC_REQUIRE_DATA("hostile/fc_leakyrelu_custom.tflite");
  const Model m = LoadModel(testing::DataPath("hostile/fc_leakyrelu_custom.tflite").string());
  ASSERT_EQ(m.main().operators.size(), 3u);
  EXPECT_EQ(m.main().operators[1].options.unmodeled, "LeakyReluOptions");
  EXPECT_FALSE(m.main().operators[2].custom_options.empty());  // the CUSTOM op's options are kept
  try {
    WriteModel(m);
    FAIL() << "the LEAKY_RELU options were dropped";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("operator 1 (LEAKY_RELU)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("LeakyReluOptions"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace potacc
