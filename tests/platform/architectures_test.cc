// The generated networks against the architectures' published sizes.
#include <gtest/gtest.h>

#include "potacc/platform/workload.h"
#include "potacc/tflite/generators.h"

namespace potacc {
namespace {

int64_t Parameters(const Model& m) {
  int64_t n = 0;
  for (const auto& op : m.main().operators) {
    const auto c = static_cast<BuiltinOp>(op.builtin);
    if (c != BuiltinOp::kConv2D && c != BuiltinOp::kDepthwiseConv2D && c != BuiltinOp::kFullyConnected) continue;
    n += m.main().tensors[op.inputs[1]].num_elements();  // weights (biases excluded)
  }
  return n;
}

int Count(const Model& m, BuiltinOp op) {
  int n = 0;
  for (const auto& o : m.main().operators) n += o.builtin == static_cast<int32_t>(op);
  return n;
}

// Published figures: MobileNetV2 1.0/224 300 M multiply-adds, 3.4 M parameters
// (Sandler et al., Table 4); ResNet-18 1.8 G FLOPs (multiply-adds, He et al.,
// Table 1), 11.7 M parameters; ResNet-20 0.27 M parameters (He et al., Table 6).
TEST(Architectures, MobileNetV2MatchesPublishedSize) {
  const Model m = Generate("mobilenetv2", 1);
  const auto w = platform::CpuWorkload(m, "mobilenetv2");
  EXPECT_NEAR(w.total_macs() / 1e6, 300, 10);
  EXPECT_NEAR(Parameters(m) / 1e6, 3.47, 0.1);
  EXPECT_EQ(Count(m, BuiltinOp::kDepthwiseConv2D), 17);
  EXPECT_EQ(Count(m, BuiltinOp::kConv2D), 35);   // stem + 16 expand + 17 project + last 1x1
  EXPECT_EQ(Count(m, BuiltinOp::kAdd), 10);
  EXPECT_EQ(m.main().tensors[m.main().inputs[0]].shape, (std::vector<int32_t>{1, 224, 224, 3}));
}

TEST(Architectures, ResNet18MatchesPublishedSize) {
  const Model m = Generate("resnet18", 1);
  const auto w = platform::CpuWorkload(m, "resnet18");
  EXPECT_NEAR(w.total_macs() / 1e9, 1.82, 0.05);
  EXPECT_NEAR(Parameters(m) / 1e6, 11.7, 0.1);
  EXPECT_EQ(Count(m, BuiltinOp::kConv2D), 20);  // stem + 16 + 3 projections
  EXPECT_EQ(Count(m, BuiltinOp::kAdd), 8);
}

// GoogLeNet: ~1.5 G multiply-adds and ~7 M parameters with 5x5 branches
// (Szegedy et al.); with TF-slim's 3x3 branches slightly less.
TEST(Architectures, InceptionV1MatchesPublishedSize) {
  const Model paper = Generate("inceptionv1", 1, {{"branch3-kernel", "5"}});
  const auto w = platform::CpuWorkload(paper, "inceptionv1");
  EXPECT_NEAR(w.total_macs() / 1e9, 1.5, 0.1);
  EXPECT_NEAR(Parameters(paper) / 1e6, 6.8, 0.3);
  EXPECT_EQ(Count(paper, BuiltinOp::kConcatenation), 9);
  EXPECT_EQ(Count(paper, BuiltinOp::kConv2D), 3 + 9 * 6);
  const Model slim = Generate("inceptionv1", 1);
  EXPECT_LT(platform::CpuWorkload(slim, "s").total_macs(), w.total_macs());
}

TEST(Architectures, ResNet20MatchesPublishedSize) {
  const Model m = Generate("resnet20", 1);
  EXPECT_NEAR(Parameters(m) / 1e6, 0.27, 0.01);
  EXPECT_EQ(m.main().tensors[m.main().inputs[0]].shape, (std::vector<int32_t>{1, 32, 32, 3}));
  EXPECT_NEAR(platform::CpuWorkload(m, "r20").total_macs() / 1e6, 41, 2);
}

TEST(Architectures, WeightsAreDeterministic) {
  EXPECT_TRUE(Generate("resnet20", 7) == Generate("resnet20", 7));
  EXPECT_FALSE(Generate("resnet20", 7) == Generate("resnet20", 8));
}

}  // namespace
}  // namespace potacc
