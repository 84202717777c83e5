// The basic generated models behind `potacc gen fc|conv|gemm|cnn`, callable
// directly from tests, benchmarks and other tools. All are int8 with an int8
// input and output and deterministic weights (a function of the seed).
#pragma once

#include <cstdint>
#include <string>

#include "potacc/model.h"

namespace potacc {

// One FULLY_CONNECTED: [batch, in] -> [batch, out].
Model MakeFullyConnectedModel(int batch, int in_features, int out_features, Activation activation = Activation::kNone,
                              uint64_t seed = 1);

struct ConvModelSpec {
  int h = 16, w = 16, cin = 8, cout = 16;
  int kernel = 3, stride = 1, dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool depthwise = false;  // DEPTHWISE_CONV_2D (cout must equal cin * multiplier)
};
// One CONV_2D (or DEPTHWISE_CONV_2D): [1, h, w, cin] -> [1, oh, ow, cout].
Model MakeConvModel(const ConvModelSpec& spec, uint64_t seed = 1);

// The accelerator timing probe: a 1x1 CONV_2D over a [1, M, 1, K] input with
// N output channels, i.e. an (M x K) * (K x N) matrix product. The weights lie
// on the grid of `method` (a quant::Method name; "int8": any int8 value), so
// that method's accelerator can run the probe; unknown names throw.
Model MakeGemmModel(int m, int n, int k, uint64_t seed = 1, const std::string& method = "int8");

// A small CIFAR-sized CNN (int8 input 1x32x32x3 with scale 1/128, zero point
// 0, i.e. q = pixel - 128; output 1x10 int8 softmax): CONV_2D, DEPTHWISE_CONV_2D,
// ADD (residual), MAX_POOL_2D, AVERAGE_POOL_2D, MEAN, FULLY_CONNECTED, SOFTMAX.
// The built-in default model of `potacc demo`.
Model MakeSmallCnn(uint64_t seed = 1);

}  // namespace potacc
