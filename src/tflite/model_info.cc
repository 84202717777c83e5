#include "potacc/tflite/model_info.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "potacc/quant/method.h"
#include "potacc/report/table.h"
#include "potacc/util/text.h"

namespace potacc {
namespace {

std::string Grouped(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string Human(double v, const char* unit) {
  char buf[64];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2f G%s", v / 1e9, unit);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2f M%s", v / 1e6, unit);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k%s", v / 1e3, unit);
  else std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
  return buf;
}

std::string ScaleStr(float s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", static_cast<double>(s));
  return buf;
}

const char* ActName(Activation a) {
  switch (a) {
    case Activation::kNone: return "";
    case Activation::kRelu: return "relu";
    case Activation::kReluN1To1: return "relu_n1_to_1";
    case Activation::kRelu6: return "relu6";
    case Activation::kTanh: return "tanh";
    case Activation::kSignBit: return "sign_bit";
  }
  return "?";
}

TensorInfo Describe(const Model& m, const Subgraph& sg, int index) {
  TensorInfo t;
  t.index = index;
  if (index < 0 || static_cast<size_t>(index) >= sg.tensors.size()) return t;
  const Tensor& x = sg.tensors[static_cast<size_t>(index)];
  t.name = x.name;
  t.type = x.type;
  t.shape = x.shape;
  t.constant = ConstantData(m, x) != nullptr;
  t.num_scales = static_cast<int>(x.quant.scale.size());
  if (t.num_scales > 0) {
    t.scale = x.quant.scale[0];
    t.zero_point = x.quant.zero_point.empty() ? 0 : x.quant.zero_point[0];
    t.quantized_dimension = x.quant.quantized_dimension;
  }
  return t;
}

int64_t Elements(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= std::max<int32_t>(d, 0);
  return n;
}

std::string OptionsSummary(const Operator& op, const std::vector<TensorInfo>& inputs) {
  const OpOptions& o = op.options;
  std::string s;
  auto pad = [&] { return o.padding == Padding::kSame ? std::string(" SAME") : std::string(" VALID"); };
  auto act = [&] { return o.activation == Activation::kNone ? std::string() : std::string(" ") + ActName(o.activation); };
  auto kernel = [&](int h_dim, int w_dim) {
    if (inputs.size() < 2 || inputs[1].shape.size() != 4) return std::string("?x?");
    return std::to_string(inputs[1].shape[static_cast<size_t>(h_dim)]) + "x" +
           std::to_string(inputs[1].shape[static_cast<size_t>(w_dim)]);
  };
  auto stride = [&] {
    std::string r = o.stride_h == o.stride_w ? " s" + std::to_string(o.stride_h)
                                              : " s" + std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w);
    if (o.dilation_h != 1 || o.dilation_w != 1) r += " d" + std::to_string(o.dilation_h);
    return r;
  };
  switch (op.op()) {
    case BuiltinOp::kConv2D: s = kernel(1, 2) + stride() + pad() + act(); break;
    case BuiltinOp::kDepthwiseConv2D:
      s = kernel(1, 2) + stride() + pad() + (o.depth_multiplier != 1 ? " x" + std::to_string(o.depth_multiplier) : "") +
          act();
      break;
    case BuiltinOp::kAveragePool2D:
    case BuiltinOp::kMaxPool2D:
      s = std::to_string(o.filter_h) + "x" + std::to_string(o.filter_w) + stride() + pad() + act();
      break;
    case BuiltinOp::kFullyConnected:
    case BuiltinOp::kAdd:
    case BuiltinOp::kMul: s = act(); break;
    case BuiltinOp::kConcatenation: s = "axis " + std::to_string(o.axis) + act(); break;
    case BuiltinOp::kSoftmax: s = "beta " + ScaleStr(o.beta); break;
    case BuiltinOp::kMean: s = o.keep_dims ? "keep_dims" : ""; break;
    case BuiltinOp::kPack: s = "axis " + std::to_string(o.axis); break;
    default: break;
  }
  if (!s.empty() && s[0] == ' ') s.erase(0, 1);
  return s;
}

// Does the set of int8 values fit the method's grid exactly after dividing by
// one positive rational factor r? The value of largest magnitude v* must map to
// some nonzero level L of the same sign, which fixes r = v*/L; every other v
// must then map to the integer v*L/v* on the grid.
bool FitsUpToScale(const std::vector<int>& values, const std::vector<int>& levels) {
  int vmax = 0;
  for (int v : values)
    if (std::abs(v) > std::abs(vmax)) vmax = v;
  if (vmax == 0) return std::binary_search(levels.begin(), levels.end(), 0) || values.empty();
  for (int level : levels) {
    if (level == 0 || (level > 0) != (vmax > 0)) continue;
    bool ok = true;
    for (int v : values) {
      const int num = v * level;
      if (num % vmax != 0 || !std::binary_search(levels.begin(), levels.end(), num / vmax)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

// Like FitsUpToScale but the values are round(level * r): the largest value
// v* fixes r = v*/L for a candidate level L; every value must then be within
// the rounding error of some level times r (error of r scales with the level).
bool FitsRounded(const std::vector<int>& values, const std::vector<int>& levels) {
  int vmax = 0;
  for (int v : values)
    if (std::abs(v) > std::abs(vmax)) vmax = v;
  if (vmax == 0) return true;
  for (int level : levels) {
    if (level == 0 || (level > 0) != (vmax > 0)) continue;
    const double r = static_cast<double>(vmax) / level;
    bool ok = true;
    for (int v : values) {
      // Nearest levels below and above v / r (levels are sorted).
      const double target = v / r;
      auto it = std::lower_bound(levels.begin(), levels.end(), target,
                                 [](int l, double t) { return static_cast<double>(l) < t; });
      bool near = false;
      for (auto c = (it == levels.begin() ? it : it - 1); c != levels.end() && c <= it; ++c) {
        const double tolerance = 0.5 + 0.5 * std::abs(static_cast<double>(*c) / level) + 1e-9;
        if (std::abs(v - *c * r) <= tolerance) near = true;
      }
      if (!near) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace

WeightInfo AnalyzeWeights(const std::vector<int8_t>& values, const std::vector<int32_t>& shape, int channel_dim) {
  WeightInfo w;
  w.channel_dim = channel_dim;
  w.count = static_cast<int64_t>(values.size());
  if (values.empty()) return w;
  int64_t inner = 1;
  int channels = 1;
  if (channel_dim >= 0 && static_cast<size_t>(channel_dim) < shape.size()) {
    channels = std::max(shape[static_cast<size_t>(channel_dim)], 1);
    for (size_t i = static_cast<size_t>(channel_dim) + 1; i < shape.size(); ++i) inner *= std::max(shape[i], 1);
  }
  w.channels = channels;
  std::vector<std::bitset<256>> seen(static_cast<size_t>(channels));
  std::bitset<256> all;
  int64_t zeros = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const auto c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
    const size_t bit = static_cast<uint8_t>(values[i]);
    seen[c].set(bit);
    all.set(bit);
    zeros += values[i] == 0;
  }
  w.distinct_values = static_cast<int>(all.count());
  w.zero_fraction = static_cast<double>(zeros) / static_cast<double>(values.size());
  w.power_of_two = true;
  for (int b = 0; b < 256; ++b) {
    if (!all.test(static_cast<size_t>(b))) continue;
    const int mag = std::abs(static_cast<int>(static_cast<int8_t>(b)));
    if (mag != 0 && (mag & (mag - 1)) != 0) w.power_of_two = false;
  }
  std::vector<std::vector<int>> channel_values(static_cast<size_t>(channels));
  for (size_t c = 0; c < seen.size(); ++c) {
    for (int b = 0; b < 256; ++b)
      if (seen[c].test(static_cast<size_t>(b))) channel_values[c].push_back(static_cast<int8_t>(b));
    w.max_distinct_per_channel = std::max(w.max_distinct_per_channel, static_cast<int>(channel_values[c].size()));
  }
  for (const quant::Method* method : quant::AllMethods()) {
    if (method->code_bits >= 8) {  // the stored values are int8 already: an 8-bit grid always holds them
      w.fitting_methods.emplace_back(method->name);
      w.rounded_fitting_methods.emplace_back(method->name);
      continue;
    }
    const std::vector<int>& levels = method->levels();
    bool fits = true;
    for (const auto& cv : channel_values) {
      if (!FitsUpToScale(cv, levels)) {
        fits = false;
        break;
      }
    }
    if (fits) w.fitting_methods.emplace_back(method->name);
    bool rounded = true;
    for (const auto& cv : channel_values) {
      if (!FitsRounded(cv, levels)) {
        rounded = false;
        break;
      }
    }
    if (rounded) w.rounded_fitting_methods.emplace_back(method->name);
  }
  return w;
}

ModelInfo DescribeModel(const Model& m) {
  ModelInfo info;
  for (const char* c : {"conv", "depthwise", "fc", "matmul"}) info.macs_by_class[c] = 0;
  info.description = m.description;
  info.version = m.version;
  info.num_subgraphs = static_cast<int>(m.subgraphs.size());
  if (m.subgraphs.empty()) return info;
  const Subgraph& sg = m.main();
  for (int i : sg.inputs) info.inputs.push_back(Describe(m, sg, i));
  for (int i : sg.outputs) info.outputs.push_back(Describe(m, sg, i));
  for (const Tensor& t : sg.tensors) {
    const auto* data = ConstantData(m, t);
    if (data != nullptr) {
      info.num_parameters += Elements(t.shape);
    } else {
      info.activation_bytes += Elements(t.shape) * DataTypeSize(t.type);
    }
  }
  for (size_t b = 1; b < m.buffers.size(); ++b) info.parameter_bytes += static_cast<int64_t>(m.buffers[b].data.size());
  for (const auto& [key, bytes] : m.metadata) {
    const bool printable = !bytes.empty() && bytes.size() <= 200 &&
                           std::all_of(bytes.begin(), bytes.end(), [](uint8_t c) { return c == 0 || (c >= 32 && c < 127); });
    std::string text(bytes.begin(), bytes.end());
    text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
    info.metadata[key] = printable ? text : "<" + std::to_string(bytes.size()) + " bytes>";
  }

  for (size_t oi = 0; oi < sg.operators.size(); ++oi) {
    const Operator& op = sg.operators[oi];
    NodeInfo n;
    n.index = static_cast<int>(oi);
    n.builtin = op.builtin;
    n.op = BuiltinOpName(op.builtin);
    if (op.builtin == 32 && op.opcode_index < m.operator_codes.size())  // CUSTOM
      n.op = "CUSTOM:" + m.operator_codes[op.opcode_index].custom_code;
    for (int i : op.inputs) n.inputs.push_back(Describe(m, sg, i));
    for (int i : op.outputs) n.outputs.push_back(Describe(m, sg, i));
    n.options = OptionsSummary(op, n.inputs);
    info.op_counts[n.op]++;

    const bool conv = op.op() == BuiltinOp::kConv2D, dw = op.op() == BuiltinOp::kDepthwiseConv2D,
               fc = op.op() == BuiltinOp::kFullyConnected;
    n.macs = OperatorMacs(m, op);
    n.mac_class = MacClassName(op.builtin);
    if (n.mac_class.empty()) {
      ++info.other_ops;
      if (!n.outputs.empty()) info.other_elements += Elements(n.outputs[0].shape);
    } else {
      info.macs_by_class[n.mac_class] += n.macs;
    }
    if ((conv || dw || fc) && n.inputs.size() >= 2 && !n.outputs.empty() && op.inputs[1] >= 0 &&
        static_cast<size_t>(op.inputs[1]) < sg.tensors.size()) {
      const Tensor& w = sg.tensors[static_cast<size_t>(op.inputs[1])];
      const auto* data = ConstantData(m, w);
      if (data != nullptr && w.type == DataType::kInt8) {
        const int channel_dim = w.quant.per_channel() ? w.quant.quantized_dimension : (dw ? 3 : 0);
        std::vector<int8_t> values(data->size());
        std::memcpy(values.data(), data->data(), data->size());
        n.has_weights = true;
        n.weights = AnalyzeWeights(values, w.shape, channel_dim);
      }
    }
    info.total_macs += n.macs;
    info.nodes.push_back(std::move(n));
  }
  return info;
}

namespace {

std::string TensorLine(const TensorInfo& t) {
  std::string s = t.name + " " + FormatShape(t.shape) + " " + DataTypeName(t.type);
  if (t.num_scales == 1) s += " scale=" + ScaleStr(t.scale) + " zero_point=" + std::to_string(t.zero_point);
  if (t.num_scales > 1) s += " per-channel(" + std::to_string(t.num_scales) + ")";
  return s;
}

std::string QuantCell(const TensorInfo& t) {
  if (t.num_scales == 0) return "-";
  if (t.num_scales > 1) return "per-channel(" + std::to_string(t.num_scales) + ")";
  return "s=" + ScaleStr(t.scale) + " zp=" + std::to_string(t.zero_point);
}

std::string WeightCell(const NodeInfo& n) {
  if (!n.has_weights) {
    if (n.inputs.size() >= 2 && (n.builtin == 3 || n.builtin == 4 || n.builtin == 9))
      return std::string(DataTypeName(n.inputs[1].type)) + " " + FormatShape(n.inputs[1].shape);
    return "";
  }
  const TensorInfo& wt = n.inputs[1];
  std::string s = FormatShape(wt.shape) + (wt.num_scales > 1 ? " pc" : " pt");
  s += " lv=" + std::to_string(n.weights.distinct_values);
  if (n.weights.channels > 1) s += "/" + std::to_string(n.weights.max_distinct_per_channel);
  if (n.weights.power_of_two) s += " pot";
  std::string fits;
  for (const auto& f : n.weights.fitting_methods)
    if (f != "int8") fits += (fits.empty() ? "" : ",") + f;
  if (!fits.empty()) s += " fits:" + fits;
  std::string rounded;
  for (const auto& f : n.weights.rounded_fitting_methods)
    if (f != "int8" && std::find(n.weights.fitting_methods.begin(), n.weights.fitting_methods.end(), f) ==
                           n.weights.fitting_methods.end())
      rounded += (rounded.empty() ? "" : ",") + f;
  if (!rounded.empty()) s += " ~" + rounded;
  return s;
}

}  // namespace

const char* MacClassName(int32_t builtin) {
  switch (static_cast<BuiltinOp>(builtin)) {
    case BuiltinOp::kConv2D: return "conv";
    case BuiltinOp::kDepthwiseConv2D: return "depthwise";
    case BuiltinOp::kFullyConnected: return "fc";
    case BuiltinOp::kBatchMatMul: return "matmul";
    default: return "";
  }
}

int64_t OperatorMacs(const Model& model, const Operator& op) {
  const Subgraph& g = model.main();
  auto tensor = [&](size_t i, const std::vector<int32_t>& ids) -> const Tensor* {
    if (i >= ids.size() || ids[i] < 0 || static_cast<size_t>(ids[i]) >= g.tensors.size()) return nullptr;
    return &g.tensors[static_cast<size_t>(ids[i])];
  };
  const Tensor* out = tensor(0, op.outputs);
  const Tensor* in1 = tensor(1, op.inputs);
  if (out == nullptr || in1 == nullptr) return 0;
  const int64_t out_elems = Elements(out->shape);
  const std::vector<int32_t>& w = in1->shape;
  switch (op.op()) {
    case BuiltinOp::kConv2D: return w.size() == 4 ? out_elems * w[1] * w[2] * w[3] : 0;
    case BuiltinOp::kDepthwiseConv2D: return w.size() == 4 ? out_elems * w[1] * w[2] : 0;
    case BuiltinOp::kFullyConnected: return w.size() == 2 ? out_elems * w[1] : 0;
    case BuiltinOp::kBatchMatMul: {
      const Tensor* lhs = tensor(0, op.inputs);
      if (lhs == nullptr || lhs->shape.size() < 2) return 0;
      const size_t r = lhs->shape.size();
      return out_elems * (op.options.adj_x ? lhs->shape[r - 2] : lhs->shape[r - 1]);
    }
    default: return 0;
  }
}

std::string FormatModelInfo(const ModelInfo& info, const std::string& title) {
  std::ostringstream out;
  out << "model: " << title << "\n";
  if (!info.description.empty()) out << "description: " << info.description << "\n";
  out << "schema version " << info.version << ", " << info.num_subgraphs << " subgraph(s), " << info.nodes.size()
      << " operators\n";
  for (const auto& t : info.inputs) out << "input:  " << TensorLine(t) << "\n";
  for (const auto& t : info.outputs) out << "output: " << TensorLine(t) << "\n";
  for (const auto& [k, v] : info.metadata) out << "metadata: " << k << " = " << v << "\n";
  out << "\n";

  report::Table table({"#", "op", "options", "output", "type", "output quant", "MACs", "weights"},
                      {report::Table::Align::kRight, report::Table::Align::kLeft, report::Table::Align::kLeft,
                       report::Table::Align::kLeft, report::Table::Align::kLeft, report::Table::Align::kLeft,
                       report::Table::Align::kRight, report::Table::Align::kLeft});
  for (const NodeInfo& n : info.nodes) {
    const TensorInfo out0 = n.outputs.empty() ? TensorInfo{} : n.outputs[0];
    table.AddRow({std::to_string(n.index), n.op, n.options, FormatShape(out0.shape), DataTypeName(out0.type),
                  QuantCell(out0), n.macs ? Grouped(n.macs) : "", WeightCell(n)});
  }
  out << table.Render() << "\n";

  // Summary of the weight analysis.
  int weighted = 0, pot = 0, low_bit = 0;
  std::map<std::string, int> fits, rounded;
  for (const NodeInfo& n : info.nodes) {
    if (!n.has_weights) continue;
    ++weighted;
    pot += n.weights.power_of_two;
    // Only meaningful when a channel has more than 16 weights (a 3x3 depthwise
    // channel has 9 and always passes).
    low_bit += n.weights.max_distinct_per_channel <= 16 && n.weights.count > 16LL * n.weights.channels;
    for (const auto& f : n.weights.fitting_methods) fits[f]++;
    for (const auto& f : n.weights.rounded_fitting_methods) rounded[f]++;
  }
  out << "total: " << Grouped(info.total_macs) << " MACs (" << Human(static_cast<double>(info.total_macs), "MAC")
      << "), " << Grouped(info.num_parameters) << " parameters (" << Human(static_cast<double>(info.parameter_bytes), "B")
      << " constant data), " << Human(static_cast<double>(info.activation_bytes), "B") << " activations\n";
  out << "MACs by class: conv " << Human(static_cast<double>(info.macs_by_class.at("conv")), "MAC") << ", depthwise "
      << Human(static_cast<double>(info.macs_by_class.at("depthwise")), "MAC") << ", fully connected "
      << Human(static_cast<double>(info.macs_by_class.at("fc")), "MAC") << ", matmul "
      << Human(static_cast<double>(info.macs_by_class.at("matmul")), "MAC") << "; the rest: " << info.other_ops
      << " ops without MACs producing " << Human(static_cast<double>(info.other_elements), "") << " elements\n";
  out << "ops:";
  for (const auto& [op, count] : info.op_counts) out << " " << op << " x" << count;
  out << "\n";
  if (weighted > 0) {
    out << "int8 weight layers: " << weighted << ", stored power-of-two: " << pot
        << ", at most 16 values in channels of >16 weights: " << low_bit << "\n";
    out << "layers on a method's grid (exact / after int8 rounding):";
    for (const quant::Method* m : quant::AllMethods())
      out << " " << m->name << " " << fits[std::string(m->name)] << "/" << rounded[std::string(m->name)];
    out << "  (of " << weighted << ")\n";
  }
  out << "(weights: pc/pt = per-channel/per-tensor scales, lv = distinct int8 values in the tensor / most in one\n"
         " channel, pot = every |w| in {0,2^k}, fits = every channel is an exact multiple of the method's grid,\n"
         " ~ = every channel is round(grid level x channel factor))\n";
  return out.str();
}

nlohmann::json ModelInfoToJson(const ModelInfo& info) {
  using nlohmann::json;
  auto tensor = [](const TensorInfo& t) {
    json j = {{"index", t.index}, {"name", t.name}, {"type", DataTypeName(t.type)}, {"shape", t.shape},
              {"constant", t.constant}};
    if (t.num_scales == 1) j["quantization"] = {{"scale", t.scale}, {"zero_point", t.zero_point}};
    if (t.num_scales > 1)
      j["quantization"] = {{"per_channel", t.num_scales}, {"quantized_dimension", t.quantized_dimension}};
    return j;
  };
  json nodes = json::array();
  for (const NodeInfo& n : info.nodes) {
    json j = {{"index", n.index}, {"op", n.op}, {"builtin_code", n.builtin}, {"options", n.options}, {"macs", n.macs},
              {"mac_class", n.mac_class}};
    j["inputs"] = json::array();
    for (const auto& t : n.inputs) j["inputs"].push_back(tensor(t));
    j["outputs"] = json::array();
    for (const auto& t : n.outputs) j["outputs"].push_back(tensor(t));
    if (n.has_weights) {
      j["weights"] = {{"channels", n.weights.channels},
                      {"channel_dim", n.weights.channel_dim},
                      {"count", n.weights.count},
                      {"distinct_values", n.weights.distinct_values},
                      {"max_distinct_per_channel", n.weights.max_distinct_per_channel},
                      {"zero_fraction", n.weights.zero_fraction},
                      {"power_of_two", n.weights.power_of_two},
                      {"fitting_methods", n.weights.fitting_methods},
                      {"rounded_fitting_methods", n.weights.rounded_fitting_methods}};
    }
    nodes.push_back(std::move(j));
  }
  json inputs = json::array(), outputs = json::array();
  for (const auto& t : info.inputs) inputs.push_back(tensor(t));
  for (const auto& t : info.outputs) outputs.push_back(tensor(t));
  return {{"description", info.description},
          {"version", info.version},
          {"subgraphs", info.num_subgraphs},
          {"inputs", inputs},
          {"outputs", outputs},
          {"nodes", nodes},
          {"total_macs", info.total_macs},
          {"macs_by_class", info.macs_by_class},
          {"other_ops", info.other_ops},
          {"other_elements", info.other_elements},
          {"num_parameters", info.num_parameters},
          {"parameter_bytes", info.parameter_bytes},
          {"activation_bytes", info.activation_bytes},
          {"op_counts", info.op_counts},
          {"metadata", info.metadata}};
}

}  // namespace potacc
