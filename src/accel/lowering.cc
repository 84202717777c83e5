#include "potacc/accel/lowering.h"

#include <algorithm>
#include <cstring>

#include "accel/lowering_common.h"
#include "potacc/accel/depthwise.h"
#include "potacc/accel/matmul.h"
#include "potacc/kernels/kernel_util.h"
#include "potacc/util/text.h"

namespace potacc::accel {
namespace detail {

std::string CheckNode(const Model& model, const Operator& op, NodeTensors* t) {
  const Subgraph& sg = model.main();
  if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.outputs.empty())
    return "missing input or weights";
  t->in = &sg.tensors.at(op.inputs[0]);
  t->weights = &sg.tensors.at(op.inputs[1]);
  t->out = &sg.tensors.at(op.outputs[0]);
  t->bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? &sg.tensors.at(op.inputs[2]) : nullptr;
  const Tensor &in = *t->in, &w = *t->weights, &out = *t->out;
  if (in.type != DataType::kInt8 || w.type != DataType::kInt8 || out.type != DataType::kInt8 ||
      (t->bias && t->bias->type != DataType::kInt32))
    return std::string("types input ") + DataTypeName(in.type) + ", weights " + DataTypeName(w.type) + ", output " +
           DataTypeName(out.type) + (t->bias ? std::string(", bias ") + DataTypeName(t->bias->type) : "") +
           " (the accelerator runs int8 with int32 bias)";
  t->weight_data = ConstantData(model, w);
  if (!t->weight_data) return "weights are not constant";
  t->bias_data = t->bias ? ConstantData(model, *t->bias) : nullptr;
  if (t->bias && !t->bias_data) return "bias is not constant";
  if (in.quant.scale.size() != 1 || out.quant.scale.size() != 1) return "input/output need per-tensor quantization";
  if (w.quant.scale.empty()) return "weights are not quantized";
  for (int64_t zp : w.quant.zero_point)
    if (zp != 0) return "weights have a non-zero zero point (the accelerator assumes symmetric weights)";
  const Activation act = op.options.activation;
  if (act != Activation::kNone && act != Activation::kRelu && act != Activation::kRelu6 && act != Activation::kReluN1To1)
    return "fused activation is not a clamp";
  return "";
}

int32_t ZeroPoint(const Tensor& t) { return t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]); }

std::string FillLayer(const NodeTensors& t, const Operator& op, const int8_t* weights, GemmLowering& g) {
  const Tensor& w = *t.weights;
  if (w.quant.scale.size() != 1 && static_cast<int64_t>(w.quant.scale.size()) != g.n)
    return "weights have " + std::to_string(w.quant.scale.size()) + " scales for " + std::to_string(g.n) + " channels";
  if (static_cast<int64_t>(t.weight_data->size()) != g.n * g.k) return "weight buffer size mismatch";
  if (t.bias_data && static_cast<int64_t>(t.bias_data->size()) != 4 * g.n) return "bias size mismatch";
  LayerWeights& L = g.layer;
  L.n = g.n;
  L.k = g.k;
  L.weights = weights;
  L.bias = t.bias_data ? reinterpret_cast<const int32_t*>(t.bias_data->data()) : nullptr;
  L.filter_scales = w.quant.scale;
  L.input_scale = t.in->quant.scale[0];
  L.output_scale = t.out->quant.scale[0];
  L.input_zero_point = ZeroPoint(*t.in);
  L.output_zero_point = ZeroPoint(*t.out);
  const auto range =
      kernels::ActivationRangeQuantized(op.options.activation, L.output_scale, L.output_zero_point, DataType::kInt8);
  g.act_min = range.min;
  g.act_max = range.max;
  return "";
}

}  // namespace detail

int64_t GemmLowering::batches() const { return matmul ? matmul->shape.batches() : 1; }

GemmLowering LowerNode(const Model& model, int node) {
  GemmLowering g;
  g.node = node;
  const Subgraph& sg = model.main();
  const Operator& op = sg.operators.at(node);
  g.builtin = op.builtin;
  auto refuse = [&](const std::string& why) {
    g.refused = why;
    return g;
  };
  if (op.op() == BuiltinOp::kDepthwiseConv2D) return LowerDepthwise(model, node);
  if (op.op() == BuiltinOp::kBatchMatMul) return LowerBatchMatMul(model, node);
  if (op.op() != BuiltinOp::kConv2D && op.op() != BuiltinOp::kFullyConnected)
    return refuse(BuiltinOpName(op.builtin) + " is not a GEMM operator");
  detail::NodeTensors t;
  if (std::string why = detail::CheckNode(model, op, &t); !why.empty()) return refuse(why);
  const Tensor &in = *t.in, &w = *t.weights, &out = *t.out;

  if (op.op() == BuiltinOp::kConv2D) {
    if (in.shape.size() != 4 || w.shape.size() != 4 || out.shape.size() != 4)
      return refuse("CONV_2D needs 4-D input, filter and output");
    if (w.shape[3] != in.shape[3]) return refuse("grouped convolution (filter depth " + std::to_string(w.shape[3]) + " != input channels)");
    g.conv = kernels::MakeConvShape(in.shape, w.shape[1], w.shape[2], w.shape[0], op.options);
    const kernels::ConvShape& s = g.conv;
    if (s.stride_h < 1 || s.stride_w < 1 || s.dilation_h < 1 || s.dilation_w < 1) return refuse("invalid stride/dilation");
    const std::vector<int32_t> expected = {s.batch, s.out_h, s.out_w, s.out_c};
    if (out.shape != expected)
      return refuse("output shape " + FormatShape(out.shape) + " should be " + FormatShape(expected));
    g.m = s.rows();
    g.n = s.out_c;
    g.k = s.depth();
    g.im2col = !(s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
                 s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w);
  } else {
    if (op.options.weights_format != 0) return refuse("shuffled FULLY_CONNECTED weights");
    if (w.shape.size() != 2) return refuse("FULLY_CONNECTED needs 2-D weights");
    g.n = w.shape[0];
    g.k = w.shape[1];
    const int64_t elems = in.num_elements();
    if (g.k <= 0 || elems % g.k != 0) return refuse("input size is not a multiple of the weights' depth");
    g.m = elems / g.k;
    if (out.num_elements() != g.m * g.n) return refuse("output size does not match M x N");
  }
  if (std::string why = detail::FillLayer(t, op, reinterpret_cast<const int8_t*>(t.weight_data->data()), g);
      !why.empty())
    return refuse(why);
  return g;
}

void Im2col(const kernels::ConvShape& s, const int8_t* input, int8_t zero_point, int8_t* a) {
  const int64_t k = s.depth();
  const int64_t row_bytes = s.in_c;
  int64_t row = 0;
  for (int b = 0; b < s.batch; ++b) {
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox, ++row) {
        int8_t* dst = a + row * k;
        for (int ky = 0; ky < s.filter_h; ++ky) {
          const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          for (int kx = 0; kx < s.filter_w; ++kx, dst += row_bytes) {
            const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
              std::memset(dst, static_cast<uint8_t>(zero_point), static_cast<size_t>(row_bytes));
            } else {
              std::memcpy(dst, input + ((int64_t{b} * s.in_h + iy) * s.in_w + ix) * s.in_c, static_cast<size_t>(row_bytes));
            }
          }
        }
      }
    }
  }
}

const int8_t* GemmInput(const GemmLowering& g, const int8_t* input, std::vector<int8_t>* scratch) {
  if (!g.im2col || g.depthwise) return input;
  scratch->resize(static_cast<size_t>(g.m * g.k));
  Im2col(g.conv, input, static_cast<int8_t>(g.layer.input_zero_point), scratch->data());
  return scratch->data();
}

}  // namespace potacc::accel
