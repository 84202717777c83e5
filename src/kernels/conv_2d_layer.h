// Prepare-time validation shared by the CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED kernels: tensor types, quantization parameters, fused
// activation, and the per-channel requantization tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/kernels/conv_2d.h"
#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"
#include "potacc/kernels/op_checks.h"  // FormatShape
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

// Which arithmetic a conv/FC node runs.
enum class LayerType : uint8_t { kInt8, kFloat32 };

// Checks the types of input 0 (activations), 1 (weights), 2 (bias, optional)
// and output 0; throws ctx.Unsupported naming the types otherwise.
LayerType CheckLayerTypes(const OpContext& ctx);

// Per-channel int8 arithmetic of one layer. Owns the tables its params() point to.
class Int8Layer {
 public:
  // channels = output channels; filter_quant_dim = the filter axis of
  // per-channel scales (0 for conv/FC, 3 for depthwise).
  void Prepare(const OpContext& ctx, int channels, int filter_quant_dim);
  Int8Params params() const;

 private:
  ChannelMultipliers m_;
  Int8Params base_;
};

// Strides and dilations >= 1 and a known padding (CONV_2D, DEPTHWISE_CONV_2D).
void RequireConvOptions(const OpContext& ctx);

// Requires output 0 to have the NHWC shape [batch, out_h, out_w, out_c] of `s`.
void RequireConvOutputShape(const OpContext& ctx, const ConvShape& s);

// Whether the weights (input 1) and the optional bias (input 2) are both
// constant, so conv/FC can pack them once in Prepare instead of every Eval.
inline bool ConstantWeightsAndBias(const OpContext& ctx) {
  return ctx.input_is_constant(1) && (!ctx.has_input(2) || ctx.input_is_constant(2));
}

// Fused activation -> float clamp, with the node named on failure.
FloatRange FloatActivation(const OpContext& ctx);

// Bias pointer of input 2, or null when the optional bias is absent.
template <class T>
const T* OptionalBias(const OpContext& ctx) {
  return ctx.has_input(2) ? ctx.input_data<T>(2) : nullptr;
}

}  // namespace potacc::kernels
