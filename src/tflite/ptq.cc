#include "potacc/tflite/ptq.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <span>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/op_version.h"
#include "potacc/tflite/reader.h"

namespace potacc {
namespace {

template <class T>
std::vector<T> Values(const std::vector<uint8_t>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

template <class T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Union-find over tensor indices (operands that must share one quantization).
struct Groups {
  std::vector<int> parent;
  explicit Groups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int Find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(int a, int b) { parent[Find(a)] = Find(b); }
};

bool SharesQuantization(BuiltinOp op) {
  switch (op) {
    case BuiltinOp::kReshape:
    case BuiltinOp::kTranspose:
    case BuiltinOp::kGather:
    case BuiltinOp::kConcatenation:
    case BuiltinOp::kSqueeze:
    case BuiltinOp::kStridedSlice:
    case BuiltinOp::kPad:
      return true;
    default:
      return false;
  }
}

bool Supported(BuiltinOp op) {
  switch (op) {
    case BuiltinOp::kConv2D:
    case BuiltinOp::kDepthwiseConv2D:
    case BuiltinOp::kFullyConnected:
    case BuiltinOp::kBatchMatMul:
    case BuiltinOp::kAdd:
    case BuiltinOp::kSub:
    case BuiltinOp::kMul:
    case BuiltinOp::kSquaredDifference:
    case BuiltinOp::kMean:
    case BuiltinOp::kRsqrt:
    case BuiltinOp::kSoftmax:
    case BuiltinOp::kLogistic:
    case BuiltinOp::kTanh:
    case BuiltinOp::kGelu:
    case BuiltinOp::kRelu:
    case BuiltinOp::kRelu6:
    case BuiltinOp::kAveragePool2D:
    case BuiltinOp::kMaxPool2D:
      return true;
    default:
      return SharesQuantization(op);
  }
}

// Weight / bias roles of the float constants of GEMM-like layers.
struct Role {
  bool weight = false;
  bool bias = false;
  int channel_dim = 0;
  int layer = -1;  // operator index
};

QuantParams PerTensor(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

int8_t QuantizeValue(float x, float scale, int64_t zero_point, int lo = -128) {
  const double q = std::round(static_cast<double>(x) / scale) + static_cast<double>(zero_point);
  return static_cast<int8_t>(std::clamp(q, static_cast<double>(lo), 127.0));
}

// Per-channel symmetric int8 weights along channel_dim.
std::vector<int8_t> QuantizeWeights(const std::vector<float>& w, const std::vector<int32_t>& shape, int channel_dim,
                                    QuantParams* quant) {
  const int channels = shape.at(channel_dim);
  int64_t inner = 1;
  for (size_t d = channel_dim + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
    max_abs[c] = std::max(max_abs[c], std::fabs(w[i]));
  }
  quant->scale.assign(static_cast<size_t>(channels), 1.0f);
  quant->zero_point.assign(static_cast<size_t>(channels), 0);
  quant->quantized_dimension = channel_dim;
  for (int c = 0; c < channels; ++c)
    if (max_abs[c] > 0) quant->scale[c] = max_abs[c] / 127.0f;
  std::vector<int8_t> q(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
    q[i] = QuantizeValue(w[i], quant->scale[c], 0, -127);
  }
  return q;
}

class Quantizer {
 public:
  Quantizer(const Model& fm, const std::vector<std::vector<float>>& calibration)
      : float_(fm), g_(fm.main()), calibration_(calibration), groups_(g_.tensors.size()) {}

  Model Run() {
    Check(g_.inputs.size() == 1 && g_.tensors.at(g_.inputs[0]).type == DataType::kFloat32,
          "post-training quantization needs one float32 input");
    AssignRoles();  // refuses unsupported operators before running anything
    ranges_ = CalibrateRanges(float_, calibration_);
    AssignGroups();
    Model m = float_;
    Subgraph& g = m.main();
    quant_.assign(g.tensors.size(), {});
    for (size_t t = 0; t < g.tensors.size(); ++t) QuantizeTensor(m, static_cast<int>(t));
    for (size_t t = 0; t < g.tensors.size(); ++t)
      if (roles_[t].bias) QuantizeBias(m, static_cast<int>(t));
    WrapInputsAndOutputs(m);
    DropUnusedBuffers(m);
    SetConverterOpVersions(m);
    ValidateModel(m, "post-training quantization");
    return m;
  }

 private:
  void AssignRoles() {
    roles_.assign(g_.tensors.size(), {});
    for (size_t n = 0; n < g_.operators.size(); ++n) {
      const Operator& op = g_.operators[n];
      Check(Supported(op.op()), "post-training quantization does not support " + BuiltinOpName(op.builtin) +
                                    " (node " + std::to_string(n) + ")");
      const bool gemm = op.op() == BuiltinOp::kConv2D || op.op() == BuiltinOp::kDepthwiseConv2D ||
                        op.op() == BuiltinOp::kFullyConnected;
      if (!gemm) continue;
      Check(op.inputs.size() >= 2 && op.inputs[1] >= 0 && ConstantData(float_, g_.tensors[op.inputs[1]]),
            BuiltinOpName(op.builtin) + " (node " + std::to_string(n) + ") needs constant weights");
      Role& w = roles_[op.inputs[1]];
      w.weight = true;
      w.layer = static_cast<int>(n);
      w.channel_dim = op.op() == BuiltinOp::kDepthwiseConv2D ? 3 : 0;
      if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
        roles_[op.inputs[2]].bias = true;
        roles_[op.inputs[2]].layer = static_cast<int>(n);
      }
    }
  }

  void AssignGroups() {
    fixed_.assign(g_.tensors.size(), std::nullopt);
    for (const Operator& op : g_.operators) {
      if (op.outputs.empty() || op.inputs.empty()) continue;
      const int out = op.outputs[0];
      if (SharesQuantization(op.op())) {
        const size_t operands = op.op() == BuiltinOp::kConcatenation ? op.inputs.size() : 1;
        for (size_t i = 0; i < operands; ++i)
          if (op.inputs[i] >= 0 && g_.tensors[op.inputs[i]].type == DataType::kFloat32) groups_.Join(op.inputs[i], out);
      }
      if (op.op() == BuiltinOp::kSoftmax || op.op() == BuiltinOp::kLogistic) fixed_[out] = PerTensor(1.0f / 256, -128);
      if (op.op() == BuiltinOp::kTanh) fixed_[out] = PerTensor(1.0f / 128, 0);
    }
    group_quant_.assign(g_.tensors.size(), {});
    std::vector<TensorRange> group_range(g_.tensors.size());
    std::vector<std::optional<QuantParams>> group_fixed(g_.tensors.size());
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (g_.tensors[t].type != DataType::kFloat32) continue;
      const int root = groups_.Find(static_cast<int>(t));
      TensorRange& r = group_range[root];
      if (ranges_[t].seen) {
        r.min = r.seen ? std::min(r.min, ranges_[t].min) : ranges_[t].min;
        r.max = r.seen ? std::max(r.max, ranges_[t].max) : ranges_[t].max;
        r.seen = true;
      }
      if (fixed_[t]) group_fixed[root] = fixed_[t];
    }
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (groups_.Find(static_cast<int>(t)) != static_cast<int>(t)) continue;
      const TensorRange& r = group_range[t];
      group_quant_[t] = group_fixed[t] ? *group_fixed[t] : Int8QuantForRange(r.min, r.max);
    }
  }

  void QuantizeTensor(Model& m, int t) {
    Tensor& tensor = m.main().tensors[t];
    if (tensor.type != DataType::kFloat32 || roles_[t].bias) return;
    const std::vector<uint8_t>* data = ConstantData(float_, g_.tensors[t]);
    if (roles_[t].weight) {
      QuantParams q;
      const auto codes = QuantizeWeights(Values<float>(*data), tensor.shape, roles_[t].channel_dim, &q);
      SetConstant(m, t, DataType::kInt8, Bytes(codes), q);
      return;
    }
    const QuantParams q = group_quant_[groups_.Find(t)];
    if (data) {
      const auto values = Values<float>(*data);
      std::vector<int8_t> codes(values.size());
      for (size_t i = 0; i < values.size(); ++i) codes[i] = QuantizeValue(values[i], q.scale[0], q.zero_point[0]);
      SetConstant(m, t, DataType::kInt8, Bytes(codes), q);
      return;
    }
    tensor.type = DataType::kInt8;
    tensor.quant = q;
    quant_[t] = q;
  }

  // int32 bias with scale input_scale * weight_scale[c] (float products).
  void QuantizeBias(Model& m, int t) {
    const Operator& op = g_.operators.at(roles_[t].layer);
    const QuantParams& in = quant_.at(op.inputs[0]);
    const QuantParams& w = quant_.at(op.inputs[1]);
    Check(!in.empty() && !w.empty(), "bias of node " + std::to_string(roles_[t].layer) + " has unquantized operands");
    const auto values = Values<float>(*ConstantData(float_, g_.tensors[t]));
    QuantParams q;
    std::vector<int32_t> codes(values.size());
    for (size_t c = 0; c < values.size(); ++c) {
      const float s = in.scale[0] * (w.scale.size() == 1 ? w.scale[0] : w.scale[c]);
      q.scale.push_back(s);
      q.zero_point.push_back(0);
      const double v = std::round(static_cast<double>(values[c]) / s);
      codes[c] = static_cast<int32_t>(std::clamp(v, -2147483647.0, 2147483647.0));
    }
    SetConstant(m, t, DataType::kInt32, Bytes(codes), q);
  }

  void SetConstant(Model& m, int t, DataType type, std::vector<uint8_t> bytes, const QuantParams& q) {
    Tensor& tensor = m.main().tensors[t];
    tensor.type = type;
    tensor.quant = q;
    quant_[t] = q;
    // Each constant gets its own buffer (float buffers may be shared).
    tensor.buffer = static_cast<uint32_t>(m.buffers.size());
    m.buffers.push_back(Buffer{std::move(bytes)});
  }

  // The float constants' buffers are no longer referenced: keep buffer 0 and
  // the referenced ones, renumbered in order.
  static void DropUnusedBuffers(Model& m) {
    std::vector<int64_t> map(m.buffers.size(), -1);
    for (const Tensor& t : m.main().tensors) map.at(t.buffer) = 1;
    map[0] = 0;
    std::vector<Buffer> kept = {Buffer{}};
    for (size_t b = 1; b < m.buffers.size(); ++b) {
      if (map[b] < 0) continue;
      map[b] = static_cast<int64_t>(kept.size());
      kept.push_back(std::move(m.buffers[b]));
    }
    for (Tensor& t : m.main().tensors) t.buffer = static_cast<uint32_t>(map[t.buffer]);
    m.buffers = std::move(kept);
  }

  static uint32_t OpcodeIndex(Model& m, BuiltinOp op) {
    const auto code = static_cast<int32_t>(op);
    for (uint32_t i = 0; i < m.operator_codes.size(); ++i)
      if (m.operator_codes[i].builtin == code) return i;
    m.operator_codes.push_back(OperatorCode{code, "", 1});
    return static_cast<uint32_t>(m.operator_codes.size() - 1);
  }

  // Float input -> QUANTIZE -> int8 graph -> DEQUANTIZE -> float outputs.
  void WrapInputsAndOutputs(Model& m) {
    Subgraph& g = m.main();
    const int in = g.inputs[0];
    Tensor& input = g.tensors[in];
    const QuantParams q = input.quant;  // set by QuantizeTensor
    Tensor quantized = input;
    quantized.name = input.name + "_int8";
    input.type = DataType::kFloat32;
    input.quant = {};
    const int qin = static_cast<int>(g.tensors.size());
    g.tensors.push_back(quantized);
    for (Operator& op : g.operators)
      for (int32_t& i : op.inputs)
        if (i == in) i = qin;
    Operator quantize;
    quantize.builtin = static_cast<int32_t>(BuiltinOp::kQuantize);
    quantize.opcode_index = OpcodeIndex(m, BuiltinOp::kQuantize);
    quantize.inputs = {in};
    quantize.outputs = {qin};
    quantize.options.has_options = true;
    g.operators.insert(g.operators.begin(), quantize);
    for (int32_t& out : g.outputs) {
      Tensor f = g.tensors[out];
      f.name = f.name + "_float";
      f.type = DataType::kFloat32;
      f.quant = {};
      const int fo = static_cast<int>(g.tensors.size());
      g.tensors.push_back(f);
      Operator dequantize;
      dequantize.builtin = static_cast<int32_t>(BuiltinOp::kDequantize);
      dequantize.opcode_index = OpcodeIndex(m, BuiltinOp::kDequantize);
      dequantize.inputs = {out};
      dequantize.outputs = {fo};
      dequantize.options.has_options = true;
      g.operators.push_back(dequantize);
      out = fo;
    }
  }

  const Model& float_;
  const Subgraph& g_;
  const std::vector<std::vector<float>>& calibration_;
  std::vector<TensorRange> ranges_;
  Groups groups_;
  std::vector<Role> roles_;
  std::vector<std::optional<QuantParams>> fixed_;
  std::vector<QuantParams> group_quant_;
  std::vector<QuantParams> quant_;
};

}  // namespace

QuantParams Int8QuantForRange(float min, float max) {
  double lo = std::min(0.0, static_cast<double>(min));
  double hi = std::max(0.0, static_cast<double>(max));
  if (!(hi - lo > 1e-30)) hi = lo + 1e-6;  // an all-zero tensor still needs a positive scale
  const double scale = (hi - lo) / 255.0;
  const double zero_point_from_min = -128.0 - lo / scale;
  const double zp = zero_point_from_min < -128.0 ? -128.0 : zero_point_from_min > 127.0 ? 127.0
                                                                                        : std::round(zero_point_from_min);
  return PerTensor(static_cast<float>(scale), static_cast<int64_t>(zp));
}

std::vector<TensorRange> CalibrateRanges(const Model& float_model,
                                         const std::vector<std::vector<float>>& calibration_inputs) {
  Check(!calibration_inputs.empty(), "post-training quantization needs calibration inputs");
  const Subgraph& g = float_model.main();
  std::vector<TensorRange> ranges(g.tensors.size());
  Interpreter interp(float_model);
  interp.Prepare();
  for (const std::vector<float>& input : calibration_inputs) {
    interp.SetInput(0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(input.data()),
                                                input.size() * sizeof(float)));
    interp.Invoke();
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (g.tensors[t].type != DataType::kFloat32) continue;
      const auto bytes = interp.tensor_bytes(static_cast<int>(t));
      const size_t n = bytes.size() / sizeof(float);
      TensorRange& r = ranges[t];
      for (size_t i = 0; i < n; ++i) {
        float v;
        std::memcpy(&v, bytes.data() + i * sizeof(float), sizeof(float));
        if (!std::isfinite(v)) continue;
        r.min = r.seen ? std::min(r.min, v) : v;
        r.max = r.seen ? std::max(r.max, v) : v;
        r.seen = true;
      }
    }
  }
  return ranges;
}

Model QuantizeFullInteger(const Model& float_model, const std::vector<std::vector<float>>& calibration_inputs) {
  Check(!float_model.subgraphs.empty(), "post-training quantization: model has no subgraph");
  return Quantizer(float_model, calibration_inputs).Run();
}

}  // namespace potacc
