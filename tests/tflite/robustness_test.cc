// Hostile and broken inputs: every failure must be a one-line potacc::Error
// (InvalidModelError for bad content) naming the file and the problem.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "potacc/error.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"
#include "tflite_schema_generated.h"

namespace potacc {
namespace {

// Runs ReadModel on the bytes and returns the InvalidModelError message ("" if it loaded).
std::string ReadError(const std::vector<uint8_t>& bytes) {
  try {
    ReadModel(bytes, "test.tflite");
  } catch (const InvalidModelError& e) {
    return e.what();
  }
  return "";
}

std::string ModelError(const Model& m) { return ReadError(WriteModel(m)); }

#define EXPECT_MODEL_ERROR(model, substring)                                         \
  do {                                                                              \
    const std::string msg = ModelError(model);                                      \
    EXPECT_NE(msg.find(substring), std::string::npos) << "message: '" << msg << "'"; \
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;                            \
    EXPECT_EQ(msg.rfind("test.tflite: ", 0), 0u) << msg;                             \
  } while (0)

Model SmallConv() {
  ConvModelSpec s;
  s.h = 6;
  s.w = 5;
  s.cin = 3;
  s.cout = 4;
  return MakeConvModel(s, 7);
}

// Index of the conv weight tensor in SmallConv().
int WeightTensor(const Model& m) { return m.main().operators[0].inputs[1]; }

TEST(ReaderRobustness, MissingFileIsPlainError) {
  try {
    LoadModel("/nonexistent/dir/model.tflite");
    FAIL() << "no exception";
  } catch (const InvalidModelError&) {
    FAIL() << "a missing file is not an invalid model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.tflite"), std::string::npos);
  }
}

TEST(ReaderRobustness, EmptyAndTinyFiles) {
  EXPECT_NE(ReadError({}).find("too small"), std::string::npos);
  EXPECT_NE(ReadError({1, 2, 3}).find("too small"), std::string::npos);
}

TEST(ReaderRobustness, BadFileIdentifier) {
  std::vector<uint8_t> bytes = WriteModel(SmallConv());
  bytes[4] = 'X';  // "TFL3" lives at bytes 4..7
  EXPECT_NE(ReadError(bytes).find("not a TFLite model"), std::string::npos);
  std::vector<uint8_t> text(64, 'a');
  EXPECT_NE(ReadError(text).find("not a TFLite model"), std::string::npos);
}

TEST(ReaderRobustness, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> bytes = WriteModel(SmallConv());
  ASSERT_TRUE(ReadError(bytes).empty());
  for (size_t len = 0; len < bytes.size(); len += (len < 256 ? 1 : 7)) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(ReadError(cut).empty()) << "truncated to " << len << " of " << bytes.size() << " bytes loaded";
  }
}

TEST(ReaderRobustness, TruncatedRealModel) {
  POTACC_REQUIRE_DATA("models/mlperf_tiny/pretrainedResnet_quant.tflite");
  const auto bytes = ReadFileBytes(testing::DataPath("models/mlperf_tiny/pretrainedResnet_quant.tflite").string());
  for (size_t len : {size_t{8}, size_t{100}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(ReadError(cut).empty()) << len;
  }
}

TEST(ReaderRobustness, UnalignedInputIsCopiedNotRejected) {
  const std::vector<uint8_t> bytes = WriteModel(SmallConv());
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  const Model m = ReadModel(std::span<const uint8_t>(shifted).subspan(1), "shifted");
  EXPECT_TRUE(m == SmallConv());
}

TEST(ReaderSemantics, TensorBufferIndexOutOfRange) {
  Model m = SmallConv();
  m.main().tensors[static_cast<size_t>(WeightTensor(m))].buffer = 999;
  EXPECT_MODEL_ERROR(m, "refers to buffer 999");
}

TEST(ReaderSemantics, OperatorTensorIndexOutOfRange) {
  Model m = SmallConv();
  m.main().operators[0].inputs[0] = 77;
  EXPECT_MODEL_ERROR(m, "operator 0 (CONV_2D) input 0 refers to tensor 77");
  m = SmallConv();
  m.main().operators[0].outputs[0] = -1;
  EXPECT_MODEL_ERROR(m, "output 0 refers to tensor -1");
}

TEST(ReaderSemantics, OptionalInputMayBeAbsentOnlyWhereTfliteAllowsIt) {
  Model m = SmallConv();
  m.main().operators[0].inputs[2] = -1;  // conv bias is optional
  EXPECT_TRUE(ModelError(m).empty()) << ModelError(m);
  m.main().operators[0].inputs[1] = -1;  // weights are not
  EXPECT_MODEL_ERROR(m, "input 1 refers to tensor -1");
}

TEST(ReaderSemantics, SubgraphInputsOutputs) {
  Model m = SmallConv();
  m.main().inputs = {5000};
  EXPECT_MODEL_ERROR(m, "input 0 refers to tensor 5000");
  m = SmallConv();
  m.main().outputs.push_back(-3);
  EXPECT_MODEL_ERROR(m, "output 1 refers to tensor -3");
}

TEST(ReaderSemantics, OpcodeIndexOutOfRange) {
  Model m = SmallConv();
  m.main().operators[0].opcode_index = 9;
  EXPECT_MODEL_ERROR(m, "opcode index 9");
}

TEST(ReaderSemantics, WrongConstantBufferSize) {
  Model m = SmallConv();
  const Tensor& w = m.main().tensors[static_cast<size_t>(WeightTensor(m))];
  m.buffers[w.buffer].data.pop_back();
  // 4 x 3 x 3 x 3 int8 = 108 bytes.
  EXPECT_MODEL_ERROR(m, "holds 107 bytes, expected 108");
}

TEST(ReaderSemantics, NegativeAndHugeShapes) {
  Model m = SmallConv();
  m.main().tensors[0].shape = {1, -6, 5, 3};
  EXPECT_MODEL_ERROR(m, "negative dimension");
  m = SmallConv();
  m.main().tensors[0].shape = {1 << 30, 1 << 30, 1 << 30, 1 << 30};  // would overflow int64
  EXPECT_MODEL_ERROR(m, "larger than");
  m = SmallConv();
  m.main().tensors[0].shape = {1 << 30, 1 << 30, 0};  // zero elements, but naive products overflow
  EXPECT_MODEL_ERROR(m, "larger than");
  m = SmallConv();
  m.main().tensors[0].shape = std::vector<int32_t>(40, 1);
  EXPECT_MODEL_ERROR(m, "rank 40");
}

TEST(ReaderSemantics, ActivationMemoryIsBounded) {
  Model m = SmallConv();
  // 20 non-constant tensors of 200 MiB each: each passes the per-tensor limit, the sum does not.
  for (int i = 0; i < 20; ++i) {
    Tensor t;
    t.name = "big" + std::to_string(i);
    t.type = DataType::kInt8;
    t.shape = {200, 1024, 1024};
    m.main().tensors.push_back(t);
  }
  EXPECT_MODEL_ERROR(m, "non-constant tensors need more than");
}

TEST(ReaderSemantics, QuantizationCounts) {
  Model m = SmallConv();
  Tensor& w = m.main().tensors[static_cast<size_t>(WeightTensor(m))];
  w.quant.zero_point.pop_back();
  EXPECT_MODEL_ERROR(m, "has 4 quantization scales but 3 zero points");

  m = SmallConv();
  Tensor& w2 = m.main().tensors[static_cast<size_t>(WeightTensor(m))];
  w2.quant.quantized_dimension = 3;  // dim 3 has 3 entries, not 4
  EXPECT_MODEL_ERROR(m, "4 per-channel scales but dimension 3");

  m = SmallConv();
  m.main().tensors[static_cast<size_t>(WeightTensor(m))].quant.quantized_dimension = 9;
  EXPECT_MODEL_ERROR(m, "along dimension 9");

  m = SmallConv();
  m.main().tensors[0].quant.zero_point = {300};
  EXPECT_MODEL_ERROR(m, "zero point 300 outside the range of int8");

  m = SmallConv();
  m.main().tensors[0].quant.scale = {-1.0f};
  EXPECT_MODEL_ERROR(m, "invalid quantization scale");
}

TEST(ReaderSemantics, OperatorArity) {
  Model m = SmallConv();
  m.main().operators[0].inputs.resize(1);
  EXPECT_MODEL_ERROR(m, "CONV_2D) has 1 inputs, expected 2 to 3");
  m = SmallConv();
  m.main().operators[0].outputs.push_back(0);
  EXPECT_MODEL_ERROR(m, "has 2 outputs, expected 1");
}

TEST(ReaderSemantics, BadOptions) {
  Model m = SmallConv();
  m.main().operators[0].options.stride_w = 0;
  EXPECT_MODEL_ERROR(m, "stride 1x0");
  m = SmallConv();
  m.main().operators[0].options.dilation_h = -2;
  EXPECT_MODEL_ERROR(m, "dilation -2x1");
  m = SmallConv();
  m.main().operators[0].options.activation = static_cast<Activation>(42);
  EXPECT_MODEL_ERROR(m, "unknown fused activation 42");
}

TEST(ReaderSemantics, MetadataRoundTripsAndDuplicatesAreRejected) {
  Model m = SmallConv();
  m.metadata["potacc_quant"] = {'a', 'p', 'o', 't'};
  m.metadata["empty"] = {};
  const Model again = ReadModel(WriteModel(m), "meta");
  EXPECT_TRUE(again == m);
  EXPECT_EQ(again.buffers.size(), m.buffers.size());  // metadata buffers are not model buffers
}

// --- files the writer cannot produce, built directly with the flatbuffers API

struct RawModel {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<::tflite::Buffer>> buffers;
  std::vector<flatbuffers::Offset<::tflite::Tensor>> tensors;
  std::vector<flatbuffers::Offset<::tflite::Operator>> ops;
  std::vector<flatbuffers::Offset<::tflite::OperatorCode>> codes;
  std::vector<int32_t> inputs, outputs;

  std::vector<uint8_t> Finish() {
    auto sg = ::tflite::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(inputs), b.CreateVector(outputs),
                                       b.CreateVector(ops));
    std::vector<flatbuffers::Offset<::tflite::SubGraph>> sgs = {sg};
    auto model = ::tflite::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(sgs), 0, b.CreateVector(buffers));
    ::tflite::FinishModelBuffer(b, model);
    return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
  }
  int Tensor(std::vector<int32_t> shape, uint32_t buffer = 0) {
    tensors.push_back(::tflite::CreateTensor(b, b.CreateVector(shape), ::tflite::TensorType::INT8, buffer,
                                             b.CreateString("t" + std::to_string(tensors.size()))));
    return static_cast<int>(tensors.size() - 1);
  }
};

TEST(ReaderFormat, DeprecatedAndNewBuiltinCodes) {
  RawModel r;
  r.buffers.push_back(::tflite::CreateBuffer(r.b));
  const int x = r.Tensor({1, 4}), y = r.Tensor({1, 4}), z = r.Tensor({1, 4});
  // Old file: only the byte field (RELU = 19). New file: byte field saturated at 127, real code in builtin_code.
  r.codes.push_back(::tflite::CreateOperatorCode(r.b, 19, 0, 1, ::tflite::BuiltinOperator::ADD));
  r.codes.push_back(::tflite::CreateOperatorCode(r.b, 127, 0, 1, static_cast<::tflite::BuiltinOperator>(200)));
  std::vector<int32_t> in_x = {x}, out_y = {y}, out_z = {z};
  r.ops.push_back(::tflite::CreateOperator(r.b, 0, r.b.CreateVector(in_x), r.b.CreateVector(out_y)));
  r.ops.push_back(::tflite::CreateOperator(r.b, 1, r.b.CreateVector(out_y), r.b.CreateVector(out_z)));
  r.inputs = {x};
  r.outputs = {z};
  const Model m = ReadModel(r.Finish(), "codes");
  EXPECT_EQ(m.operator_codes[0].builtin, 19);
  EXPECT_EQ(m.main().operators[0].op(), BuiltinOp::kRelu);
  EXPECT_EQ(m.operator_codes[1].builtin, 200);
  EXPECT_EQ(BuiltinOpName(m.main().operators[1].builtin), "BUILTIN_200");
  // Written back: deprecated = min(code, 127), builtin_code = code.
  const std::vector<uint8_t> out = WriteModel(m);
  const auto* fb = ::tflite::GetModel(out.data());
  EXPECT_EQ(fb->operator_codes()->Get(0)->deprecated_builtin_code(), 19);
  EXPECT_EQ(static_cast<int>(fb->operator_codes()->Get(0)->builtin_code()), 19);
  EXPECT_EQ(fb->operator_codes()->Get(1)->deprecated_builtin_code(), 127);
  EXPECT_EQ(static_cast<int>(fb->operator_codes()->Get(1)->builtin_code()), 200);
}

TEST(ReaderFormat, OptionsOfTheWrongTypeAreRejected) {
  RawModel r;
  r.buffers.push_back(::tflite::CreateBuffer(r.b));
  const int x = r.Tensor({1, 4, 4, 1}), y = r.Tensor({1, 2, 2, 1});
  r.codes.push_back(::tflite::CreateOperatorCode(r.b, 17, 0, 1, ::tflite::BuiltinOperator::MAX_POOL_2D));
  std::vector<int32_t> in = {x}, out = {y};
  auto opts = ::tflite::CreateConv2DOptions(r.b, ::tflite::Padding::VALID, 2, 2).Union();
  r.ops.push_back(::tflite::CreateOperator(r.b, 0, r.b.CreateVector(in), r.b.CreateVector(out),
                                           ::tflite::BuiltinOptions::Conv2DOptions, opts));
  r.inputs = {x};
  r.outputs = {y};
  const std::string msg = ReadError(r.Finish());
  EXPECT_NE(msg.find("operator 0 (MAX_POOL_2D) carries Conv2DOptions, expected Pool2DOptions"), std::string::npos)
      << msg;
}

TEST(ReaderFormat, LargeModelExtensionBuffers) {
  // Buffer 1's data lives after the flatbuffer, at an absolute file offset.
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5, 6};
  auto build = [&](uint64_t offset_delta, uint64_t size) {
    RawModel r;
    r.buffers.push_back(::tflite::CreateBuffer(r.b));
    // The offset is only known after finishing; write a placeholder and patch by rebuilding.
    r.buffers.push_back(::tflite::CreateBuffer(r.b, 0, 0x1111111111111111ull, size));
    const int x = r.Tensor({1, 6}, 1);
    r.inputs = {x};
    r.outputs = {x};
    std::vector<uint8_t> bytes = r.Finish();
    const uint64_t offset = bytes.size() + offset_delta;
    // Patch the placeholder offset in place.
    for (size_t i = 0; i + 8 <= bytes.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, &bytes[i], 8);
      if (v == 0x1111111111111111ull) std::memcpy(&bytes[i], &offset, 8);
    }
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    return bytes;
  };
  const Model m = ReadModel(build(0, 6), "large");
  ASSERT_EQ(m.buffers.size(), 2u);
  EXPECT_EQ(m.buffers[1].data, payload);
  EXPECT_NE(ReadError(build(0, 7)).find("points outside the file"), std::string::npos);
  EXPECT_NE(ReadError(build(1000, 6)).find("points outside the file"), std::string::npos);
}

TEST(ReaderFormat, SharedTablesCannotAmplifyMemory) {
  // 20,000 buffer entries that all point at the same 64 KiB buffer table:
  // a 64 KiB file that would decode to 1.3 GB.
  RawModel r;
  std::vector<uint8_t> big(64 * 1024, 7);
  r.b.ForceVectorAlignment(big.size(), 1, 16);
  auto shared = ::tflite::CreateBuffer(r.b, r.b.CreateVector(big));
  r.buffers.push_back(::tflite::CreateBuffer(r.b));
  for (int i = 0; i < 20000; ++i) r.buffers.push_back(shared);
  const int x = r.Tensor({1, 4});
  r.inputs = {x};
  r.outputs = {x};
  const std::string msg = ReadError(r.Finish());
  EXPECT_NE(msg.find("too many times"), std::string::npos) << msg;
}

TEST(ReaderFormat, NoSubgraphs) {
  flatbuffers::FlatBufferBuilder b;
  auto model = ::tflite::CreateModel(b, 3);
  ::tflite::FinishModelBuffer(b, model);
  const std::vector<uint8_t> bytes(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  EXPECT_NE(ReadError(bytes).find("no subgraphs"), std::string::npos);
}

TEST(Writer, SaveModelToUnwritablePathIsError) {
  EXPECT_THROW(SaveModel(SmallConv(), "/nonexistent/dir/out.tflite"), Error);
}

TEST(Writer, SaveAndLoadFile) {
  const auto path = testing::TempDir("tflite_writer") / "m.tflite";
  const Model m = MakeSmallCnn(3);
  SaveModel(m, path.string());
  EXPECT_TRUE(LoadModel(path.string()) == m);
}

}  // namespace
}  // namespace potacc
