#include "tflite/op_schema.h"

#include "potacc/model.h"

namespace potacc::tflite_internal {

OpSchema GetOpSchema(int32_t builtin) {
  using O = ::tflite::BuiltinOptions;
  auto s = [](O options, int min_in, int max_in, int optional = -1) {
    OpSchema r;
    r.known = true;
    r.options = options;
    r.min_inputs = min_in;
    r.max_inputs = max_in;
    r.optional_input = optional;
    return r;
  };
  switch (static_cast<BuiltinOp>(builtin)) {
    case BuiltinOp::kAdd: return s(O::AddOptions, 2, 2);
    case BuiltinOp::kMul: return s(O::MulOptions, 2, 2);
    case BuiltinOp::kAveragePool2D:
    case BuiltinOp::kMaxPool2D: return s(O::Pool2DOptions, 1, 1);
    case BuiltinOp::kConcatenation: return s(O::ConcatenationOptions, 1, -1);
    case BuiltinOp::kConv2D: return s(O::Conv2DOptions, 2, 3, 2);
    case BuiltinOp::kDepthwiseConv2D: return s(O::DepthwiseConv2DOptions, 2, 3, 2);
    case BuiltinOp::kFullyConnected: return s(O::FullyConnectedOptions, 2, 3, 2);
    case BuiltinOp::kDequantize: return s(O::DequantizeOptions, 1, 1);
    case BuiltinOp::kQuantize: return s(O::QuantizeOptions, 1, 1);
    case BuiltinOp::kLogistic:
    case BuiltinOp::kRelu:
    case BuiltinOp::kRelu6: return s(O::NONE, 1, 1);
    case BuiltinOp::kHardSwish: return s(O::HardSwishOptions, 1, 1);
    case BuiltinOp::kReshape: return s(O::ReshapeOptions, 1, 2);
    case BuiltinOp::kSoftmax: return s(O::SoftmaxOptions, 1, 1);
    case BuiltinOp::kPad: return s(O::PadOptions, 2, 2);
    case BuiltinOp::kMean: return s(O::ReducerOptions, 2, 2);
    case BuiltinOp::kSqueeze: return s(O::SqueezeOptions, 1, 1);
    case BuiltinOp::kStridedSlice: return s(O::StridedSliceOptions, 4, 4);
    case BuiltinOp::kShape: return s(O::ShapeOptions, 1, 1);
    case BuiltinOp::kPack: return s(O::PackOptions, 1, -1);
    case BuiltinOp::kTanh:
    case BuiltinOp::kRsqrt: return s(O::NONE, 1, 1);
    case BuiltinOp::kGather: return s(O::GatherOptions, 2, 2);
    case BuiltinOp::kTranspose: return s(O::TransposeOptions, 2, 2);
    case BuiltinOp::kSub: return s(O::SubOptions, 2, 2);
    case BuiltinOp::kSquaredDifference: return s(O::SquaredDifferenceOptions, 2, 2);
    case BuiltinOp::kBatchMatMul: return s(O::BatchMatMulOptions, 2, 2);
    case BuiltinOp::kGelu: return s(O::GeluOptions, 1, 1);
  }
  return OpSchema{};
}

}  // namespace potacc::tflite_internal
