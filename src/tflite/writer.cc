#include "potacc/tflite/writer.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

#include "potacc/error.h"
#include "potacc/util/file.h"
#include "tflite/op_schema.h"
#include "tflite_schema_generated.h"

namespace potacc {
namespace {

namespace fb = ::tflite;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

fb::ActivationFunctionType Act(Activation a) { return static_cast<fb::ActivationFunctionType>(a); }
fb::Padding Pad(Padding p) { return static_cast<fb::Padding>(p); }

// Writes the options table the operator's type expects (only if the in-memory
// operator has options, so that a read/write round trip is exact).
std::pair<fb::BuiltinOptions, Offset<void>> WriteOptions(FlatBufferBuilder& b, const Operator& op) {
  const auto schema = tflite_internal::GetOpSchema(op.builtin);
  const OpOptions& o = op.options;
  if (!schema.known || !o.has_options || schema.options == fb::BuiltinOptions::NONE)
    return {fb::BuiltinOptions::NONE, 0};
  using O = fb::BuiltinOptions;
  Offset<void> off;
  switch (schema.options) {
    case O::Conv2DOptions:
      off = fb::CreateConv2DOptions(b, Pad(o.padding), o.stride_w, o.stride_h, Act(o.activation), o.dilation_w,
                                    o.dilation_h).Union();
      break;
    case O::DepthwiseConv2DOptions:
      off = fb::CreateDepthwiseConv2DOptions(b, Pad(o.padding), o.stride_w, o.stride_h, o.depth_multiplier,
                                             Act(o.activation), o.dilation_w, o.dilation_h).Union();
      break;
    case O::Pool2DOptions:
      off = fb::CreatePool2DOptions(b, Pad(o.padding), o.stride_w, o.stride_h, o.filter_w, o.filter_h,
                                    Act(o.activation)).Union();
      break;
    case O::FullyConnectedOptions:
      off = fb::CreateFullyConnectedOptions(b, Act(o.activation),
                                            static_cast<fb::FullyConnectedOptionsWeightsFormat>(o.weights_format),
                                            o.keep_num_dims).Union();
      break;
    case O::SoftmaxOptions: off = fb::CreateSoftmaxOptions(b, o.beta).Union(); break;
    case O::ConcatenationOptions:
      off = fb::CreateConcatenationOptions(b, o.axis, Act(o.activation)).Union();
      break;
    case O::AddOptions: off = fb::CreateAddOptions(b, Act(o.activation)).Union(); break;
    case O::MulOptions: off = fb::CreateMulOptions(b, Act(o.activation)).Union(); break;
    case O::SubOptions: off = fb::CreateSubOptions(b, Act(o.activation)).Union(); break;
    case O::GatherOptions: off = fb::CreateGatherOptions(b, o.axis, o.batch_dims).Union(); break;
    case O::TransposeOptions: off = fb::CreateTransposeOptions(b).Union(); break;
    case O::SquaredDifferenceOptions: off = fb::CreateSquaredDifferenceOptions(b).Union(); break;
    case O::BatchMatMulOptions:
      off = fb::CreateBatchMatMulOptions(b, o.adj_x, o.adj_y, o.asymmetric_quantize_inputs).Union();
      break;
    case O::GeluOptions: off = fb::CreateGeluOptions(b, o.approximate).Union(); break;
    case O::ReshapeOptions:
      off = fb::CreateReshapeOptions(b, o.new_shape.empty() ? 0 : b.CreateVector(o.new_shape)).Union();
      break;
    case O::ReducerOptions: off = fb::CreateReducerOptions(b, o.keep_dims).Union(); break;
    case O::SqueezeOptions:
      off = fb::CreateSqueezeOptions(b, o.squeeze_dims.empty() ? 0 : b.CreateVector(o.squeeze_dims)).Union();
      break;
    case O::StridedSliceOptions:
      off = fb::CreateStridedSliceOptions(b, o.begin_mask, o.end_mask, o.ellipsis_mask, o.new_axis_mask,
                                          o.shrink_axis_mask, o.offset).Union();
      break;
    case O::ShapeOptions: off = fb::CreateShapeOptions(b, static_cast<fb::TensorType>(o.out_type)).Union(); break;
    case O::PackOptions: off = fb::CreatePackOptions(b, o.values_count, o.axis).Union(); break;
    case O::PadOptions: off = fb::CreatePadOptions(b).Union(); break;
    case O::QuantizeOptions: off = fb::CreateQuantizeOptions(b).Union(); break;
    case O::DequantizeOptions: off = fb::CreateDequantizeOptions(b).Union(); break;
    case O::HardSwishOptions: off = fb::CreateHardSwishOptions(b).Union(); break;
    default: return {O::NONE, 0};
  }
  return {schema.options, off};
}

Offset<fb::Tensor> WriteTensor(FlatBufferBuilder& b, const Tensor& t) {
  Offset<fb::QuantizationParameters> quant = 0;
  const QuantParams& q = t.quant;
  if (!q.empty() || !q.zero_point.empty() || !t.quant_min.empty() || !t.quant_max.empty()) {
    const auto floats = [&b](const std::vector<float>& v) { return v.empty() ? 0 : b.CreateVector(v); };
    quant = fb::CreateQuantizationParameters(b, floats(t.quant_min), floats(t.quant_max), b.CreateVector(q.scale),
                                             b.CreateVector(q.zero_point), fb::QuantizationDetails::NONE, 0,
                                             q.quantized_dimension);
  }
  const auto shape = b.CreateVector(t.shape);
  const auto name = b.CreateString(t.name);
  const auto signature = t.shape_signature.empty() ? 0 : b.CreateVector(t.shape_signature);
  fb::TensorBuilder tb(b);
  tb.add_shape(shape);
  tb.add_type(static_cast<fb::TensorType>(t.type));
  tb.add_buffer(t.buffer);
  tb.add_name(name);
  if (!quant.IsNull()) tb.add_quantization(quant);
  tb.add_is_variable(t.is_variable);
  if (!signature.IsNull()) tb.add_shape_signature(signature);
  tb.add_has_rank(t.has_rank);
  return tb.Finish();
}

Offset<fb::Operator> WriteOperator(FlatBufferBuilder& b, const Operator& op, size_t index) {
  if (!op.options.unmodeled.empty())
    throw UnsupportedError("cannot write operator " + std::to_string(index) + " (" + BuiltinOpName(op.builtin) +
                           "): potacc does not model its " + op.options.unmodeled +
                           ", which would be lost; refusing to write a model that differs from its source");
  const auto [type, options] = WriteOptions(b, op);
  const auto custom = op.custom_options.empty() ? 0 : b.CreateVector(op.custom_options);
  const auto mutating = op.mutating_variable_inputs.empty() ? 0 : b.CreateVector(op.mutating_variable_inputs);
  const auto intermediates = op.intermediates.empty() ? 0 : b.CreateVector(op.intermediates);
  return fb::CreateOperator(b, op.opcode_index, b.CreateVector(op.inputs), b.CreateVector(op.outputs), type, options,
                            custom, fb::CustomOptionsFormat::FLEXBUFFERS, mutating, intermediates);
}

Offset<fb::SignatureDef> WriteSignature(FlatBufferBuilder& b, const SignatureDef& s) {
  const auto maps = [&b](const std::vector<SignatureDef::TensorMap>& v) {
    std::vector<Offset<fb::TensorMap>> out;
    for (const auto& t : v) out.push_back(fb::CreateTensorMap(b, b.CreateString(t.name), t.tensor_index));
    return b.CreateVector(out);
  };
  const auto inputs = maps(s.inputs), outputs = maps(s.outputs);
  return fb::CreateSignatureDef(b, inputs, outputs, b.CreateString(s.key),
                                s.deprecated_tag.empty() ? 0 : b.CreateString(s.deprecated_tag), s.subgraph_index);
}

Offset<fb::Buffer> WriteBuffer(FlatBufferBuilder& b, const std::vector<uint8_t>& data) {
  if (data.empty()) return fb::CreateBuffer(b);
  // TFLite aligns buffer data to 16 bytes so kernels can read it in place.
  b.ForceVectorAlignment(data.size(), sizeof(uint8_t), 16);
  return fb::CreateBuffer(b, b.CreateVector(data));
}

}  // namespace

std::vector<uint8_t> WriteModel(const Model& m) {
  FlatBufferBuilder b(1024 * 1024);

  std::vector<Offset<fb::Buffer>> buffers;
  buffers.reserve(m.buffers.size() + m.metadata.size());
  for (const Buffer& buf : m.buffers) buffers.push_back(WriteBuffer(b, buf.data));
  std::vector<Offset<fb::Metadata>> metadata;
  for (const auto& [key, bytes] : m.metadata) {
    const auto index = static_cast<uint32_t>(buffers.size());
    buffers.push_back(WriteBuffer(b, bytes));
    metadata.push_back(fb::CreateMetadata(b, b.CreateString(key), index));
  }

  std::vector<Offset<fb::OperatorCode>> codes;
  for (const OperatorCode& c : m.operator_codes) {
    // Like current TFLite: the byte-sized legacy field saturates at 127
    // (PLACEHOLDER_FOR_GREATER_OP_CODES), the int32 field holds the real code.
    const auto deprecated = static_cast<int8_t>(std::clamp<int32_t>(c.builtin, 0, 127));
    codes.push_back(fb::CreateOperatorCode(b, deprecated, c.custom_code.empty() ? 0 : b.CreateString(c.custom_code),
                                           c.version, static_cast<fb::BuiltinOperator>(c.builtin)));
  }

  std::vector<Offset<fb::SubGraph>> subgraphs;
  for (const Subgraph& sg : m.subgraphs) {
    std::vector<Offset<fb::Tensor>> tensors;
    tensors.reserve(sg.tensors.size());
    for (const Tensor& t : sg.tensors) tensors.push_back(WriteTensor(b, t));
    std::vector<Offset<fb::Operator>> ops;
    ops.reserve(sg.operators.size());
    for (size_t i = 0; i < sg.operators.size(); ++i) ops.push_back(WriteOperator(b, sg.operators[i], i));
    subgraphs.push_back(fb::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(sg.inputs),
                                           b.CreateVector(sg.outputs), b.CreateVector(ops),
                                           b.CreateString(sg.name)));
  }

  std::vector<Offset<fb::SignatureDef>> signatures;
  for (const SignatureDef& s : m.signature_defs) signatures.push_back(WriteSignature(b, s));
  const auto model = fb::CreateModel(b, m.version, b.CreateVector(codes), b.CreateVector(subgraphs),
                                     b.CreateString(m.description), b.CreateVector(buffers), 0,
                                     metadata.empty() ? 0 : b.CreateVector(metadata),
                                     signatures.empty() ? 0 : b.CreateVector(signatures));
  fb::FinishModelBuffer(b, model);
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

void SaveModel(const Model& model, const std::string& path) {
  WriteFileAtomic(path, WriteModel(model));
}

}  // namespace potacc
