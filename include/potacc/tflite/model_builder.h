// Programmatic construction of int8 TFLite models (for generators, tests and
// benchmarks). Each op method appends one operator and returns the index of
// its output tensor:
//
//   ModelBuilder b(/*seed=*/1);
//   int x = b.Input({1, 32, 32, 3}, 1.0f / 128, 0);
//   x = b.Conv2D(x, {.out_channels = 16, .kernel = 3, .activation = Activation::kRelu});
//   x = b.Mean(x, {1, 2});
//   x = b.FullyConnected(x, {.out_features = 10});
//   b.Output(b.Softmax(x));
//   Model m = b.Build();
//
// Weights are deterministic pseudo-random int8 (a function of the seed and
// the order of calls only; no std:: distributions, so identical on every
// platform) with symmetric per-channel scales; biases are int32 with scale
// input_scale * weight_scale[c] (TFLite's rule). Output scales come from an
// analytic estimate of each tensor's standard deviation, propagated from the
// input, so activations use the int8 range sensibly. The layouts, per-channel
// dimensions and quantization constraints are TFLite's (e.g. pooling, pad and
// reshape keep their input's quantization, softmax outputs 1/256 with zero
// point -128, concatenation inputs share the output's quantization).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc {

// Quantization of one activation tensor (per-tensor).
struct ActQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// How weights are drawn. Values are approximately normal in int8 (|w| <= 127,
// std ~42); with `levels`, each value is snapped to the nearest level, e.g.
// the integer grid of a PoT quantization method ({0, ±1, ±2, ±4, ...}).
struct WeightSpec {
  std::vector<int> levels;  // empty: any int8 value in [-127, 127]
};

struct ConvSpec {
  int out_channels = 0;
  int kernel = 3;  // square kernel; kernel_h / kernel_w override when > 0
  int kernel_h = 0, kernel_w = 0;
  int stride = 1;
  Padding padding = Padding::kSame;
  int dilation = 1;
  Activation activation = Activation::kNone;
  bool bias = true;
  WeightSpec weights{};
  std::optional<ActQuant> output_quant{};  // override the estimated output quantization
};

struct DepthwiseSpec {
  int kernel = 3;
  int kernel_h = 0, kernel_w = 0;
  int stride = 1;
  Padding padding = Padding::kSame;
  int dilation = 1;
  int depth_multiplier = 1;
  Activation activation = Activation::kNone;
  bool bias = true;
  WeightSpec weights{};
  std::optional<ActQuant> output_quant{};
};

// The input is flattened to [batch, features] with batch = shape[0] (TFLite's
// FULLY_CONNECTED with keep_num_dims = false).
struct FullyConnectedSpec {
  int out_features = 0;
  Activation activation = Activation::kNone;
  // RMS of the outputs the weight scales aim at; 0: the input's (weights of
  // RMS 1/sqrt(fan-in)).
  double output_sigma = 0;
  bool bias = true;
  WeightSpec weights{};
  std::optional<ActQuant> output_quant{};
};

struct PoolSpec {
  int filter = 2;
  int stride = 2;
  Padding padding = Padding::kValid;
  Activation activation = Activation::kNone;
};

class ModelBuilder {
 public:
  explicit ModelBuilder(uint64_t seed = 1);

  // --- graph inputs / outputs
  // int8 input tensor with the given quantization.
  int Input(const std::vector<int32_t>& shape, float scale = 1.0f / 128, int32_t zero_point = 0,
            const std::string& name = "input");
  // float32 input tensor followed by QUANTIZE to int8; returns the int8 tensor.
  int FloatInput(const std::vector<int32_t>& shape, float scale = 1.0f / 128, int32_t zero_point = 0,
                 const std::string& name = "input");
  // A graph input of any type, without quantization or QUANTIZE (for float
  // models that a quantizer processes later).
  int RawInput(const std::string& name, DataType type, const std::vector<int32_t>& shape);
  // Marks x as a graph output.
  void Output(int x);
  // Appends DEQUANTIZE and marks its float32 output as a graph output.
  void FloatOutput(int x);

  // --- operators (x, a, b are tensor indices; each returns the output tensor)
  int Conv2D(int x, const ConvSpec& spec);
  int DepthwiseConv2D(int x, const DepthwiseSpec& spec);
  int FullyConnected(int x, const FullyConnectedSpec& spec);
  int Add(int a, int b, Activation activation = Activation::kNone);
  int Mul(int a, int b, Activation activation = Activation::kNone);
  int AveragePool2D(int x, const PoolSpec& spec);
  int MaxPool2D(int x, const PoolSpec& spec);
  // MEAN over the given axes (e.g. {1, 2} = global average pooling).
  int Mean(int x, const std::vector<int32_t>& axes, bool keep_dims = false);
  // PAD with {before, after} per dimension; pads with the zero point.
  int Pad(int x, const std::vector<std::array<int32_t, 2>>& paddings);
  int Reshape(int x, const std::vector<int32_t>& new_shape);
  int Softmax(int x, float beta = 1.0f);
  // CONCATENATION; inputs whose quantization differs from the first input's
  // are first requantized with an int8 -> int8 QUANTIZE.
  int Concatenation(const std::vector<int>& xs, int axis, Activation activation = Activation::kNone);
  int Relu(int x);
  int Relu6(int x);
  int Logistic(int x);
  // float32 -> int8, or int8 -> int8 requantization.
  int Quantize(int x, ActQuant quant);
  // int8 -> float32.
  int Dequantize(int x);

  // --- low-level access, for generators that need something the helpers above do not offer
  // Adds a tensor; data (if non-empty) becomes a new constant buffer.
  int AddTensor(const std::string& name, DataType type, const std::vector<int32_t>& shape, QuantParams quant = {},
                std::vector<uint8_t> data = {});
  int ConstantInt32(const std::string& name, const std::vector<int32_t>& shape, const std::vector<int32_t>& values);
  // Appends an operator (operator code deduplicated); options.has_options is set
  // when the operator has a TFLite options table.
  void AddOperator(BuiltinOp op, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs,
                   OpOptions options = {});
  const Tensor& tensor(int index) const;
  const std::vector<int32_t>& shape(int index) const { return tensor(index).shape; }
  ActQuant quant(int index) const;  // per-tensor quantization of an activation
  // Estimated RMS of the real values of an activation tensor (drives the
  // output-scale estimate of the layers that consume it).
  double sigma(int index) const;
  // Deterministic pseudo-random stream (shared with weight generation).
  uint64_t NextRandom();
  // A fresh name "<prefix>_<n>".
  std::string UniqueName(const std::string& prefix);

  void SetDescription(std::string description);
  void SetMetadata(const std::string& key, const std::string& value);
  const Model& model() const { return model_; }

  // Validates (ValidateModel) and returns the model. The builder may not be
  // used afterwards.
  Model Build();

 private:
  int NewActivation(const std::string& name, const std::vector<int32_t>& shape, ActQuant quant, double sigma);
  int SameQuantAs(int x, const std::string& name, const std::vector<int32_t>& shape);
  ActQuant EstimateOutputQuant(double sigma, Activation activation) const;
  double SigmaAfter(double sigma, Activation activation) const;
  // count in 64 bits: a product of shapes must not wrap on 32-bit targets.
  std::vector<int8_t> RandomWeights(uint64_t count, const WeightSpec& spec);
  std::vector<float> ChannelScales(int channels, double weight_sigma);
  int BiasTensor(const std::string& name, float input_scale, const std::vector<float>& weight_scales,
                 double output_sigma);
  int ConvLike(int x, BuiltinOp op, int out_channels, int kh, int kw, int stride, Padding padding, int dilation,
               int depth_multiplier, Activation activation, bool bias, const WeightSpec& weights,
               const std::optional<ActQuant>& output_quant);
  void CheckTensor(int index, const char* what) const;
  void CheckInt8(int index, const char* what) const;

  Model model_;
  std::vector<double> sigma_;  // per tensor; 0 for constants
  std::map<std::string, int> name_counts_;
  uint64_t state_;
  bool built_ = false;
};

}  // namespace potacc
