#include "potacc/tflite/model_builder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "potacc/error.h"
#include "potacc/tflite/op_version.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/text.h"
#include "tflite/op_schema.h"

namespace potacc {
namespace {

constexpr double kIntWeightSigma = 42.0;  // std of the approximately normal int8 weights (127 ~ 3 sigma)

template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// RMS of a uniform distribution over [a, b].
double UniformRms(double a, double b) { return std::sqrt((a * a + a * b + b * b) / 3.0); }

int OutputSize(int in, int kernel, int stride, int dilation, Padding padding) {
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  const int effective = (kernel - 1) * dilation + 1;
  return in >= effective ? (in - effective) / stride + 1 : 0;
}

}  // namespace

ModelBuilder::ModelBuilder(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {
  model_.version = 3;
  model_.description = "potacc ModelBuilder";
  model_.buffers.emplace_back();  // buffer 0: TFLite's empty sentinel
  model_.subgraphs.emplace_back();
  model_.main().name = "main";
}

uint64_t ModelBuilder::NextRandom() {
  // splitmix64: tiny, well mixed, identical on every platform.
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string ModelBuilder::UniqueName(const std::string& prefix) {
  return prefix + "_" + std::to_string(name_counts_[prefix]++);
}

void ModelBuilder::SetDescription(std::string description) { model_.description = std::move(description); }

void ModelBuilder::SetMetadata(const std::string& key, const std::string& value) {
  model_.metadata[key] = std::vector<uint8_t>(value.begin(), value.end());
}

void ModelBuilder::CheckTensor(int index, const char* what) const {
  if (built_) throw Error("ModelBuilder: used after Build()");
  if (index < 0 || static_cast<size_t>(index) >= model_.main().tensors.size())
    throw Error(std::string("ModelBuilder: ") + what + ": no tensor " + std::to_string(index));
}

void ModelBuilder::CheckInt8(int index, const char* what) const {
  CheckTensor(index, what);
  if (tensor(index).type != DataType::kInt8)
    throw Error(std::string("ModelBuilder: ") + what + " needs an int8 input, got " +
                DataTypeName(tensor(index).type) + " tensor '" + tensor(index).name + "'");
}

const Tensor& ModelBuilder::tensor(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= model_.main().tensors.size())
    throw Error("ModelBuilder: no tensor " + std::to_string(index));
  return model_.main().tensors[static_cast<size_t>(index)];
}

ActQuant ModelBuilder::quant(int index) const {
  const Tensor& t = tensor(index);
  if (t.quant.scale.size() != 1) throw Error("ModelBuilder: tensor '" + t.name + "' is not per-tensor quantized");
  return {t.quant.scale[0], static_cast<int32_t>(t.quant.zero_point[0])};
}

double ModelBuilder::sigma(int index) const {
  CheckTensor(index, "sigma");
  return sigma_[static_cast<size_t>(index)];
}

int ModelBuilder::AddTensor(const std::string& name, DataType type, const std::vector<int32_t>& shape,
                            QuantParams quant, std::vector<uint8_t> data) {
  if (built_) throw Error("ModelBuilder: used after Build()");
  Tensor t;
  t.name = name;
  t.type = type;
  t.shape = shape;
  t.quant = std::move(quant);
  if (!data.empty()) {
    t.buffer = static_cast<uint32_t>(model_.buffers.size());
    model_.buffers.push_back(Buffer{std::move(data)});
  }
  model_.main().tensors.push_back(std::move(t));
  sigma_.push_back(0.0);
  return static_cast<int>(model_.main().tensors.size() - 1);
}

int ModelBuilder::ConstantInt32(const std::string& name, const std::vector<int32_t>& shape,
                                const std::vector<int32_t>& values) {
  return AddTensor(name, DataType::kInt32, shape, {}, ToBytes(values));
}

void ModelBuilder::AddOperator(BuiltinOp op, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs,
                               OpOptions options) {
  if (built_) throw Error("ModelBuilder: used after Build()");
  const auto code = static_cast<int32_t>(op);
  uint32_t index = 0;
  while (index < model_.operator_codes.size() && model_.operator_codes[index].builtin != code) ++index;
  if (index == model_.operator_codes.size()) model_.operator_codes.push_back(OperatorCode{code, "", 1});
  // Only operators whose TFLite schema has an options table carry one.
  options.has_options = tflite_internal::GetOpSchema(code).options != ::tflite::BuiltinOptions::NONE;
  Operator node;
  node.opcode_index = index;
  node.builtin = code;
  node.inputs = inputs;
  node.outputs = outputs;
  node.options = std::move(options);
  model_.main().operators.push_back(std::move(node));
}

int ModelBuilder::NewActivation(const std::string& name, const std::vector<int32_t>& shape, ActQuant q,
                                double sigma) {
  QuantParams qp;
  qp.scale = {q.scale};
  qp.zero_point = {q.zero_point};
  const int t = AddTensor(name, DataType::kInt8, shape, std::move(qp));
  sigma_[static_cast<size_t>(t)] = sigma;
  return t;
}

int ModelBuilder::SameQuantAs(int x, const std::string& name, const std::vector<int32_t>& shape) {
  return NewActivation(name, shape, quant(x), sigma(x));
}

ActQuant ModelBuilder::EstimateOutputQuant(double sigma, Activation activation) const {
  // The pre-activation is roughly zero-mean with RMS `sigma` (per channel up
  // to 1.4x that, see the channel factors); cover +-6 sigma (or the clamped
  // range of the fused activation). Measured by running generated models:
  // < 1% of values clip and the codes keep a std of ~20 (model_builder_range_test).
  const double range = std::max(6.0 * sigma, 1e-5);
  switch (activation) {
    case Activation::kNone: return {static_cast<float>(range / 127.0), 0};
    case Activation::kRelu: return {static_cast<float>(range / 255.0), -128};
    case Activation::kRelu6: return {static_cast<float>(std::min(range, 6.0) / 255.0), -128};
    case Activation::kReluN1To1: return {static_cast<float>(std::min(range, 1.0) / 127.0), 0};
    default: throw Error("ModelBuilder: fused activation " + std::to_string(static_cast<int>(activation)) +
                         " is not supported");
  }
}

double ModelBuilder::SigmaAfter(double sigma, Activation activation) const {
  switch (activation) {
    case Activation::kRelu: return sigma / std::sqrt(2.0);
    case Activation::kRelu6: return std::min(sigma / std::sqrt(2.0), 3.0);
    case Activation::kReluN1To1: return std::min(sigma, 0.6);
    default: return sigma;
  }
}

std::vector<int8_t> ModelBuilder::RandomWeights(uint64_t count, const WeightSpec& spec) {
  if (count > static_cast<uint64_t>(ReadLimits{}.max_tensor_bytes))
    throw Error("ModelBuilder: weight tensor of " + std::to_string(count) + " elements is larger than the " +
                std::to_string(ReadLimits{}.max_tensor_bytes >> 20) + " MiB tensor limit");
  std::vector<int> levels = spec.levels;
  std::sort(levels.begin(), levels.end());
  for (int l : levels)
    if (l < -128 || l > 127) throw Error("ModelBuilder: weight level " + std::to_string(l) + " is not int8");
  std::vector<int8_t> w(static_cast<size_t>(count));
  for (size_t i = 0; i < w.size(); ++i) {
    // Sum of 4 uniforms on [-1, 1): approximately normal, std 2/sqrt(3).
    double s = 0;
    for (int k = 0; k < 4; ++k) s += static_cast<double>(NextRandom() >> 11) * 0x1.0p-52 - 1.0;
    double v = std::clamp(s * kIntWeightSigma * std::sqrt(3.0) / 2.0, -127.0, 127.0);
    if (!levels.empty()) {
      auto it = std::lower_bound(levels.begin(), levels.end(), static_cast<int>(std::lround(v)));
      int best = it == levels.end() ? levels.back() : *it;
      if (it != levels.begin() && std::abs(*(it - 1) - v) <= std::abs(best - v)) best = *(it - 1);
      v = best;
    }
    w[i] = static_cast<int8_t>(std::lround(v));
  }
  return w;
}

int ModelBuilder::BiasTensor(const std::string& name, float input_scale, const std::vector<float>& weight_scales,
                             double output_sigma) {
  std::vector<int32_t> bias(weight_scales.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    const double u = static_cast<double>(NextRandom() >> 11) * 0x1.0p-52 * 2.0 - 1.0;
    const double real = 0.2 * output_sigma * u;
    const double q = real / (static_cast<double>(input_scale) * weight_scales[c]);
    bias[c] = static_cast<int32_t>(std::clamp(std::lround(q), -(1L << 24), 1L << 24));
  }
  QuantParams qp;
  for (float ws : weight_scales) {
    qp.scale.push_back(input_scale * ws);
    qp.zero_point.push_back(0);
  }
  return AddTensor(name, DataType::kInt32, {static_cast<int32_t>(bias.size())}, std::move(qp), ToBytes(bias));
}

int ModelBuilder::ConvLike(int x, BuiltinOp op, int out_channels, int kh, int kw, int stride, Padding padding,
                           int dilation, int depth_multiplier, Activation activation, bool bias,
                           const WeightSpec& weight_spec, const std::optional<ActQuant>& output_quant) {
  const bool depthwise = op == BuiltinOp::kDepthwiseConv2D;
  const char* what = depthwise ? "DepthwiseConv2D" : "Conv2D";
  CheckInt8(x, what);
  const auto in_shape = shape(x);
  if (in_shape.size() != 4)
    throw Error(std::string("ModelBuilder: ") + what + " needs an NHWC input, got " + FormatShape(in_shape));
  if (kh < 1 || kw < 1 || stride < 1 || dilation < 1 || depth_multiplier < 1)
    throw Error(std::string("ModelBuilder: ") + what + ": kernel, stride, dilation must be >= 1");
  const int cin = in_shape[3];
  const int cout = depthwise ? cin * depth_multiplier : out_channels;
  if (cout < 1) throw Error(std::string("ModelBuilder: ") + what + ": out_channels must be >= 1");
  const int oh = OutputSize(in_shape[1], kh, stride, dilation, padding);
  const int ow = OutputSize(in_shape[2], kw, stride, dilation, padding);
  if (oh < 1 || ow < 1)
    throw Error(std::string("ModelBuilder: ") + what + ": kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                " does not fit input " + FormatShape(in_shape) + " with VALID padding");

  const std::string name = UniqueName(depthwise ? "depthwise_conv2d" : "conv2d");
  const int fan_in = depthwise ? kh * kw : kh * kw * cin;
  const size_t per_channel = static_cast<size_t>(fan_in);
  const std::vector<int32_t> wshape =
      depthwise ? std::vector<int32_t>{1, kh, kw, cout} : std::vector<int32_t>{cout, kh, kw, cin};
  const std::vector<int8_t> w = RandomWeights(uint64_t{per_channel} * static_cast<uint64_t>(cout), weight_spec);

  // Per-channel scales: real weights have std f_c / sqrt(fan_in) with a
  // channel factor f_c in [0.6, 1.4], so the output RMS ~ the input RMS.
  const double weight_sigma = 1.0 / std::sqrt(static_cast<double>(fan_in));
  std::vector<float> scales(static_cast<size_t>(cout));
  for (int c = 0; c < cout; ++c) {
    double sum_sq = 0;
    for (size_t i = 0; i < per_channel; ++i) {
      // Conv: channel-major [cout][kh*kw*cin]; depthwise: channel is the last dim.
      const size_t idx = depthwise ? i * static_cast<size_t>(cout) + static_cast<size_t>(c)
                                   : static_cast<size_t>(c) * per_channel + i;
      sum_sq += static_cast<double>(w[idx]) * w[idx];
    }
    const double rms = std::sqrt(sum_sq / static_cast<double>(per_channel));
    const double factor = 0.6 + 0.8 * static_cast<double>(NextRandom() >> 11) * 0x1.0p-53;
    scales[static_cast<size_t>(c)] =
        static_cast<float>(weight_sigma * factor / (rms > 0 ? rms : kIntWeightSigma));
  }
  QuantParams wq;
  wq.scale = scales;
  wq.zero_point.assign(scales.size(), 0);
  wq.quantized_dimension = depthwise ? 3 : 0;
  const int wt = AddTensor(name + "/weights", DataType::kInt8, wshape, std::move(wq), ToBytes(w));

  const double out_sigma = sigma(x);  // weights normalised to keep the RMS
  const ActQuant oq = output_quant ? *output_quant : EstimateOutputQuant(out_sigma, activation);
  std::vector<int32_t> inputs = {x, wt};
  if (bias) inputs.push_back(BiasTensor(name + "/bias", quant(x).scale, scales, out_sigma));
  const int y = NewActivation(name, {in_shape[0], oh, ow, cout}, oq, SigmaAfter(out_sigma, activation));

  OpOptions o;
  o.padding = padding;
  o.stride_w = o.stride_h = stride;
  o.dilation_w = o.dilation_h = dilation;
  o.activation = activation;
  if (depthwise) o.depth_multiplier = depth_multiplier;
  AddOperator(op, inputs, {y}, o);
  return y;
}

int ModelBuilder::Input(const std::vector<int32_t>& shape, float scale, int32_t zero_point, const std::string& name) {
  if (built_) throw Error("ModelBuilder: used after Build()");
  const double rms = UniformRms((-128.0 - zero_point) * scale, (127.0 - zero_point) * scale);
  const int t = NewActivation(name, shape, {scale, zero_point}, rms);
  model_.main().inputs.push_back(t);
  return t;
}

int ModelBuilder::FloatInput(const std::vector<int32_t>& shape, float scale, int32_t zero_point,
                             const std::string& name) {
  const int f = AddTensor(name, DataType::kFloat32, shape);
  sigma_[static_cast<size_t>(f)] = UniformRms((-128.0 - zero_point) * scale, (127.0 - zero_point) * scale);
  model_.main().inputs.push_back(f);
  return Quantize(f, {scale, zero_point});
}

int ModelBuilder::RawInput(const std::string& name, DataType type, const std::vector<int32_t>& shape) {
  const int t = AddTensor(name, type, shape);
  model_.main().inputs.push_back(t);
  return t;
}

void ModelBuilder::Output(int x) {
  CheckTensor(x, "Output");
  model_.main().outputs.push_back(x);
}

void ModelBuilder::FloatOutput(int x) { Output(Dequantize(x)); }

int ModelBuilder::Conv2D(int x, const ConvSpec& s) {
  return ConvLike(x, BuiltinOp::kConv2D, s.out_channels, s.kernel_h > 0 ? s.kernel_h : s.kernel,
                  s.kernel_w > 0 ? s.kernel_w : s.kernel, s.stride, s.padding, s.dilation, 1, s.activation, s.bias,
                  s.weights, s.output_quant);
}

int ModelBuilder::DepthwiseConv2D(int x, const DepthwiseSpec& s) {
  return ConvLike(x, BuiltinOp::kDepthwiseConv2D, 0, s.kernel_h > 0 ? s.kernel_h : s.kernel,
                  s.kernel_w > 0 ? s.kernel_w : s.kernel, s.stride, s.padding, s.dilation, s.depth_multiplier,
                  s.activation, s.bias, s.weights, s.output_quant);
}

int ModelBuilder::FullyConnected(int x, const FullyConnectedSpec& s) {
  CheckInt8(x, "FullyConnected");
  const auto in_shape = shape(x);
  if (in_shape.size() < 2) throw Error("ModelBuilder: FullyConnected needs rank >= 2, got " + FormatShape(in_shape));
  if (s.out_features < 1) throw Error("ModelBuilder: FullyConnected: out_features must be >= 1");
  int64_t in_features = 1;
  for (size_t i = 1; i < in_shape.size(); ++i) in_features *= in_shape[i];
  if (in_features < 1 || in_features > (1 << 24)) throw Error("ModelBuilder: FullyConnected: bad input size");
  const std::string name = UniqueName("fully_connected");
  const auto fan_in = static_cast<size_t>(in_features);
  const std::vector<int8_t> w = RandomWeights(uint64_t{fan_in} * static_cast<uint64_t>(s.out_features), s.weights);
  if (s.output_sigma < 0) throw Error("ModelBuilder: FullyConnected: output_sigma must be >= 0");
  const double out_sigma = s.output_sigma > 0 ? s.output_sigma : sigma(x);
  const double weight_sigma = out_sigma / std::max(sigma(x), 1e-12) / std::sqrt(static_cast<double>(fan_in));
  std::vector<float> scales(static_cast<size_t>(s.out_features));
  for (size_t c = 0; c < scales.size(); ++c) {
    double sum_sq = 0;
    for (size_t i = 0; i < fan_in; ++i) sum_sq += static_cast<double>(w[c * fan_in + i]) * w[c * fan_in + i];
    const double rms = std::sqrt(sum_sq / static_cast<double>(fan_in));
    const double factor = 0.6 + 0.8 * static_cast<double>(NextRandom() >> 11) * 0x1.0p-53;
    scales[c] = static_cast<float>(weight_sigma * factor / (rms > 0 ? rms : kIntWeightSigma));
  }
  QuantParams wq;
  wq.scale = scales;
  wq.zero_point.assign(scales.size(), 0);
  const int wt = AddTensor(name + "/weights", DataType::kInt8, {s.out_features, static_cast<int32_t>(in_features)},
                           std::move(wq), ToBytes(w));
  const ActQuant oq = s.output_quant ? *s.output_quant : EstimateOutputQuant(out_sigma, s.activation);
  std::vector<int32_t> inputs = {x, wt};
  if (s.bias) inputs.push_back(BiasTensor(name + "/bias", quant(x).scale, scales, out_sigma));
  const int y = NewActivation(name, {in_shape[0], s.out_features}, oq, SigmaAfter(out_sigma, s.activation));
  OpOptions o;
  o.activation = s.activation;
  AddOperator(BuiltinOp::kFullyConnected, inputs, {y}, o);
  return y;
}

int ModelBuilder::Add(int a, int b, Activation activation) {
  CheckInt8(a, "Add");
  CheckInt8(b, "Add");
  if (shape(a) != shape(b))
    throw Error("ModelBuilder: Add needs equal shapes, got " + FormatShape(shape(a)) + " and " + FormatShape(shape(b)));
  const double s = std::sqrt(sigma(a) * sigma(a) + sigma(b) * sigma(b));
  const int y = NewActivation(UniqueName("add"), shape(a), EstimateOutputQuant(s, activation), SigmaAfter(s, activation));
  OpOptions o;
  o.activation = activation;
  AddOperator(BuiltinOp::kAdd, {a, b}, {y}, o);
  return y;
}

int ModelBuilder::Mul(int a, int b, Activation activation) {
  CheckInt8(a, "Mul");
  CheckInt8(b, "Mul");
  if (shape(a) != shape(b))
    throw Error("ModelBuilder: Mul needs equal shapes, got " + FormatShape(shape(a)) + " and " + FormatShape(shape(b)));
  const double s = sigma(a) * sigma(b);
  const int y = NewActivation(UniqueName("mul"), shape(a), EstimateOutputQuant(s, activation), SigmaAfter(s, activation));
  OpOptions o;
  o.activation = activation;
  AddOperator(BuiltinOp::kMul, {a, b}, {y}, o);
  return y;
}

namespace {
int PoolImpl(ModelBuilder& b, int x, const PoolSpec& s, BuiltinOp op, const char* what, const std::string& name) {
  const auto in_shape = b.shape(x);
  if (in_shape.size() != 4) throw Error(std::string("ModelBuilder: ") + what + " needs an NHWC input");
  if (s.filter < 1 || s.stride < 1) throw Error(std::string("ModelBuilder: ") + what + ": filter/stride must be >= 1");
  const int oh = OutputSize(in_shape[1], s.filter, s.stride, 1, s.padding);
  const int ow = OutputSize(in_shape[2], s.filter, s.stride, 1, s.padding);
  if (oh < 1 || ow < 1) throw Error(std::string("ModelBuilder: ") + what + ": filter larger than the input");
  QuantParams q = b.tensor(x).quant;  // TFLite int8 pooling keeps the input quantization
  const int y = b.AddTensor(name, DataType::kInt8, {in_shape[0], oh, ow, in_shape[3]}, q);
  OpOptions o;
  o.padding = s.padding;
  o.stride_w = o.stride_h = s.stride;
  o.filter_w = o.filter_h = s.filter;
  o.activation = s.activation;
  b.AddOperator(op, {x}, {y}, o);
  return y;
}
}  // namespace

int ModelBuilder::AveragePool2D(int x, const PoolSpec& s) {
  CheckInt8(x, "AveragePool2D");
  const int y = PoolImpl(*this, x, s, BuiltinOp::kAveragePool2D, "AveragePool2D", UniqueName("average_pool2d"));
  sigma_[static_cast<size_t>(y)] = sigma(x);
  return y;
}

int ModelBuilder::MaxPool2D(int x, const PoolSpec& s) {
  CheckInt8(x, "MaxPool2D");
  const int y = PoolImpl(*this, x, s, BuiltinOp::kMaxPool2D, "MaxPool2D", UniqueName("max_pool2d"));
  sigma_[static_cast<size_t>(y)] = sigma(x);
  return y;
}

int ModelBuilder::Mean(int x, const std::vector<int32_t>& axes, bool keep_dims) {
  CheckInt8(x, "Mean");
  const auto in_shape = shape(x);
  const int rank = static_cast<int>(in_shape.size());
  std::vector<bool> reduced(in_shape.size(), false);
  std::vector<int32_t> norm_axes;
  for (int32_t a : axes) {
    const int32_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw Error("ModelBuilder: Mean axis " + std::to_string(a) + " out of range");
    reduced[static_cast<size_t>(n)] = true;
    norm_axes.push_back(n);
  }
  std::vector<int32_t> out_shape;
  for (int i = 0; i < rank; ++i) {
    if (!reduced[static_cast<size_t>(i)]) out_shape.push_back(in_shape[static_cast<size_t>(i)]);
    else if (keep_dims) out_shape.push_back(1);
  }
  const std::string name = UniqueName("mean");
  const int axes_t = ConstantInt32(name + "/axes", {static_cast<int32_t>(norm_axes.size())}, norm_axes);
  const int y = SameQuantAs(x, name, out_shape);
  OpOptions o;
  o.keep_dims = keep_dims;
  AddOperator(BuiltinOp::kMean, {x, axes_t}, {y}, o);
  return y;
}

int ModelBuilder::Pad(int x, const std::vector<std::array<int32_t, 2>>& paddings) {
  CheckInt8(x, "Pad");
  const auto in_shape = shape(x);
  if (paddings.size() != in_shape.size())
    throw Error("ModelBuilder: Pad needs one {before, after} pair per dimension of " + FormatShape(in_shape));
  std::vector<int32_t> flat, out_shape;
  for (size_t i = 0; i < paddings.size(); ++i) {
    if (paddings[i][0] < 0 || paddings[i][1] < 0) throw Error("ModelBuilder: Pad amounts must be >= 0");
    flat.push_back(paddings[i][0]);
    flat.push_back(paddings[i][1]);
    out_shape.push_back(in_shape[i] + paddings[i][0] + paddings[i][1]);
  }
  const std::string name = UniqueName("pad");
  const int p = ConstantInt32(name + "/paddings", {static_cast<int32_t>(paddings.size()), 2}, flat);
  const int y = SameQuantAs(x, name, out_shape);
  AddOperator(BuiltinOp::kPad, {x, p}, {y});
  return y;
}

int ModelBuilder::Reshape(int x, const std::vector<int32_t>& new_shape) {
  CheckTensor(x, "Reshape");
  const int64_t total = tensor(x).num_elements();
  std::vector<int32_t> out = new_shape;
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1 && infer < 0) infer = static_cast<int>(i);
    else if (out[i] < 0) throw Error("ModelBuilder: Reshape: bad shape " + FormatShape(new_shape));
    else known *= out[i];
  }
  if (infer >= 0 && known > 0 && total % known == 0) out[static_cast<size_t>(infer)] = static_cast<int32_t>(total / known);
  int64_t n = 1;
  for (int32_t d : out) n *= d;
  if (n != total)
    throw Error("ModelBuilder: Reshape " + FormatShape(shape(x)) + " to " + FormatShape(new_shape) + " changes the size");
  const std::string name = UniqueName("reshape");
  const int s = ConstantInt32(name + "/shape", {static_cast<int32_t>(out.size())}, out);
  const Tensor& in = tensor(x);
  const int y = AddTensor(name, in.type, out, in.quant);
  sigma_[static_cast<size_t>(y)] = sigma(x);
  OpOptions o;
  o.new_shape = out;
  AddOperator(BuiltinOp::kReshape, {x, s}, {y}, o);
  return y;
}

int ModelBuilder::Softmax(int x, float beta) {
  CheckInt8(x, "Softmax");
  // TFLite requires int8 softmax outputs to use scale 1/256, zero point -128.
  const int y = NewActivation(UniqueName("softmax"), shape(x), {1.0f / 256.0f, -128}, 0.3);
  OpOptions o;
  o.beta = beta;
  AddOperator(BuiltinOp::kSoftmax, {x}, {y}, o);
  return y;
}

int ModelBuilder::Concatenation(const std::vector<int>& xs, int axis, Activation activation) {
  if (xs.empty()) throw Error("ModelBuilder: Concatenation needs inputs");
  for (int x : xs) CheckInt8(x, "Concatenation");
  const auto first = shape(xs[0]);
  const int rank = static_cast<int>(first.size());
  const int ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) throw Error("ModelBuilder: Concatenation axis " + std::to_string(axis) + " out of range");
  // Target quantization: the input with the widest real range, so nothing clips.
  int widest = xs[0];
  for (int x : xs)
    if (quant(x).scale > quant(widest).scale) widest = x;
  const ActQuant target = quant(widest);
  std::vector<int32_t> inputs;
  std::vector<int32_t> out_shape = first;
  out_shape[static_cast<size_t>(ax)] = 0;
  double sum_sq = 0;
  for (int x : xs) {
    const auto s = shape(x);
    for (int i = 0; i < rank; ++i)
      if (i != ax && (static_cast<int>(s.size()) != rank || s[static_cast<size_t>(i)] != first[static_cast<size_t>(i)]))
        throw Error("ModelBuilder: Concatenation shapes " + FormatShape(first) + " and " + FormatShape(s) + " differ");
    out_shape[static_cast<size_t>(ax)] += s[static_cast<size_t>(ax)];
    sum_sq += sigma(x) * sigma(x);
    const ActQuant q = quant(x);
    inputs.push_back(q.scale == target.scale && q.zero_point == target.zero_point ? x : Quantize(x, target));
  }
  const int y = NewActivation(UniqueName("concatenation"), out_shape, target,
                              std::sqrt(sum_sq / static_cast<double>(xs.size())));
  OpOptions o;
  o.axis = ax;
  o.activation = activation;
  AddOperator(BuiltinOp::kConcatenation, inputs, {y}, o);
  return y;
}

int ModelBuilder::Relu(int x) {
  CheckInt8(x, "Relu");
  const ActQuant q = quant(x);
  const double hi = std::max((127.0 - q.zero_point) * q.scale, 1e-5);
  const int y = NewActivation(UniqueName("relu"), shape(x), {static_cast<float>(hi / 255.0), -128},
                              sigma(x) / std::sqrt(2.0));
  AddOperator(BuiltinOp::kRelu, {x}, {y});
  return y;
}

int ModelBuilder::Relu6(int x) {
  CheckInt8(x, "Relu6");
  const ActQuant q = quant(x);
  const double hi = std::clamp((127.0 - q.zero_point) * q.scale, 1e-5, 6.0);
  const int y = NewActivation(UniqueName("relu6"), shape(x), {static_cast<float>(hi / 255.0), -128},
                              std::min(sigma(x) / std::sqrt(2.0), 3.0));
  AddOperator(BuiltinOp::kRelu6, {x}, {y});
  return y;
}

int ModelBuilder::Logistic(int x) {
  CheckInt8(x, "Logistic");
  // TFLite requires int8 logistic outputs to use scale 1/256, zero point -128.
  const int y = NewActivation(UniqueName("logistic"), shape(x), {1.0f / 256.0f, -128}, 0.5);
  AddOperator(BuiltinOp::kLogistic, {x}, {y});
  return y;
}

int ModelBuilder::Quantize(int x, ActQuant q) {
  CheckTensor(x, "Quantize");
  const DataType t = tensor(x).type;
  if (t != DataType::kFloat32 && t != DataType::kInt8)
    throw Error("ModelBuilder: Quantize needs a float32 or int8 input");
  if (!(q.scale > 0) || q.zero_point < -128 || q.zero_point > 127)
    throw Error("ModelBuilder: Quantize: bad quantization parameters");
  const int y = NewActivation(UniqueName("quantize"), shape(x), q, sigma(x));
  AddOperator(BuiltinOp::kQuantize, {x}, {y});
  return y;
}

int ModelBuilder::Dequantize(int x) {
  CheckInt8(x, "Dequantize");
  const int y = AddTensor(UniqueName("dequantize"), DataType::kFloat32, shape(x));
  sigma_[static_cast<size_t>(y)] = sigma(x);
  AddOperator(BuiltinOp::kDequantize, {x}, {y});
  return y;
}

Model ModelBuilder::Build() {
  if (built_) throw Error("ModelBuilder: Build() called twice");
  if (model_.main().inputs.empty()) throw Error("ModelBuilder: the model has no inputs");
  if (model_.main().outputs.empty()) throw Error("ModelBuilder: the model has no outputs (call Output())");
  SetConverterOpVersions(model_);  // operator versions and min_runtime_version as TFLite's converter writes them
  ValidateModel(model_, "ModelBuilder");
  built_ = true;
  return std::move(model_);
}

}  // namespace potacc
