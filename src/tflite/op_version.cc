#include "potacc/tflite/op_version.h"

#include <algorithm>
#include <vector>

namespace potacc {
namespace {

DataType TypeOf(const Model& m, const std::vector<int32_t>& ids, size_t i) {
  if (i >= ids.size() || ids[i] < 0) return DataType::kFloat32;
  return m.main().tensors.at(ids[i]).type;
}

size_t RankOf(const Model& m, const std::vector<int32_t>& ids, size_t i) {
  if (i >= ids.size() || ids[i] < 0) return 0;
  return m.main().tensors.at(ids[i]).shape.size();
}

bool PerChannel(const Model& m, const std::vector<int32_t>& ids, size_t i) {
  return i < ids.size() && ids[i] >= 0 && m.main().tensors.at(ids[i]).quant.per_channel();
}

bool BinaryNeedsBroadcast(const Model& m, const Operator& op) {
  if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) return false;
  return m.main().tensors.at(op.inputs[0]).shape != m.main().tensors.at(op.inputs[1]).shape;
}

}  // namespace

int ConverterOpVersion(const Model& m, const Operator& op) {
  const DataType in0 = TypeOf(m, op.inputs, 0);
  const DataType in1 = TypeOf(m, op.inputs, 1);
  const DataType out0 = TypeOf(m, op.outputs, 0);
  const bool int8 = in0 == DataType::kInt8;
  const bool int16 = in0 == DataType::kInt16;
  switch (op.op()) {
    case BuiltinOp::kConv2D:
      if (int8 && in1 == DataType::kInt8 && out0 == DataType::kInt8) return 3;
      if (in0 == DataType::kFloat32 && in1 == DataType::kInt8 && out0 == DataType::kFloat32)
        return PerChannel(m, op.inputs, 1) ? 5 : 2;
      return 1;
    case BuiltinOp::kDepthwiseConv2D:
      if (int8 && in1 == DataType::kInt8 && out0 == DataType::kInt8) return 3;
      return op.options.dilation_w != 1 || op.options.dilation_h != 1 ? 2 : 1;
    case BuiltinOp::kFullyConnected: {
      if (op.inputs.size() == 2) return 6;  // no bias input at all
      if (op.options.keep_num_dims) return 5;
      if (int8 && in1 == DataType::kInt8 && out0 == DataType::kInt8) return 4;
      return op.options.weights_format != 0 ? 2 : 1;
    }
    case BuiltinOp::kBatchMatMul:
      return int16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kTranspose: {
      const size_t rank = RankOf(m, op.inputs, 0);
      if (rank > 5) return 6;
      if (int16) return 5;
      if (rank > 4) return 4;
      return int8 ? 2 : 1;
    }
    case BuiltinOp::kGather:
      if (op.options.batch_dims != 0) return 5;
      return int16 ? 4 : int8 ? 2 : 1;
    case BuiltinOp::kMul: {
      if (int16) return 4;
      const auto& t = m.main().tensors;
      if (int8 && op.inputs.size() >= 2 && op.inputs[0] >= 0 && op.inputs[1] >= 0 && !op.outputs.empty()) {
        const auto& a = t.at(op.inputs[0]).quant;
        const auto& b = t.at(op.inputs[1]).quant;
        const auto& o = t.at(op.outputs[0]).quant;
        if (a.scale.size() == 1 && b.scale.size() == 1 && o.scale.size() == 1 && o.scale[0] != 0 &&
            a.scale[0] * b.scale[0] / o.scale[0] >= 1.0f)
          return 3;
      }
      return int8 ? 2 : 1;
    }
    case BuiltinOp::kAdd:
      return int8 ? 2 : 1;
    case BuiltinOp::kSub:
      if (BinaryNeedsBroadcast(m, op) &&
          std::max(RankOf(m, op.inputs, 0), RankOf(m, op.inputs, 1)) > 4)
        return 3;
      return int8 ? 2 : 1;
    case BuiltinOp::kSoftmax:
    case BuiltinOp::kMean:
    case BuiltinOp::kRsqrt:
    case BuiltinOp::kRelu6:
      return int16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kTanh:
    case BuiltinOp::kLogistic:
      return int16 && out0 == DataType::kInt16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kSquaredDifference:
    case BuiltinOp::kGelu:
      return int8 ? 2 : 1;
    case BuiltinOp::kConcatenation:
      return int16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kQuantize:
      return out0 == DataType::kInt16 ? 2 : 1;
    case BuiltinOp::kDequantize:
      if (int16) return 3;
      return int8 ? (PerChannel(m, op.inputs, 0) ? 5 : 2) : 1;
    case BuiltinOp::kAveragePool2D:
    case BuiltinOp::kMaxPool2D:
      return int8 ? 2 : 1;
    case BuiltinOp::kRelu:
      return int16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kPad:
      if (RankOf(m, op.inputs, 0) > 4) return 4;
      return int16 ? 3 : int8 ? 2 : 1;
    case BuiltinOp::kStridedSlice:
      if (op.options.offset) return 8;
      if (op.options.ellipsis_mask != 0 || op.options.new_axis_mask != 0) return 6;
      if (RankOf(m, op.inputs, 0) > 4) return 4;
      return int8 ? 2 : 1;
    case BuiltinOp::kPack:
      return int8 ? 2 : 1;
    default:
      return 1;
  }
}

void SetConverterOpVersions(Model& model) {
  std::vector<int> version(model.operator_codes.size(), 0);
  for (const Operator& op : model.main().operators) {
    if (op.opcode_index < version.size())
      version[op.opcode_index] = std::max(version[op.opcode_index], ConverterOpVersion(model, op));
  }
  for (size_t i = 0; i < version.size(); ++i)
    if (version[i] > 0) model.operator_codes[i].version = version[i];
}

}  // namespace potacc
