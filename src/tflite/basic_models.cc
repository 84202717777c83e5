#include "potacc/tflite/basic_models.h"

#include <algorithm>
#include <string>

#include "potacc/error.h"
#include "potacc/quant/method.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_builder.h"

namespace potacc {
namespace {

Activation ParseActivation(const std::string& s) {
  if (s == "none") return Activation::kNone;
  if (s == "relu") return Activation::kRelu;
  if (s == "relu6") return Activation::kRelu6;
  throw Error("--activation: expected none, relu or relu6, got '" + s + "'");
}

Padding ParsePadding(const std::string& s) {
  if (s == "same") return Padding::kSame;
  if (s == "valid") return Padding::kValid;
  throw Error("--padding: expected same or valid, got '" + s + "'");
}

int Positive(const GenOptions& o, const std::string& name, int64_t max = 1 << 16) {
  const int64_t v = o.Int(name);
  if (v < 1 || v > max)
    throw Error("--" + name + ": expected a value in 1.." + std::to_string(max) + ", got " + std::to_string(v));
  return static_cast<int>(v);
}

}  // namespace

Model MakeFullyConnectedModel(int batch, int in_features, int out_features, Activation activation, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen fc");
  int x = b.Input({batch, in_features});
  x = b.FullyConnected(x, {.out_features = out_features, .activation = activation});
  b.Output(x);
  return b.Build();
}

Model MakeConvModel(const ConvModelSpec& s, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen conv");
  int x = b.Input({1, s.h, s.w, s.cin});
  if (s.depthwise) {
    if (s.cout % s.cin != 0)
      throw Error("depthwise conv: --cout (" + std::to_string(s.cout) + ") must be a multiple of --cin (" +
                  std::to_string(s.cin) + ")");
    x = b.DepthwiseConv2D(x, {.kernel = s.kernel, .stride = s.stride, .padding = s.padding, .dilation = s.dilation,
                              .depth_multiplier = s.cout / s.cin, .activation = s.activation});
  } else {
    x = b.Conv2D(x, {.out_channels = s.cout, .kernel = s.kernel, .stride = s.stride, .padding = s.padding,
                     .dilation = s.dilation, .activation = s.activation});
  }
  b.Output(x);
  return b.Build();
}

Model MakeGemmModel(int m, int n, int k, uint64_t seed, const std::string& method) {
  const quant::Method& grid = quant::MethodByName(method);
  ModelBuilder b(seed);
  b.SetDescription("potacc gen gemm: (" + std::to_string(m) + "x" + std::to_string(k) + ") * (" + std::to_string(k) +
                   "x" + std::to_string(n) + ") as a 1x1 CONV_2D, " + method + " weights");
  // Weights on the method's grid so that its accelerator accepts them unchanged
  // (int8: any value). QKeras' level 2^7 = 128 does not fit an int8 tensor;
  // timing does not depend on which levels are drawn.
  WeightSpec weights;
  if (grid.id != quant::MethodId::kInt8) weights.levels = grid.storable_levels();
  int x = b.Input({1, m, 1, k});
  x = b.Conv2D(x, {.out_channels = n, .kernel = 1, .stride = 1, .padding = Padding::kValid, .weights = weights});
  b.Output(x);
  return b.Build();
}

Model MakeSmallCnn(uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen cnn: small CIFAR-sized CNN");
  int x = b.Input({1, 32, 32, 3}, 1.0f / 128, 0);
  x = b.Conv2D(x, {.out_channels = 16, .kernel = 3, .activation = Activation::kRelu});             // 32x32x16
  x = b.DepthwiseConv2D(x, {.kernel = 3, .stride = 2, .activation = Activation::kRelu6});          // 16x16x16
  x = b.Conv2D(x, {.out_channels = 32, .kernel = 1, .activation = Activation::kRelu});             // 16x16x32
  const int branch = b.Conv2D(x, {.out_channels = 32, .kernel = 3});                              // 16x16x32
  x = b.Add(x, branch, Activation::kRelu);                                                         // residual
  x = b.MaxPool2D(x, {.filter = 2, .stride = 2});                                                  // 8x8x32
  x = b.AveragePool2D(x, {.filter = 2, .stride = 2});                                              // 4x4x32
  x = b.Mean(x, {1, 2});                                                                           // 1x32
  x = b.FullyConnected(x, {.out_features = 10});                                                   // 1x10
  b.Output(b.Softmax(x));
  return b.Build();
}

POTACC_REGISTER_GENERATOR("fc", "one FULLY_CONNECTED layer [batch, in] -> [batch, out]",
                          (std::vector<GenParam>{{"in", "64", "input features"},
                                                 {"out", "16", "output features"},
                                                 {"batch", "1", "batch size"},
                                                 {"activation", "none", "fused activation: none, relu, relu6"}}),
                          [](const GenOptions& o) {
                            return MakeFullyConnectedModel(Positive(o, "batch"), Positive(o, "in", 1 << 20),
                                                           Positive(o, "out", 1 << 20),
                                                           ParseActivation(o.Str("activation")), o.seed);
                          });

POTACC_REGISTER_GENERATOR("conv", "one CONV_2D (or DEPTHWISE_CONV_2D) layer over a [1, h, w, cin] input",
                          (std::vector<GenParam>{{"h", "16", "input height"},
                                                 {"w", "16", "input width"},
                                                 {"cin", "8", "input channels"},
                                                 {"cout", "16", "output channels"},
                                                 {"kernel", "3", "square kernel size"},
                                                 {"stride", "1", "stride"},
                                                 {"padding", "same", "same or valid"},
                                                 {"dilation", "1", "dilation factor"},
                                                 {"activation", "none", "fused activation: none, relu, relu6"},
                                                 {"depthwise", "false", "DEPTHWISE_CONV_2D instead of CONV_2D"}}),
                          [](const GenOptions& o) {
                            ConvModelSpec s;
                            s.h = Positive(o, "h");
                            s.w = Positive(o, "w");
                            s.cin = Positive(o, "cin");
                            s.cout = Positive(o, "cout");
                            s.kernel = Positive(o, "kernel", 64);
                            s.stride = Positive(o, "stride", 64);
                            s.dilation = Positive(o, "dilation", 64);
                            s.padding = ParsePadding(o.Str("padding"));
                            s.activation = ParseActivation(o.Str("activation"));
                            s.depthwise = o.Bool("depthwise");
                            return MakeConvModel(s, o.seed);
                          });

POTACC_REGISTER_GENERATOR("gemm", "(M x K) * (K x N) as a 1x1 CONV_2D over [1, M, 1, K]: the accelerator timing probe",
                          (std::vector<GenParam>{{"m", "64", "rows (output pixels)"},
                                                 {"n", "64", "columns (output channels)"},
                                                 {"k", "64", "reduction depth (input channels)"},
                                                 {"method", "int8",
                                                  "draw the weights on this method's grid (qkeras, apot, msq, "
                                                  "uniform4, int8) so its accelerator accepts them"}}),
                          [](const GenOptions& o) {
                            const std::string& method = o.Str("method");
                            if (!quant::FindMethod(method))
                              throw Error("--method: unknown method '" + method +
                                          "' (valid: qkeras, apot, msq, uniform4, int8)");
                            return MakeGemmModel(Positive(o, "m"), Positive(o, "n"), Positive(o, "k"), o.seed, method);
                          });

POTACC_REGISTER_GENERATOR("cnn", "small CIFAR-sized CNN (conv, depthwise, add, pools, mean, FC, softmax); demo default",
                          (std::vector<GenParam>{}),
                          [](const GenOptions& o) { return MakeSmallCnn(o.seed); });

}  // namespace potacc
