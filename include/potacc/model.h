// In-memory form of a TFLite model: plain data, independent of flatbuffers.
// The reader (tflite/reader.h) fills it after verification; the writer
// (tflite/writer.h) serialises it back. Enum values are TFLite's own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace potacc {

// TFLite TensorType values.
enum class DataType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};

// Size in bytes of one element; 0 for variable-size types (string).
int DataTypeSize(DataType t);
const char* DataTypeName(DataType t);

// TFLite BuiltinOperator values (only the ones potacc knows by name; others
// are kept as their numeric code and reported as unsupported when run).
enum class BuiltinOp : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConcatenation = 2,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kRelu6 = 21,
  kReshape = 22,
  kSoftmax = 25,
  kTanh = 28,
  kPad = 34,
  kGather = 36,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kSqueeze = 43,
  kStridedSlice = 45,
  kRsqrt = 76,
  kShape = 77,
  kPack = 83,
  kSquaredDifference = 99,
  kQuantize = 114,
  kHardSwish = 117,
  kBatchMatMul = 126,
  kGelu = 150,
};

// "CONV_2D", "DEPTHWISE_CONV_2D", ... (TFLite spelling); "BUILTIN_<n>" if unknown.
std::string BuiltinOpName(int32_t code);
inline std::string BuiltinOpName(BuiltinOp op) { return BuiltinOpName(static_cast<int32_t>(op)); }

enum class Padding : int8_t { kSame = 0, kValid = 1 };
enum class Activation : int8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,
  kSignBit = 5,
};

// Quantization parameters of one tensor. Per-tensor: one scale/zero point.
// Per-channel: one per slice along quantized_dimension.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;

  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
  bool operator==(const QuantParams&) const = default;
};

struct Tensor {
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<int32_t> shape_signature;  // as stored (may hold -1); empty if absent
  uint32_t buffer = 0;  // index into Model::buffers; buffer 0 is TFLite's empty sentinel
  QuantParams quant;
  bool is_variable = false;
  bool has_rank = false;  // as stored: with an empty shape, a scalar rather than "unknown rank"
  // Float ranges the converter recorded with the quantization (informational,
  // carried through unchanged).
  std::vector<float> quant_min = {}, quant_max = {};

  int64_t num_elements() const;
  bool operator==(const Tensor&) const = default;
};

// Options of all operators potacc implements, flattened. Only the fields of
// the operator's own options table are meaningful; the others keep defaults.
struct OpOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 1, filter_h = 1;  // pooling
  int32_t depth_multiplier = 1;
  Activation activation = Activation::kNone;
  int32_t axis = 0;              // CONCATENATION, PACK, GATHER
  int32_t batch_dims = 0;        // GATHER
  bool keep_dims = false;        // MEAN (ReducerOptions)
  bool keep_num_dims = false;    // FULLY_CONNECTED
  int8_t weights_format = 0;     // FULLY_CONNECTED (0 = DEFAULT)
  float beta = 1.0f;             // SOFTMAX
  bool adj_x = false, adj_y = false;      // BATCH_MATMUL
  bool asymmetric_quantize_inputs = false;  // BATCH_MATMUL (hybrid kernels only)
  bool approximate = false;      // GELU (tanh approximation)
  std::vector<int32_t> new_shape;     // RESHAPE
  std::vector<int32_t> squeeze_dims;  // SQUEEZE
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
          shrink_axis_mask = 0;  // STRIDED_SLICE
  bool offset = false;           // STRIDED_SLICE
  int32_t values_count = 0;      // PACK
  DataType out_type = DataType::kInt32;  // SHAPE
  bool has_options = false;      // the operator carried a builtin options table
  // The name of a builtin options table potacc does not model (an operator
  // it does not implement, e.g. LeakyReluOptions). Such an operator cannot be
  // written back without losing its options: the writer refuses.
  std::string unmodeled = {};

  bool operator==(const OpOptions&) const = default;
};

struct Operator {
  uint32_t opcode_index = 0;
  int32_t builtin = 0;  // resolved builtin code (max of deprecated and new fields)
  std::vector<int32_t> inputs;   // tensor indices; -1 = optional input absent
  std::vector<int32_t> outputs;
  OpOptions options;
  // Carried through unchanged (not interpreted by potacc).
  // (Default member initializers: brace-initialised Operators need not list them.)
  std::vector<uint8_t> custom_options = {};           // CUSTOM operators' options (flexbuffer)
  std::vector<int32_t> intermediates = {};
  std::vector<uint8_t> mutating_variable_inputs = {};  // bools

  BuiltinOp op() const { return static_cast<BuiltinOp>(builtin); }
  bool operator==(const Operator&) const = default;
};

struct OperatorCode {
  int32_t builtin = 0;  // resolved
  std::string custom_code;
  int32_t version = 1;
  bool operator==(const OperatorCode&) const = default;
};

struct Subgraph {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<Operator> operators;
  bool operator==(const Subgraph&) const = default;
};

// A named entry point (TFLite's signature runner): tensor names -> indices.
struct SignatureDef {
  struct TensorMap {
    std::string name;
    uint32_t tensor_index = 0;
    bool operator==(const TensorMap&) const = default;
  };
  std::vector<TensorMap> inputs, outputs;
  std::string key;             // e.g. "serving_default"
  std::string deprecated_tag;
  uint32_t subgraph_index = 0;
  bool operator==(const SignatureDef&) const = default;
};

struct Buffer {
  std::vector<uint8_t> data;
  bool operator==(const Buffer&) const = default;
};

struct Model {
  uint32_t version = 3;
  std::string description;
  std::vector<OperatorCode> operator_codes;
  std::vector<Subgraph> subgraphs;
  std::vector<Buffer> buffers;
  // Metadata entries (name -> buffer contents). potacc records e.g. the
  // quantization method under "potacc_quant".
  std::map<std::string, std::vector<uint8_t>> metadata;
  std::vector<SignatureDef> signature_defs;  // carried through unchanged

  // potacc runs the first subgraph.
  const Subgraph& main() const { return subgraphs.at(0); }
  Subgraph& main() { return subgraphs.at(0); }
  bool operator==(const Model&) const = default;
};

// Constant data of a tensor, or an empty span-like pair if it has none.
const std::vector<uint8_t>* ConstantData(const Model& model, const Tensor& tensor);

}  // namespace potacc
