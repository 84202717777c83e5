#include "potacc/model.h"

#include <string>

#include "tflite_schema_generated.h"  // names of the builtin operators potacc does not implement

namespace potacc {

int DataTypeSize(DataType t) {
  switch (t) {
    case DataType::kFloat32: return 4;
    case DataType::kFloat16: return 2;
    case DataType::kInt32: return 4;
    case DataType::kUInt8: return 1;
    case DataType::kInt64: return 8;
    case DataType::kString: return 0;
    case DataType::kBool: return 1;
    case DataType::kInt16: return 2;
    case DataType::kComplex64: return 8;
    case DataType::kInt8: return 1;
    case DataType::kFloat64: return 8;
  }
  return 0;
}

const char* DataTypeName(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "float32";
    case DataType::kFloat16: return "float16";
    case DataType::kInt32: return "int32";
    case DataType::kUInt8: return "uint8";
    case DataType::kInt64: return "int64";
    case DataType::kString: return "string";
    case DataType::kBool: return "bool";
    case DataType::kInt16: return "int16";
    case DataType::kComplex64: return "complex64";
    case DataType::kInt8: return "int8";
    case DataType::kFloat64: return "float64";
  }
  return "unknown";
}

std::string BuiltinOpName(int32_t code) {
  switch (static_cast<BuiltinOp>(code)) {
    case BuiltinOp::kAdd: return "ADD";
    case BuiltinOp::kAveragePool2D: return "AVERAGE_POOL_2D";
    case BuiltinOp::kConcatenation: return "CONCATENATION";
    case BuiltinOp::kConv2D: return "CONV_2D";
    case BuiltinOp::kDepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case BuiltinOp::kDequantize: return "DEQUANTIZE";
    case BuiltinOp::kFullyConnected: return "FULLY_CONNECTED";
    case BuiltinOp::kLogistic: return "LOGISTIC";
    case BuiltinOp::kMaxPool2D: return "MAX_POOL_2D";
    case BuiltinOp::kMul: return "MUL";
    case BuiltinOp::kRelu: return "RELU";
    case BuiltinOp::kRelu6: return "RELU6";
    case BuiltinOp::kReshape: return "RESHAPE";
    case BuiltinOp::kSoftmax: return "SOFTMAX";
    case BuiltinOp::kPad: return "PAD";
    case BuiltinOp::kMean: return "MEAN";
    case BuiltinOp::kSqueeze: return "SQUEEZE";
    case BuiltinOp::kStridedSlice: return "STRIDED_SLICE";
    case BuiltinOp::kShape: return "SHAPE";
    case BuiltinOp::kPack: return "PACK";
    case BuiltinOp::kQuantize: return "QUANTIZE";
    case BuiltinOp::kHardSwish: return "HARD_SWISH";
    case BuiltinOp::kTanh: return "TANH";
    case BuiltinOp::kGather: return "GATHER";
    case BuiltinOp::kTranspose: return "TRANSPOSE";
    case BuiltinOp::kSub: return "SUB";
    case BuiltinOp::kRsqrt: return "RSQRT";
    case BuiltinOp::kSquaredDifference: return "SQUARED_DIFFERENCE";
    case BuiltinOp::kBatchMatMul: return "BATCH_MATMUL";
    case BuiltinOp::kGelu: return "GELU";
  }
  if (code >= 0 && code <= static_cast<int32_t>(tflite::BuiltinOperator::MAX)) {
    const char* name = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
    if (name && *name) return name;
  }
  return "BUILTIN_" + std::to_string(code);
}

int64_t Tensor::num_elements() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

const std::vector<uint8_t>* ConstantData(const Model& model, const Tensor& tensor) {
  if (tensor.buffer == 0 || tensor.buffer >= model.buffers.size()) return nullptr;
  const auto& data = model.buffers[tensor.buffer].data;
  return data.empty() ? nullptr : &data;
}

}  // namespace potacc
