// Post-training full-integer quantization of a float32 model, as TFLite's
// converter performs it with a representative dataset (int8 activations,
// float input/output kept through QUANTIZE / DEQUANTIZE):
//
//  * the float model runs on the calibration inputs (potacc's float kernels);
//    every activation tensor records its min / max;
//  * activations: per-tensor asymmetric int8 over [min(0, lo), max(0, hi)],
//    scale = (hi - lo) / 255, zero point = round(-128 - lo / scale), nudged
//    into [-128, 127];
//  * weights of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: per-channel
//    symmetric int8 in [-127, 127] (scale = max|w| / 127); biases int32 with
//    scale input_scale * weight_scale;
//  * other float constants (layer-norm gamma / beta / epsilon, class token,
//    position embedding, scalars): per-tensor int8 over their own range;
//  * operators that move data without arithmetic (RESHAPE, TRANSPOSE, GATHER,
//    CONCATENATION, SQUEEZE, STRIDED_SLICE, PAD) share one quantization
//    across their operands (the union of the ranges); SOFTMAX / LOGISTIC
//    outputs are fixed to 1/256, -128 and TANH outputs to 1/128, 0, as the
//    int8 kernels require;
//  * operator versions as the converter writes them (op_version.h).
//
// Supports the operators potacc's generators emit; anything else is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc {

struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
  bool seen = false;
};

// Runs `float_model` (float32 input 0) on each calibration input and returns
// the observed range of every tensor of the main subgraph (constants: their values).
std::vector<TensorRange> CalibrateRanges(const Model& float_model,
                                         const std::vector<std::vector<float>>& calibration_inputs);

// The int8 model (float input and output). `calibration_inputs` must not be empty.
Model QuantizeFullInteger(const Model& float_model, const std::vector<std::vector<float>>& calibration_inputs);

// The converter's per-tensor int8 parameters for a real range (0 is always
// included; an empty range gets scale 1e-8-ish so codes stay finite).
QuantParams Int8QuantForRange(float min, float max);

}  // namespace potacc
