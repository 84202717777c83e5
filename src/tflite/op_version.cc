#include "potacc/tflite/op_version.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

namespace potacc {
namespace {

using B = BuiltinOp;
using T = DataType;

// The type of operator input/output i (kFloat32 for an absent optional input,
// which no rule below inspects).
T InType(const Subgraph& g, const Operator& op, size_t i) {
  return i < op.inputs.size() && op.inputs[i] >= 0 ? g.tensors[static_cast<size_t>(op.inputs[i])].type : T::kFloat32;
}
T OutType(const Subgraph& g, const Operator& op, size_t i) {
  return i < op.outputs.size() && op.outputs[i] >= 0 ? g.tensors[static_cast<size_t>(op.outputs[i])].type
                                                     : T::kFloat32;
}
const Tensor* InTensor(const Subgraph& g, const Operator& op, size_t i) {
  return i < op.inputs.size() && op.inputs[i] >= 0 ? &g.tensors[static_cast<size_t>(op.inputs[i])] : nullptr;
}
bool PerChannel(const Tensor* t) { return t != nullptr && t->quant.scale.size() > 1; }
size_t Rank(const Subgraph& g, const Operator& op, size_t i) {
  const Tensor* t = InTensor(g, op, i);
  return t ? t->shape.size() : 0;
}
float Scale(const Tensor* t) { return t && !t->quant.scale.empty() ? t->quant.scale[0] : 0.0f; }

// int8 activations and int8 weights (the fully quantized kernels).
bool Int8(const Subgraph& g, const Operator& op) {
  return InType(g, op, 0) == T::kInt8 && InType(g, op, 1) == T::kInt8 && OutType(g, op, 0) == T::kInt8;
}
// float activations with int8 weights (the "hybrid" kernels).
bool Hybrid(const Subgraph& g, const Operator& op) {
  return InType(g, op, 0) == T::kFloat32 && InType(g, op, 1) == T::kInt8 && OutType(g, op, 0) == T::kFloat32;
}

// int16 -> 3, int8 -> 2, else 1 (SOFTMAX, MEAN, RELU6, pooling, LOGISTIC).
int Int16Or8(T in) { return in == T::kInt16 ? 3 : in == T::kInt8 ? 2 : 1; }

int Conv2DVersion(const Subgraph& g, const Operator& op) {
  const Tensor* in = InTensor(g, op, 0);
  const Tensor* filter = InTensor(g, op, 1);
  if (in && filter && in->shape.size() == 4 && filter->shape.size() == 4 && in->shape[3] != filter->shape[3])
    return 6;  // grouped convolution
  if (InType(g, op, 0) == T::kInt16 && InType(g, op, 1) == T::kInt16) return 4;
  if (Int8(g, op)) return 3;
  if (Hybrid(g, op)) return PerChannel(filter) ? 5 : 2;
  return 1;
}

int DepthwiseVersion(const Subgraph& g, const Operator& op) {
  if (InType(g, op, 0) == T::kInt16 && InType(g, op, 1) == T::kInt16) return 5;
  if (Hybrid(g, op)) return PerChannel(InTensor(g, op, 1)) ? 6 : 4;
  if (Int8(g, op)) return 3;
  if (op.options.dilation_w != 1 || op.options.dilation_h != 1) return 2;
  return 1;
}

int FullyConnectedVersion(const Subgraph& g, const Operator& op) {
  if (Hybrid(g, op) && PerChannel(InTensor(g, op, 1))) return 12;
  if (InType(g, op, 0) == T::kInt16 && InType(g, op, 1) == T::kInt16 && OutType(g, op, 0) == T::kInt16) return 7;
  if (op.inputs.size() == 2) return 6;  // no bias input
  if (op.options.keep_num_dims) return 5;
  if (Int8(g, op)) return 4;
  if (Hybrid(g, op)) return 3;
  if (op.options.weights_format != 0) return 2;  // shuffled 4x16 int8 weights
  return 1;
}

int MulVersion(const Subgraph& g, const Operator& op) {
  const T in = InType(g, op, 0);
  if (in == T::kComplex64) return 6;
  if (in == T::kInt64) return 5;
  if (in == T::kInt16) return 4;
  const float s1 = Scale(InTensor(g, op, 0)), s2 = Scale(InTensor(g, op, 1));
  const float so = op.outputs.empty() || op.outputs[0] < 0 ? 0.0f : Scale(&g.tensors[static_cast<size_t>(op.outputs[0])]);
  if (s1 != 0 && s2 != 0 && so != 0 && s1 * s2 / so >= 1.0f) return 3;  // rescale >= 1
  return in == T::kInt8 ? 2 : 1;
}

int StridedSliceVersion(const Subgraph& g, const Operator& op) {
  const T in = InType(g, op, 0);
  if (op.options.offset) return 8;
  if (op.options.ellipsis_mask != 0 || op.options.new_axis_mask != 0) return 6;
  if (in == T::kString) return 5;
  if (Rank(g, op, 0) > 4) return 4;
  if (in == T::kBool) return 3;
  return in == T::kInt8 ? 2 : 1;
}

int TransposeVersion(const Subgraph& g, const Operator& op) {
  const T in = InType(g, op, 0);
  const size_t rank = Rank(g, op, 0);
  if (rank > 5) return 6;
  if (in == T::kInt16) return 5;
  if (rank > 4) return 4;
  return in == T::kInt8 ? 2 : 1;
}

int GatherVersion(const Subgraph& g, const Operator& op) {
  if (op.options.batch_dims != 0) return 5;
  const T in = InType(g, op, 0);
  return in == T::kInt16 ? 4 : in == T::kInt8 ? 2 : 1;
}

// SUB with broadcasting beyond 4 dimensions is version 3.
int SubVersion(const Subgraph& g, const Operator& op) {
  const Tensor* a = InTensor(g, op, 0);
  const Tensor* b = InTensor(g, op, 1);
  if (a && b && a->shape != b->shape && std::max(a->shape.size(), b->shape.size()) > 4) return 3;
  return InType(g, op, 0) == T::kInt8 ? 2 : 1;
}

int DequantizeVersion(const Subgraph& g, const Operator& op) {
  const T in = InType(g, op, 0);
  if (in == T::kInt16 || in == T::kFloat16) return 3;
  if (in == T::kInt8) return PerChannel(InTensor(g, op, 0)) ? 5 : 2;
  return 1;
}

int QuantizeVersion(const Subgraph& g, const Operator& op) {
  const Tensor* out = op.outputs.empty() || op.outputs[0] < 0 ? nullptr : &g.tensors[static_cast<size_t>(op.outputs[0])];
  if (PerChannel(out)) return 3;
  return OutType(g, op, 0) == T::kInt16 ? 2 : 1;
}

}  // namespace

int ConverterOpVersion(const Subgraph& g, const Operator& op) {
  const T in = InType(g, op, 0);
  switch (op.op()) {
    case B::kConv2D: return Conv2DVersion(g, op);
    case B::kDepthwiseConv2D: return DepthwiseVersion(g, op);
    case B::kFullyConnected: return FullyConnectedVersion(g, op);
    case B::kMul: return MulVersion(g, op);
    case B::kStridedSlice: return StridedSliceVersion(g, op);
    case B::kDequantize: return DequantizeVersion(g, op);
    case B::kQuantize: return QuantizeVersion(g, op);
    case B::kTranspose: return TransposeVersion(g, op);
    case B::kGather: return GatherVersion(g, op);
    case B::kSub: return SubVersion(g, op);
    case B::kBatchMatMul: return in == T::kInt16 ? 3 : in == T::kInt8 ? 2 : 1;
    case B::kAdd:
      if (in == T::kInt64) return 4;
      return in == T::kInt8 ? 2 : 1;  // int16 ADD (3, 5) is not written by potacc
    case B::kAveragePool2D:
    case B::kMaxPool2D:
      return in == T::kInt16 && OutType(g, op, 0) == T::kInt16 ? 3 : in == T::kInt8 ? 2 : 1;
    case B::kConcatenation: return Int16Or8(in);
    case B::kSoftmax:
    case B::kMean:
    case B::kRelu6:
    case B::kRsqrt: return Int16Or8(in);
    case B::kTanh:
    case B::kLogistic: return in == T::kInt16 && OutType(g, op, 0) == T::kInt16 ? 3 : in == T::kInt8 ? 2 : 1;
    case B::kSquaredDifference:
    case B::kGelu: return in == T::kInt8 ? 2 : 1;
    case B::kRelu: return in == T::kInt16 ? 3 : (in == T::kInt8 || in == T::kUInt8) ? 2 : 1;
    case B::kPad: return Rank(g, op, 0) > 4 ? 4 : Int16Or8(in);
    case B::kPack: return in == T::kInt8 ? 2 : in == T::kInt16 ? 3 : 1;
    case B::kSqueeze: return in == T::kString ? 2 : 1;
    case B::kReshape:
    case B::kShape:
    case B::kHardSwish: return 1;
  }
  return 1;  // operators potacc does not implement keep version 1
}

std::string MinRuntimeVersion(int32_t builtin, int version) {
  // (operator, version) -> first TFLite release with that kernel.
  static const std::map<std::pair<B, int>, std::string> kFirstRelease = {
      {{B::kAveragePool2D, 1}, "1.5.0"},    {{B::kAveragePool2D, 2}, "1.14.0"},  {{B::kAveragePool2D, 3}, "2.3.0"},
      {{B::kConv2D, 1}, "1.5.0"},           {{B::kConv2D, 2}, "1.14.0"},         {{B::kConv2D, 3}, "1.14.0"},
      {{B::kConv2D, 4}, "2.3.0"},           {{B::kConv2D, 5}, "2.4.0"},          {{B::kConv2D, 6}, "2.9.0"},
      {{B::kDepthwiseConv2D, 1}, "1.5.0"},  {{B::kDepthwiseConv2D, 2}, "1.12.0"}, {{B::kDepthwiseConv2D, 3}, "1.14.0"},
      {{B::kDepthwiseConv2D, 4}, "2.2.0"},  {{B::kDepthwiseConv2D, 5}, "2.3.0"}, {{B::kDepthwiseConv2D, 6}, "2.3.0"},
      {{B::kAdd, 1}, "1.5.0"},              {{B::kAdd, 2}, "1.14.0"},            {{B::kAdd, 3}, "2.4.0"},
      {{B::kAdd, 4}, "2.6.0"},              {{B::kConcatenation, 1}, "1.5.0"},   {{B::kConcatenation, 2}, "1.14.0"},
      {{B::kConcatenation, 3}, "2.3.0"},    {{B::kFullyConnected, 1}, "1.5.0"},  {{B::kFullyConnected, 2}, "1.10.0"},
      {{B::kFullyConnected, 3}, "1.14.0"},  {{B::kFullyConnected, 4}, "1.14.0"}, {{B::kFullyConnected, 5}, "2.0.0"},
      {{B::kFullyConnected, 6}, "2.1.0"},   {{B::kFullyConnected, 7}, "2.3.0"},  {{B::kFullyConnected, 8}, "2.3.0"},
      {{B::kFullyConnected, 9}, "2.3.0"},   {{B::kMaxPool2D, 1}, "1.5.0"},       {{B::kMaxPool2D, 2}, "1.14.0"},
      {{B::kMaxPool2D, 3}, "2.3.0"},        {{B::kMul, 1}, "1.5.0"},             {{B::kMul, 2}, "1.14.0"},
      {{B::kMul, 3}, "1.15.0"},             {{B::kMul, 4}, "2.3.0"},             {{B::kMul, 5}, "2.6.0"},
      {{B::kPad, 1}, "1.5.0"},              {{B::kPad, 2}, "1.14.0"},            {{B::kPad, 3}, "2.4.0"},
      {{B::kPad, 4}, "2.6.0"},              {{B::kReshape, 1}, "1.5.0"},         {{B::kSoftmax, 1}, "1.5.0"},
      {{B::kSoftmax, 2}, "1.14.0"},         {{B::kSoftmax, 3}, "2.3.0"},         {{B::kMean, 1}, "1.6.0"},
      {{B::kMean, 2}, "1.14.0"},            {{B::kMean, 3}, "2.4.0"},            {{B::kRelu6, 1}, "1.5.0"},
      {{B::kRelu6, 2}, "1.14.0"},           {{B::kRelu6, 3}, "2.5.0"},           {{B::kSqueeze, 1}, "1.6.0"},
      {{B::kSqueeze, 2}, "2.5.0"},          {{B::kStridedSlice, 1}, "1.6.0"},    {{B::kStridedSlice, 2}, "1.14.0"},
      {{B::kStridedSlice, 3}, "2.1.0"},     {{B::kStridedSlice, 4}, "2.2.0"},    {{B::kStridedSlice, 5}, "2.5.0"},
      {{B::kStridedSlice, 6}, "2.6.0"},     {{B::kPack, 1}, "1.11.0"},           {{B::kPack, 2}, "1.14.0"},
      {{B::kPack, 3}, "2.3.0"},             {{B::kShape, 1}, "1.10.0"},          {{B::kLogistic, 1}, "1.14.0"},
      {{B::kLogistic, 2}, "1.14.0"},        {{B::kLogistic, 3}, "2.3.0"},        {{B::kDequantize, 1}, "1.13.1"},
      {{B::kDequantize, 2}, "1.14.0"},      {{B::kDequantize, 3}, "1.15.0"},     {{B::kDequantize, 4}, "2.2.0"},
      {{B::kDequantize, 5}, "2.7.0"},       {{B::kQuantize, 1}, "1.14.0"},       {{B::kQuantize, 2}, "1.15.0"},
      {{B::kQuantize, 3}, "2.7.0"},         {{B::kRelu, 1}, "1.5.0"},            {{B::kRelu, 2}, "2.1.0"},
      {{B::kRelu, 3}, "2.5.0"},             {{B::kHardSwish, 1}, "1.15.0"},      {{B::kBatchMatMul, 1}, "2.3.0"},
      {{B::kBatchMatMul, 2}, "2.3.0"},      {{B::kBatchMatMul, 3}, "2.4.0"},     {{B::kBatchMatMul, 4}, "2.5.0"},
      {{B::kSub, 1}, "1.6.0"},              {{B::kSub, 2}, "1.14.0"},            {{B::kSub, 3}, "2.3.0"},
      {{B::kSub, 4}, "2.4.0"},              {{B::kSub, 5}, "2.4.0"},             {{B::kGather, 1}, "1.6.0"},
      {{B::kGather, 2}, "1.14.0"},          {{B::kGather, 3}, "1.15.0"},         {{B::kGather, 4}, "2.4.0"},
      {{B::kGather, 5}, "2.5.0"},           {{B::kTranspose, 1}, "1.6.0"},       {{B::kTranspose, 2}, "1.14.0"},
      {{B::kTranspose, 3}, "1.15.0"},       {{B::kTranspose, 4}, "2.3.0"},       {{B::kTranspose, 5}, "2.4.0"},
      {{B::kTanh, 1}, "1.14.0"},            {{B::kTanh, 2}, "1.14.0"},           {{B::kTanh, 3}, "2.3.0"},
      {{B::kRsqrt, 1}, "1.10.0"},           {{B::kRsqrt, 2}, "2.5.0"},           {{B::kSquaredDifference, 1}, "1.13.1"},
      {{B::kSquaredDifference, 2}, "2.5.0"}, {{B::kGelu, 1}, "2.9.0"},           {{B::kGelu, 2}, "2.9.0"},
  };
  const auto it = kFirstRelease.find({static_cast<B>(builtin), version});
  return it == kFirstRelease.end() ? std::string() : it->second;
}

namespace {

// "1.14.0" < "2.3.0", numerically per component.
bool OlderRelease(const std::string& a, const std::string& b) {
  const auto parts = [](const std::string& v) {
    std::vector<int> out;
    std::stringstream ss(v);
    std::string p;
    while (std::getline(ss, p, '.')) out.push_back(std::stoi(p));
    return out;
  };
  return parts(a) < parts(b);
}

}  // namespace

void SetConverterOpVersions(Model& model) {
  for (const Subgraph& g : model.subgraphs)
    for (const Operator& op : g.operators) {
      OperatorCode& code = model.operator_codes.at(op.opcode_index);
      code.version = std::max(code.version, ConverterOpVersion(g, op));
    }
  std::string oldest;  // the newest of the releases every operator needs
  for (const OperatorCode& code : model.operator_codes) {
    const std::string v = MinRuntimeVersion(code.builtin, code.version);
    if (!v.empty() && (oldest.empty() || OlderRelease(oldest, v))) oldest = v;
  }
  if (oldest.empty()) return;
  std::vector<uint8_t> bytes(16, 0);
  std::copy(oldest.begin(), oldest.end(), bytes.begin());
  model.metadata[kMinRuntimeVersionMetadata] = std::move(bytes);
}

}  // namespace potacc
