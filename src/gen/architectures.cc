// The reference work's evaluation networks with their real layer shapes and
// deterministic pseudo-random int8 weights (latency does not depend on weight
// values), so the published comparison can be reproduced without the model
// files: `potacc gen mobilenetv2|resnet18|inceptionv1|resnet20`.
//
// Each mirrors the int8 TFLite export of the standard architecture: float
// input + QUANTIZE, fused ReLU/ReLU6, global average pooling as MEAN, a
// FULLY_CONNECTED classifier and a dequantized SOFTMAX output.
#include <string>
#include <vector>

#include "potacc/error.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_builder.h"

namespace potacc {
namespace {

int PositiveParam(const GenOptions& o, const std::string& name, int64_t max) {
  const int64_t v = o.Int(name);
  if (v < 1 || v > max)
    throw Error("--" + name + ": expected a value in 1.." + std::to_string(max) + ", got " + std::to_string(v));
  return static_cast<int>(v);
}

// A trained classifier's logits spread over a few units, which random
// weights of the usual 1/sqrt(fan-in) scale do not give: their logits differ
// by hundredths, and a 1000-way int8 SOFTMAX of nearly equal logits sums more
// than 2^9 exponentials, which TFLite's reference kernel refuses (it aborts;
// potacc's writes zeros). The classifier's weight scales aim at logits of RMS 3.
void Classifier(ModelBuilder& b, int x, int classes) {
  x = b.Mean(x, {1, 2});
  x = b.FullyConnected(x, {.out_features = classes, .output_sigma = 1.0});
  b.FloatOutput(b.Softmax(x));
}

// MobileNetV2 1.0 (Sandler et al. 2018, Table 2): 3x3/2 stem, 17 inverted
// residual blocks (expand 1x1 + ReLU6, depthwise 3x3 + ReLU6, linear 1x1
// projection, residual ADD when stride 1 and shapes match), 1x1 to 1280.
Model MakeMobileNetV2(int resolution, int classes, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen mobilenetv2: MobileNetV2 1.0 (" + std::to_string(resolution) +
                   "), deterministic random int8 weights");
  int x = b.FloatInput({1, resolution, resolution, 3}, 1.0f / 255, -128);
  x = b.Conv2D(x, {.out_channels = 32, .kernel = 3, .stride = 2, .activation = Activation::kRelu6});
  struct Stage {
    int t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
  int channels = 32;
  for (const Stage& st : stages) {
    for (int i = 0; i < st.n; ++i) {
      const int stride = i == 0 ? st.s : 1;
      int y = x;
      if (st.t != 1)
        y = b.Conv2D(y, {.out_channels = channels * st.t, .kernel = 1, .activation = Activation::kRelu6});
      y = b.DepthwiseConv2D(y, {.kernel = 3, .stride = stride, .activation = Activation::kRelu6});
      y = b.Conv2D(y, {.out_channels = st.c, .kernel = 1});
      x = (stride == 1 && channels == st.c) ? b.Add(x, y) : y;
      channels = st.c;
    }
  }
  x = b.Conv2D(x, {.out_channels = 1280, .kernel = 1, .activation = Activation::kRelu6});
  Classifier(b, x, classes);
  return b.Build();
}

// ResNet basic block: 3x3(s) + ReLU, 3x3, ADD with the shortcut (1x1/s
// projection when the shape changes), ReLU.
int BasicBlock(ModelBuilder& b, int x, int in_channels, int out_channels, int stride) {
  int y = b.Conv2D(x, {.out_channels = out_channels, .kernel = 3, .stride = stride, .activation = Activation::kRelu});
  y = b.Conv2D(y, {.out_channels = out_channels, .kernel = 3});
  int shortcut = x;
  if (stride != 1 || in_channels != out_channels)
    shortcut = b.Conv2D(x, {.out_channels = out_channels, .kernel = 1, .stride = stride});
  return b.Add(shortcut, y, Activation::kRelu);
}

// ResNet-18 v1 (He et al. 2016, Table 1): 7x7/2 stem, 3x3/2 max pool, four
// stages of two basic blocks (64, 128, 256, 512 channels).
Model MakeResNet18(int resolution, int classes, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen resnet18: ResNet-18 v1 (" + std::to_string(resolution) +
                   "), deterministic random int8 weights");
  int x = b.FloatInput({1, resolution, resolution, 3}, 1.0f / 255, -128);
  x = b.Conv2D(x, {.out_channels = 64, .kernel = 7, .stride = 2, .activation = Activation::kRelu});
  x = b.MaxPool2D(x, {.filter = 3, .stride = 2, .padding = Padding::kSame});
  int channels = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int out = 64 << stage;
    for (int i = 0; i < 2; ++i) {
      x = BasicBlock(b, x, channels, out, (i == 0 && stage > 0) ? 2 : 1);
      channels = out;
    }
  }
  Classifier(b, x, classes);
  return b.Build();
}

// ResNet-20 for CIFAR-10 (He et al. 2016, §4.2): 3x3 stem with 16 channels,
// three stages of three basic blocks (16, 32, 64), projection shortcuts.
Model MakeResNet20(int classes, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen resnet20: CIFAR-10 ResNet-20 (32x32), deterministic random int8 weights");
  int x = b.FloatInput({1, 32, 32, 3}, 1.0f / 64, 0);
  x = b.Conv2D(x, {.out_channels = 16, .kernel = 3, .activation = Activation::kRelu});
  int channels = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const int out = 16 << stage;
    for (int i = 0; i < 3; ++i) {
      x = BasicBlock(b, x, channels, out, (i == 0 && stage > 0) ? 2 : 1);
      channels = out;
    }
  }
  Classifier(b, x, classes);
  return b.Build();
}

struct InceptionSpec {
  int b1, b2_reduce, b2, b3_reduce, b3, pool_proj;
};

// One Inception module: 1x1 | 1x1 -> 3x3 | 1x1 -> kxk | 3x3/1 max pool -> 1x1,
// concatenated along channels.
int InceptionModule(ModelBuilder& b, int x, const InceptionSpec& s, int branch3_kernel) {
  const Activation relu = Activation::kRelu;
  const int p1 = b.Conv2D(x, {.out_channels = s.b1, .kernel = 1, .activation = relu});
  int p2 = b.Conv2D(x, {.out_channels = s.b2_reduce, .kernel = 1, .activation = relu});
  p2 = b.Conv2D(p2, {.out_channels = s.b2, .kernel = 3, .activation = relu});
  int p3 = b.Conv2D(x, {.out_channels = s.b3_reduce, .kernel = 1, .activation = relu});
  p3 = b.Conv2D(p3, {.out_channels = s.b3, .kernel = branch3_kernel, .activation = relu});
  int p4 = b.MaxPool2D(x, {.filter = 3, .stride = 1, .padding = Padding::kSame});
  p4 = b.Conv2D(p4, {.out_channels = s.pool_proj, .kernel = 1, .activation = relu});
  return b.Concatenation({p1, p2, p3, p4}, 3);
}

// InceptionV1 / GoogLeNet (Szegedy et al. 2015, Table 1), without the
// auxiliary classifiers. branch3_kernel = 3 follows the TF-slim model behind
// TFLite's hosted inception_v1 (its "5x5" branch is 3x3); 5 gives the paper's.
Model MakeInceptionV1(int resolution, int classes, int branch3_kernel, uint64_t seed) {
  ModelBuilder b(seed);
  b.SetDescription("potacc gen inceptionv1: InceptionV1/GoogLeNet (" + std::to_string(resolution) +
                   "), deterministic random int8 weights");
  const Activation relu = Activation::kRelu;
  const PoolSpec pool3s2{.filter = 3, .stride = 2, .padding = Padding::kSame};
  int x = b.FloatInput({1, resolution, resolution, 3}, 1.0f / 255, -128);
  x = b.Conv2D(x, {.out_channels = 64, .kernel = 7, .stride = 2, .activation = relu});
  x = b.MaxPool2D(x, pool3s2);
  x = b.Conv2D(x, {.out_channels = 64, .kernel = 1, .activation = relu});
  x = b.Conv2D(x, {.out_channels = 192, .kernel = 3, .activation = relu});
  x = b.MaxPool2D(x, pool3s2);
  x = InceptionModule(b, x, {64, 96, 128, 16, 32, 32}, branch3_kernel);     // 3a
  x = InceptionModule(b, x, {128, 128, 192, 32, 96, 64}, branch3_kernel);   // 3b
  x = b.MaxPool2D(x, pool3s2);
  x = InceptionModule(b, x, {192, 96, 208, 16, 48, 64}, branch3_kernel);    // 4a
  x = InceptionModule(b, x, {160, 112, 224, 24, 64, 64}, branch3_kernel);   // 4b
  x = InceptionModule(b, x, {128, 128, 256, 24, 64, 64}, branch3_kernel);   // 4c
  x = InceptionModule(b, x, {112, 144, 288, 32, 64, 64}, branch3_kernel);   // 4d
  x = InceptionModule(b, x, {256, 160, 320, 32, 128, 128}, branch3_kernel); // 4e
  x = b.MaxPool2D(x, pool3s2);
  x = InceptionModule(b, x, {256, 160, 320, 32, 128, 128}, branch3_kernel); // 5a
  x = InceptionModule(b, x, {384, 192, 384, 48, 128, 128}, branch3_kernel); // 5b
  Classifier(b, x, classes);
  return b.Build();
}

const GenParam kResolution{"resolution", "224", "input height and width"};
const GenParam kClasses{"classes", "1000", "classifier outputs"};

POTACC_REGISTER_GENERATOR("mobilenetv2", "MobileNetV2 1.0 for ImageNet (224x224), the reference evaluation's model",
                          (std::vector<GenParam>{kResolution, kClasses}), [](const GenOptions& o) {
                            return MakeMobileNetV2(PositiveParam(o, "resolution", 1024),
                                                   PositiveParam(o, "classes", 100000), o.seed);
                          });

POTACC_REGISTER_GENERATOR("resnet18", "ResNet-18 v1 for ImageNet (224x224), the reference evaluation's model",
                          (std::vector<GenParam>{kResolution, kClasses}), [](const GenOptions& o) {
                            return MakeResNet18(PositiveParam(o, "resolution", 1024),
                                                PositiveParam(o, "classes", 100000), o.seed);
                          });

POTACC_REGISTER_GENERATOR("inceptionv1",
                          "InceptionV1/GoogLeNet for ImageNet (224x224), the reference evaluation's model",
                          (std::vector<GenParam>{kResolution,
                                                 kClasses,
                                                 {"branch3-kernel", "3",
                                                  "kernel of the third branch: 3 (TF-slim/TFLite hosted) or 5 (paper)"}}),
                          [](const GenOptions& o) {
                            const int k = PositiveParam(o, "branch3-kernel", 7);
                            if (k != 3 && k != 5) throw Error("--branch3-kernel: expected 3 or 5");
                            return MakeInceptionV1(PositiveParam(o, "resolution", 1024),
                                                   PositiveParam(o, "classes", 100000), k, o.seed);
                          });

POTACC_REGISTER_GENERATOR("resnet20", "ResNet-20 for CIFAR-10 (32x32)", (std::vector<GenParam>{{"classes", "10", "classifier outputs"}}),
                          [](const GenOptions& o) {
                            return MakeResNet20(PositiveParam(o, "classes", 100000), o.seed);
                          });

}  // namespace
}  // namespace potacc
