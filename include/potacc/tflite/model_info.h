// A static description of a model (no execution): per operator, the tensors,
// their quantization, the MACs, and for CONV_2D / DEPTHWISE_CONV_2D /
// FULLY_CONNECTED weights whether the int8 values lie on a power-of-two grid
// and which potacc quantization methods (quant/method.h) represent them
// exactly. Backs `potacc info`.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc {

struct TensorInfo {
  int index = -1;  // -1: optional input absent
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape;
  bool constant = false;
  int num_scales = 0;  // 0 = not quantized, 1 = per-tensor, >1 = per-channel
  float scale = 0.0f;  // first scale
  int64_t zero_point = 0;  // first zero point
  int32_t quantized_dimension = 0;
};

// Analysis of the int8 weights of one layer.
struct WeightInfo {
  int channel_dim = 0;            // dimension of the output channels
  int channels = 0;
  int64_t count = 0;              // number of weights
  int distinct_values = 0;        // distinct int8 values in the whole tensor
  int max_distinct_per_channel = 0;
  double zero_fraction = 0.0;
  // Every |w| is 0 or a power of two (1, 2, 4, ..., 64) in the stored int8 values.
  bool power_of_two = false;
  // Methods whose integer grid holds every channel exactly after dividing
  // the channel by one (rational) scale factor, e.g. {"qkeras", "int8"}.
  std::vector<std::string> fitting_methods;
  // Methods whose grid, multiplied by one per-channel factor and rounded to
  // int8, reproduces every value (|v - level * r| <= rounding error). This is
  // what a low-bit model converted to int8 per-channel looks like, e.g. APoT
  // levels {0,1,2,3,4,6,8,10} stored as round(level * 12.7).
  std::vector<std::string> rounded_fitting_methods;
};

struct NodeInfo {
  int index = 0;
  int32_t builtin = 0;
  std::string op;  // TFLite spelling, e.g. "CONV_2D"
  std::vector<TensorInfo> inputs, outputs;
  std::string options;  // short summary, e.g. "3x3 s2 SAME relu6"
  int64_t macs = 0;     // multiply-accumulates (conv, depthwise, fully connected, batch matmul)
  std::string mac_class;  // MacClassName(...): "conv", "depthwise", "fc", "matmul"; "" for the rest
  bool has_weights = false;
  WeightInfo weights;
};

struct ModelInfo {
  std::string description;
  uint32_t version = 0;
  int num_subgraphs = 0;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<NodeInfo> nodes;  // main subgraph, in execution order
  int64_t total_macs = 0;
  std::map<std::string, int64_t> macs_by_class;  // "conv", "depthwise", "fc", "matmul" (all present)
  int other_ops = 0;             // nodes without MACs (element-wise, normalisation, data movement)
  int64_t other_elements = 0;    // output elements those nodes produce
  int64_t num_parameters = 0;   // elements of constant tensors
  int64_t parameter_bytes = 0;  // bytes of constant buffers
  int64_t activation_bytes = 0; // bytes of all non-constant tensors
  std::map<std::string, int> op_counts;
  std::map<std::string, std::string> metadata;  // printable metadata (others: "<N bytes>")
};

ModelInfo DescribeModel(const Model& model);

// Multiply-accumulates of one node of model.main(): CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED (from the weights' shape) and BATCH_MATMUL (output elements
// x contracted depth); 0 for every other operator.
int64_t OperatorMacs(const Model& model, const Operator& op);
// "conv", "depthwise", "fc", "matmul" for the operators OperatorMacs counts, "" otherwise.
const char* MacClassName(int32_t builtin);

// The analysis behind WeightInfo, usable on any int8 weight tensor.
WeightInfo AnalyzeWeights(const std::vector<int8_t>& values, const std::vector<int32_t>& shape, int channel_dim);

// Human-readable report (header, one table row per node, totals).
std::string FormatModelInfo(const ModelInfo& info, const std::string& title);
nlohmann::json ModelInfoToJson(const ModelInfo& info);

}  // namespace potacc
