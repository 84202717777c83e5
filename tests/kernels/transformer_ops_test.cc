// SUB, SQUARED_DIFFERENCE, RSQRT (the layer-norm pattern), TANH and GATHER.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "potacc/error.h"
#include "potacc/kernels/gather.h"
#include "potacc/kernels/rsqrt.h"
#include "potacc/kernels/squared_difference.h"
#include "potacc/kernels/sub.h"
#include "potacc/kernels/tanh.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

using testing::kFull;

TEST(SubTest, HandComputedWithRoundingBothWays) {
  // s1 = s2 = 0.5, s_out = 0.5: (10 - 3) * 0.5 / 0.5 = 7.
  const SubInt8Params p = PrepareSubInt8(0.5f, 0, 0.5f, 0, 0.5f, 0, kFull);
  EXPECT_EQ(SubInt8Element(p, 10, 3), 7);
  // s_out = 1: 3 * 0.5 - 0 = 1.5 -> 2 and -1.5 -> -2 (the final shift rounds half away from zero).
  const SubInt8Params q = PrepareSubInt8(0.5f, 0, 0.5f, 0, 1.0f, 0, kFull);
  EXPECT_EQ(SubInt8Element(q, 3, 0), 2);
  EXPECT_EQ(SubInt8Element(q, 0, 3), -2);
  // Zero points and saturation.
  const SubInt8Params z = PrepareSubInt8(0.5f, -10, 0.5f, 20, 0.5f, 5, kFull);
  EXPECT_EQ(SubInt8Element(z, -10, 20), 5);
  EXPECT_EQ(SubInt8Element(z, 127, -128), 127);
  EXPECT_EQ(SubInt8Element(z, -128, 127), -128);
}

TEST(SubTest, MultipliersAreComputedInFloatLikeTfliteMicro) {
  const float s1 = 0.1f, s2 = 0.3f, so = 0.07f;
  const SubInt8Params p = PrepareSubInt8(s1, 0, s2, 0, so, 0, kFull);
  const float twice = 2 * s2;
  int32_t m;
  int shift;
  fixed_point::QuantizeMultiplier(static_cast<double>(s1 / twice), &m, &shift);
  EXPECT_EQ(p.input1_multiplier, m);
  EXPECT_EQ(p.input1_shift, shift);
  fixed_point::QuantizeMultiplier(static_cast<double>(twice / (1048576.0f * so)), &m, &shift);
  EXPECT_EQ(p.output_multiplier, m);
  EXPECT_EQ(p.output_shift, shift);
  // An output scale this small needs a multiplier >= 1: refused, as TFLite's check aborts.
  EXPECT_THROW(PrepareSubInt8(1.0f, 0, 1.0f, 0, 1e-7f, 0, kFull), Error);
}

TEST(SubTest, KernelBroadcastsAndClampsTheActivation) {
  SingleOpModel m(BuiltinOp::kSub);
  m.AddInput(DataType::kInt8, {2, 2}, Quant(0.5f, 0));
  m.AddInput(DataType::kInt8, {2}, Quant(0.5f, 0));
  m.AddOutput(DataType::kInt8, {2, 2}, Quant(0.5f, 0));
  m.options().activation = Activation::kRelu;
  m.Build();
  m.SetInput<int8_t>(0, {10, 1, 4, 8});
  m.SetInput<int8_t>(1, {3, 5});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{7, 0, 1, 3}));
}

TEST(SquaredDifferenceTest, HandComputed) {
  // s = 0.5: (2.0 - 0.5)^2 = 2.25 / 0.25 = 9, zero point -128.
  const SquaredDifferenceInt8Params p = PrepareSquaredDifferenceInt8(0.5f, 0, 0.5f, 0, 0.25f, -128, kFull);
  EXPECT_EQ(SquaredDifferenceInt8Element(p, 4, 1), -119);
  EXPECT_EQ(SquaredDifferenceInt8Element(p, 1, 4), -119);
  EXPECT_EQ(SquaredDifferenceInt8Element(p, 1, 0), -127);  // 0.25 / 0.25 = 1
  EXPECT_EQ(SquaredDifferenceInt8Element(p, 127, -128), 127);
  // 0.25 / 0.5 = 0.5: 4096 -> 2048 -> 2048 / 2^12 rounds up to 1.
  const SquaredDifferenceInt8Params h = PrepareSquaredDifferenceInt8(0.5f, 0, 0.5f, 0, 0.5f, 0, kFull);
  EXPECT_EQ(SquaredDifferenceInt8Element(h, 1, 0), 1);
  // Different input scales: (3 * 0.25 - 2 * 0.5)^2 = 0.0625 / (1/64) = 4.
  const SquaredDifferenceInt8Params d = PrepareSquaredDifferenceInt8(0.25f, 0, 0.5f, 0, 1.0f / 64, 0, kFull);
  EXPECT_EQ(SquaredDifferenceInt8Element(d, 3, 2), 4);
}

TEST(SquaredDifferenceTest, WithinOneLsbOfDoubleAndBroadcast) {
  const float s1 = 0.037f, s2 = 0.021f, so = 0.0117f;
  const SquaredDifferenceInt8Params p = PrepareSquaredDifferenceInt8(s1, 11, s2, -40, so, -128, kFull);
  for (int a = -128; a <= 127; a += 3) {
    for (int b = -128; b <= 127; b += 5) {
      const double d = s1 * (a - 11) - s2 * (b + 40);
      const double expected = std::clamp(std::round(d * d / so) - 128, -128.0, 127.0);
      EXPECT_NEAR(SquaredDifferenceInt8Element(p, static_cast<int8_t>(a), static_cast<int8_t>(b)), expected, 1.0);
    }
  }
  SingleOpModel m(BuiltinOp::kSquaredDifference);
  m.AddInput(DataType::kInt8, {1, 2, 3}, Quant(0.5f, 0));
  m.AddInput(DataType::kInt8, {1, 2, 1}, Quant(0.5f, 0));
  m.AddOutput(DataType::kInt8, {1, 2, 3}, Quant(0.25f, -128));
  m.Build();
  m.SetInput<int8_t>(0, {4, 1, 0, 2, 2, 3});
  m.SetInput<int8_t>(1, {1, 2});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-119, -128, -127, -128, -128, -127}));
}

TEST(RsqrtTest, HandComputedAndEdges) {
  // input scale 1, output scale 1/64: 1/sqrt(4) = 0.5 -> 32; 1/sqrt(1) = 1 -> 64.
  const RsqrtInt8Params p = PrepareRsqrtInt8(1.0f, 0, 1.0f / 64, 0);
  EXPECT_EQ(RsqrtInt8Element(p, 4), 32);
  EXPECT_EQ(RsqrtInt8Element(p, 1), 64);
  EXPECT_EQ(RsqrtInt8Element(p, 16), 16);
  EXPECT_EQ(RsqrtInt8Element(p, 0), 127);  // zero: the largest output, as TFLite Micro
  EXPECT_THROW(RsqrtInt8Element(p, -1), Error);
  // With a zero point: value q - zp.
  const RsqrtInt8Params z = PrepareRsqrtInt8(1.0f, -128, 1.0f / 64, -100);
  EXPECT_EQ(RsqrtInt8Element(z, -124), -68);  // 1/sqrt(4) -> 32 - 100
}

TEST(RsqrtTest, WithinOneLsbOfDouble) {
  const float si = 0.0183f, so = 0.0417f;
  const RsqrtInt8Params p = PrepareRsqrtInt8(si, -128, so, -128);
  for (int q = -127; q <= 127; ++q) {
    const double expected = std::clamp(std::round(1.0 / std::sqrt(si * (q + 128.0)) / so) - 128, -128.0, 127.0);
    EXPECT_NEAR(RsqrtInt8Element(p, static_cast<int8_t>(q)), expected, 1.0) << q;
  }
  SingleOpModel m(BuiltinOp::kRsqrt);
  m.AddInput(DataType::kInt8, {3}, Quant(1.0f, 0));
  m.AddOutput(DataType::kInt8, {3}, Quant(1.0f / 64, 0));
  m.Build();
  m.SetInput<int8_t>(0, {4, 16, -2});
  EXPECT_THROW(m.Invoke(), Error);  // TFLite Micro fails the inference on a negative input
  m.SetInput<int8_t>(0, {4, 16, 0});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{32, 16, 127}));
}

TEST(TanhTest, HandComputedAndWithinOneLsb) {
  const fixed_point::TanhInt8Params p = fixed_point::PrepareTanhInt8(0.05f, 0);
  EXPECT_EQ(fixed_point::TanhInt8(p, 0), 0);
  EXPECT_EQ(fixed_point::TanhInt8(p, 20), 97);    // tanh(1) = 0.7616 * 128 = 97.5 -> 97
  EXPECT_EQ(fixed_point::TanhInt8(p, -20), -97);
  EXPECT_EQ(fixed_point::TanhInt8(p, 127), 127);  // tanh(6.35) * 128 saturates
  for (float scale : {0.013f, 0.05f, 0.2f}) {
    const fixed_point::TanhInt8Params t = fixed_point::PrepareTanhInt8(scale, 5);
    for (int q = -128; q <= 127; ++q) {
      const double expected = std::clamp(std::round(128 * std::tanh(scale * (q - 5.0))), -128.0, 127.0);
      EXPECT_NEAR(fixed_point::TanhInt8(t, static_cast<int8_t>(q)), expected, 1.0) << scale << " " << q;
    }
  }
  SingleOpModel bad(BuiltinOp::kTanh);
  bad.AddInput(DataType::kInt8, {2}, Quant(0.05f, 0));
  bad.AddOutput(DataType::kInt8, {2}, Quant(1.0f / 256, -128));
  EXPECT_THROW(bad.Build(), UnsupportedError);
}

TEST(TanhTest, TableTwinEqualsTheReferenceOnEveryCode) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const float scale = std::uniform_real_distribution<float>(0.002f, 0.5f)(rng);
    const int32_t zp = static_cast<int32_t>(rng() % 256) - 128;
    const fixed_point::TanhInt8Params p = fixed_point::PrepareTanhInt8(scale, zp);
    std::vector<int8_t> in(256), ref(256), twin(256);
    for (int q = 0; q < 256; ++q) in[q] = static_cast<int8_t>(q - 128);
    TanhInt8(p, in.data(), 256, ref.data());
    ApplyInt8Lut(TanhInt8Table(p), in.data(), 256, twin.data());
    EXPECT_EQ(twin, ref) << scale << " " << zp;
  }
  // Through the kernel (which uses the table): the hand-computed values above.
  SingleOpModel m(BuiltinOp::kTanh);
  m.AddInput(DataType::kInt8, {4}, Quant(0.05f, 0));
  m.AddOutput(DataType::kInt8, {4}, Quant(1.0f / 128, 0));
  m.Build();
  m.SetInput<int8_t>(0, {0, 20, -20, 127});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{0, 97, -97, 127}));
}

TEST(GatherTest, ClassTokenAndShapes) {
  const GatherShape s = MakeGatherShape({1, 3, 2}, {}, 1, 0);  // scalar index
  EXPECT_EQ(s.output_shape, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(MakeGatherShape({4, 5, 6}, {2, 3}, 1, 0).output_shape, (std::vector<int32_t>{4, 2, 3, 6}));
  EXPECT_EQ(MakeGatherShape({4, 5, 6}, {4, 3}, 1, 1).output_shape, (std::vector<int32_t>{4, 3, 6}));
  EXPECT_EQ(MakeGatherShape({4, 5, 6}, {2}, -1, 0).output_shape, (std::vector<int32_t>{4, 5, 2}));
  EXPECT_THROW(MakeGatherShape({4, 5}, {2}, 2, 0), Error);
  EXPECT_THROW(MakeGatherShape({4, 5}, {3, 2}, 1, 1), Error);  // batch dims differ

  SingleOpModel m(BuiltinOp::kGather);
  m.AddInput(DataType::kInt8, {1, 3, 2}, Quant(0.1f, 2));
  m.AddConstInput<int32_t>(DataType::kInt32, {}, {0});
  m.AddOutput(DataType::kInt8, {1, 2}, Quant(0.1f, 2));
  m.options().axis = 1;
  m.Build();
  m.SetInput<int8_t>(0, {7, -8, 1, 2, 3, 4});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{7, -8}));

  SingleOpModel b(BuiltinOp::kGather);
  b.AddInput(DataType::kInt8, {2, 3}, Quant(0.1f, 0));
  b.AddConstInput<int32_t>(DataType::kInt32, {2, 1}, {1, 2});
  b.AddOutput(DataType::kInt8, {2, 1}, Quant(0.1f, 0));
  b.options().axis = 1;
  b.options().batch_dims = 1;
  b.Build();
  b.SetInput<int8_t>(0, {1, 2, 3, 4, 5, 6});
  b.Invoke();
  EXPECT_EQ(b.Output<int8_t>(), (std::vector<int8_t>{2, 6}));

  SingleOpModel oob(BuiltinOp::kGather);
  oob.AddInput(DataType::kInt8, {1, 3, 2}, Quant(0.1f, 0));
  oob.AddConstInput<int32_t>(DataType::kInt32, {1}, {3});
  oob.AddOutput(DataType::kInt8, {1, 1, 2}, Quant(0.1f, 0));
  oob.options().axis = 1;
  EXPECT_THROW(oob.Build(), InvalidModelError);

  SingleOpModel dyn(BuiltinOp::kGather);
  dyn.AddInput(DataType::kInt8, {1, 3, 2}, Quant(0.1f, 0));
  dyn.AddInput(DataType::kInt32, {1});
  dyn.AddOutput(DataType::kInt8, {1, 1, 2}, Quant(0.1f, 0));
  dyn.options().axis = 1;
  dyn.Build();
  dyn.SetInput<int8_t>(0, {1, 2, 3, 4, 5, 6});
  dyn.SetInput<int32_t>(1, {-1});
  EXPECT_THROW(dyn.Invoke(), Error);
  dyn.SetInput<int32_t>(1, {2});
  dyn.Invoke();
  EXPECT_EQ(dyn.Output<int8_t>(), (std::vector<int8_t>{5, 6}));
}

}  // namespace
}  // namespace potacc::kernels
