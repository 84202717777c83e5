#include "kernels/conv_2d_layer.h"

#include <string>

namespace potacc::kernels {
namespace {

const char* ActivationName(Activation a) {
  switch (a) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kRelu6: return "RELU6";
    case Activation::kTanh: return "TANH";
    case Activation::kSignBit: return "SIGN_BIT";
  }
  return "unknown";
}

void CheckActivation(const OpContext& ctx) {
  const Activation a = ctx.options().activation;
  if (a != Activation::kNone && a != Activation::kRelu && a != Activation::kRelu6 &&
      a != Activation::kReluN1To1) {
    ctx.Unsupported(std::string("fused activation ") + ActivationName(a) + " is not supported");
  }
}

// One scale and a zero point in [-128, 127].
void RequirePerTensorInt8(const OpContext& ctx, const Tensor& t, const char* role) {
  ctx.Require(!t.quant.empty() && t.quant.scale.size() == 1,
              std::string(role) + " '" + t.name + "' needs one quantization scale (has " +
                  std::to_string(t.quant.scale.size()) + ")");
  ctx.Require(t.quant.scale[0] > 0.0f, std::string(role) + " '" + t.name + "' has a non-positive scale");
  const int64_t zp = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
  ctx.Require(zp >= -128 && zp <= 127,
              std::string(role) + " zero point " + std::to_string(zp) + " is outside int8");
}

int32_t ZeroPoint(const Tensor& t) {
  return t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]);
}

}  // namespace

LayerType CheckLayerTypes(const OpContext& ctx) {
  ctx.Require(ctx.num_inputs() >= 2 && ctx.has_input(0) && ctx.has_input(1) &&
                  ctx.num_outputs() >= 1,
              "needs an input, weights and an output");
  const DataType in = ctx.input(0).type;
  const DataType w = ctx.input(1).type;
  const DataType out = ctx.output(0).type;
  const DataType bias = ctx.has_input(2) ? ctx.input(2).type : DataType::kInt32;
  auto describe = [&] {
    std::string s = std::string("input ") + DataTypeName(in) + ", weights " + DataTypeName(w);
    if (ctx.has_input(2)) s += std::string(", bias ") + DataTypeName(bias);
    return s + ", output " + DataTypeName(out) +
           " (supported: int8 with int32 bias, or float32)";
  };
  CheckActivation(ctx);
  // Constant weights/bias are read through raw pointers: their buffers must
  // hold exactly the elements their shapes promise.
  for (int i = 1; i <= 2; ++i) {
    if (!ctx.has_input(i) || !ctx.input_is_constant(i)) continue;
    const Tensor& t = ctx.input(i);
    const int64_t expected = t.num_elements() * DataTypeSize(t.type);
    ctx.Require(static_cast<int64_t>(ctx.input_slot(i).bytes) == expected,
                std::string(i == 1 ? "weights" : "bias") + " '" + t.name + "' holds " +
                    std::to_string(ctx.input_slot(i).bytes) + " bytes, shape " +
                    FormatShape(t.shape) + " needs " + std::to_string(expected));
  }
  if (in == DataType::kInt8 && w == DataType::kInt8 && out == DataType::kInt8 &&
      (!ctx.has_input(2) || bias == DataType::kInt32)) {
    return LayerType::kInt8;
  }
  if (in == DataType::kFloat32 && w == DataType::kFloat32 && out == DataType::kFloat32 &&
      (!ctx.has_input(2) || bias == DataType::kFloat32)) {
    return LayerType::kFloat32;
  }
  if (in == DataType::kFloat32 && w == DataType::kInt8) {
    ctx.Unsupported("hybrid (float input, int8 weights) is not supported: " + describe());
  }
  if (in == DataType::kInt16) ctx.Unsupported("int16 activations (16x8) are not supported: " + describe());
  ctx.Unsupported("unsupported type combination: " + describe());
}

void Int8Layer::Prepare(const OpContext& ctx, int channels, int filter_quant_dim) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  const Tensor& output = ctx.output(0);
  RequirePerTensorInt8(ctx, input, "input");
  RequirePerTensorInt8(ctx, output, "output");
  const QuantParams& fq = filter.quant;
  ctx.Require(!fq.empty(), "weights '" + filter.name + "' are not quantized");
  ctx.Require(fq.scale.size() == 1 || static_cast<int>(fq.scale.size()) == channels,
              "weights have " + std::to_string(fq.scale.size()) + " scales for " +
                  std::to_string(channels) + " output channels");
  for (float s : fq.scale) ctx.Require(s > 0.0f, "weights have a non-positive scale");
  int32_t filter_zp = 0;
  if (fq.scale.size() > 1) {
    ctx.Require(fq.quantized_dimension == filter_quant_dim,
                "per-channel weights quantized along axis " +
                    std::to_string(fq.quantized_dimension) + ", expected " +
                    std::to_string(filter_quant_dim));
    for (int64_t zp : fq.zero_point) {
      if (zp != 0) ctx.Unsupported("per-channel weights with a non-zero zero point");
    }
  } else {
    filter_zp = fq.zero_point.empty() ? 0 : static_cast<int32_t>(fq.zero_point[0]);
    ctx.Require(filter_zp >= -128 && filter_zp <= 127,
                "weights zero point " + std::to_string(filter_zp) + " is outside int8");
  }
  if (ctx.has_input(2)) {
    ctx.Require(ctx.input(2).num_elements() == channels,
                "bias has " + std::to_string(ctx.input(2).num_elements()) + " elements for " +
                    std::to_string(channels) + " output channels");
  }
  m_ = PerChannelMultipliers(input.quant.scale[0], fq.scale, output.quant.scale[0], channels);
  const auto range = ActivationRangeQuantized(ctx.options().activation, output.quant.scale[0],
                                              ZeroPoint(output), DataType::kInt8);
  base_ = {};
  base_.input_offset = -ZeroPoint(input);
  base_.filter_offset = -filter_zp;
  base_.output_zero_point = ZeroPoint(output);
  base_.act_min = range.min;
  base_.act_max = range.max;
}

Int8Params Int8Layer::params() const {
  Int8Params p = base_;
  p.multiplier = m_.multiplier.data();
  p.shift = m_.shift.data();
  return p;
}

void RequireConvOptions(const OpContext& ctx) {
  const OpOptions& o = ctx.options();
  ctx.Require(o.stride_h >= 1 && o.stride_w >= 1 && o.dilation_h >= 1 && o.dilation_w >= 1,
              "strides and dilations must be >= 1");
  ctx.Require(o.padding == Padding::kSame || o.padding == Padding::kValid, "unknown padding");
}

void RequireConvOutputShape(const OpContext& ctx, const ConvShape& s) {
  const std::vector<int32_t> expected = {s.batch, s.out_h, s.out_w, s.out_c};
  const std::vector<int32_t>& actual = ctx.output(0).shape;
  ctx.Require(actual == expected,
              "output shape " + FormatShape(actual) + " should be " + FormatShape(expected));
}

FloatRange FloatActivation(const OpContext& ctx) { return ActivationRangeFloat(ctx.options().activation); }

}  // namespace potacc::kernels
