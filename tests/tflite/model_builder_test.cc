// ModelBuilder: shapes (hand-computed TFLite output sizes), TFLite layout and
// quantization rules, determinism, and round trips through the file format.
#include "potacc/tflite/model_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "potacc/error.h"
#include "potacc/quant/method.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"

namespace potacc {
namespace {

std::vector<int8_t> Int8Data(const Model& m, const Tensor& t) {
  const auto* d = ConstantData(m, t);
  EXPECT_NE(d, nullptr);
  if (d == nullptr) return {};
  std::vector<int8_t> v(d->size());
  std::memcpy(v.data(), d->data(), d->size());
  return v;
}

std::vector<int32_t> Int32Data(const Model& m, const Tensor& t) {
  const auto* d = ConstantData(m, t);
  EXPECT_NE(d, nullptr);
  if (d == nullptr) return {};
  std::vector<int32_t> v(d->size() / 4);
  std::memcpy(v.data(), d->data(), v.size() * 4);
  return v;
}

TEST(ModelBuilder, ConvOutputShapesMatchTfliteFormulas) {
  // SAME: ceil(in / stride). VALID: floor((in - (k-1)*d - 1) / stride) + 1.
  struct Case {
    int in, k, stride, dilation;
    Padding pad;
    int expected;
  };
  const Case cases[] = {{32, 3, 1, 1, Padding::kSame, 32},  {32, 3, 2, 1, Padding::kSame, 16},
                        {33, 3, 2, 1, Padding::kSame, 17},  {32, 3, 1, 1, Padding::kValid, 30},
                        {32, 3, 2, 1, Padding::kValid, 15}, {10, 3, 1, 2, Padding::kValid, 6},
                        {7, 7, 1, 1, Padding::kValid, 1},   {224, 7, 2, 1, Padding::kSame, 112}};
  for (const Case& c : cases) {
    ModelBuilder b;
    const int x = b.Input({1, c.in, c.in, 2});
    const int y = b.Conv2D(x, {.out_channels = 5, .kernel = c.k, .stride = c.stride, .padding = c.pad,
                               .dilation = c.dilation});
    EXPECT_EQ(b.shape(y), (std::vector<int32_t>{1, c.expected, c.expected, 5}))
        << c.in << " k" << c.k << " s" << c.stride << " d" << c.dilation;
  }
}

TEST(ModelBuilder, ConvLayoutAndQuantizationFollowTflite) {
  ModelBuilder b(5);
  const int x = b.Input({1, 8, 8, 3}, 0.05f, -10);
  const int y = b.Conv2D(x, {.out_channels = 4, .kernel = 3, .activation = Activation::kRelu});
  b.Output(y);
  const Model m = b.Build();
  const Operator& op = m.main().operators[0];
  ASSERT_EQ(op.op(), BuiltinOp::kConv2D);
  ASSERT_EQ(op.inputs.size(), 3u);
  const Tensor& in = m.main().tensors[static_cast<size_t>(op.inputs[0])];
  const Tensor& w = m.main().tensors[static_cast<size_t>(op.inputs[1])];
  const Tensor& bias = m.main().tensors[static_cast<size_t>(op.inputs[2])];
  const Tensor& out = m.main().tensors[static_cast<size_t>(op.outputs[0])];
  EXPECT_EQ(w.shape, (std::vector<int32_t>{4, 3, 3, 3}));  // OHWI
  EXPECT_EQ(w.type, DataType::kInt8);
  EXPECT_EQ(w.quant.quantized_dimension, 0);
  ASSERT_EQ(w.quant.scale.size(), 4u);
  EXPECT_EQ(w.quant.zero_point, std::vector<int64_t>(4, 0));  // symmetric
  EXPECT_EQ(bias.type, DataType::kInt32);
  EXPECT_EQ(bias.shape, std::vector<int32_t>{4});
  for (size_t c = 0; c < 4; ++c) EXPECT_EQ(bias.quant.scale[c], in.quant.scale[0] * w.quant.scale[c]);
  for (int8_t v : Int8Data(m, w)) EXPECT_GE(v, -127);  // symmetric range, -128 unused
  // A fused ReLU output uses the whole int8 range for [0, max].
  EXPECT_EQ(out.quant.zero_point, std::vector<int64_t>{-128});
  EXPECT_GT(out.quant.scale[0], 0.0f);
  EXPECT_EQ(op.options.activation, Activation::kRelu);
  EXPECT_TRUE(op.options.has_options);
}

TEST(ModelBuilder, ScalesKeepActivationsInRange) {
  // Estimated output scale = 6 sigma / 127 where sigma ~ input RMS: for an
  // input uniform on [-1, 1) (RMS 1/sqrt(3)) the scale is ~0.027, i.e. the
  // int8 range covers about +-3.5.
  ModelBuilder b;
  const int x = b.Input({1, 4, 4, 16}, 1.0f / 128, 0);
  const int y = b.Conv2D(x, {.out_channels = 8, .kernel = 3});
  EXPECT_NEAR(b.sigma(x), 1.0 / std::sqrt(3.0), 0.01);
  EXPECT_NEAR(b.quant(y).scale, 6.0 / std::sqrt(3.0) / 127.0, 3e-4);
  EXPECT_EQ(b.quant(y).zero_point, 0);
}

TEST(ModelBuilder, DepthwiseAndFullyConnectedLayouts) {
  ModelBuilder b;
  const int x = b.Input({1, 9, 9, 6});
  const int d = b.DepthwiseConv2D(x, {.kernel = 3, .stride = 2, .padding = Padding::kValid, .depth_multiplier = 2});
  EXPECT_EQ(b.shape(d), (std::vector<int32_t>{1, 4, 4, 12}));
  const int f = b.FullyConnected(d, {.out_features = 7});
  EXPECT_EQ(b.shape(f), (std::vector<int32_t>{1, 7}));
  b.Output(f);
  const Model m = b.Build();
  const Tensor& dw = m.main().tensors[static_cast<size_t>(m.main().operators[0].inputs[1])];
  EXPECT_EQ(dw.shape, (std::vector<int32_t>{1, 3, 3, 12}));
  EXPECT_EQ(dw.quant.quantized_dimension, 3);
  EXPECT_EQ(dw.quant.scale.size(), 12u);
  EXPECT_EQ(m.main().operators[0].options.depth_multiplier, 2);
  const Tensor& fc = m.main().tensors[static_cast<size_t>(m.main().operators[1].inputs[1])];
  EXPECT_EQ(fc.shape, (std::vector<int32_t>{7, 4 * 4 * 12}));
  EXPECT_EQ(fc.quant.quantized_dimension, 0);
}

TEST(ModelBuilder, QuantizationConstraintsOfTfliteKernels) {
  ModelBuilder b;
  const int x = b.FloatInput({1, 8, 8, 4}, 0.02f, 3);
  EXPECT_EQ(b.tensor(x).type, DataType::kInt8);
  const int p = b.MaxPool2D(x, {.filter = 2, .stride = 2});
  const int a = b.AveragePool2D(x, {.filter = 3, .stride = 1, .padding = Padding::kSame});
  const int pad = b.Pad(x, {{{0, 0}, {1, 1}, {2, 0}, {0, 0}}});
  const int r = b.Reshape(p, {1, -1});
  const int mean = b.Mean(x, {1, 2}, true);
  // Pool, pad, reshape and mean keep the input quantization.
  for (int t : {p, a, pad, r, mean}) {
    EXPECT_EQ(b.quant(t).scale, 0.02f);
    EXPECT_EQ(b.quant(t).zero_point, 3);
  }
  EXPECT_EQ(b.shape(p), (std::vector<int32_t>{1, 4, 4, 4}));
  EXPECT_EQ(b.shape(a), (std::vector<int32_t>{1, 8, 8, 4}));
  EXPECT_EQ(b.shape(pad), (std::vector<int32_t>{1, 10, 10, 4}));
  EXPECT_EQ(b.shape(r), (std::vector<int32_t>{1, 64}));
  EXPECT_EQ(b.shape(mean), (std::vector<int32_t>{1, 1, 1, 4}));
  const int s = b.Softmax(b.FullyConnected(r, {.out_features = 3}));
  EXPECT_EQ(b.quant(s).scale, 1.0f / 256);
  EXPECT_EQ(b.quant(s).zero_point, -128);
  b.FloatOutput(s);
  const Model m = b.Build();
  EXPECT_EQ(m.main().operators.front().op(), BuiltinOp::kQuantize);
  EXPECT_EQ(m.main().operators.back().op(), BuiltinOp::kDequantize);
  EXPECT_EQ(m.main().tensors[static_cast<size_t>(m.main().inputs[0])].type, DataType::kFloat32);
  EXPECT_EQ(m.main().tensors[static_cast<size_t>(m.main().outputs[0])].type, DataType::kFloat32);
}

TEST(ModelBuilder, ConcatenationRequantizesMismatchedInputs) {
  ModelBuilder b;
  const int x = b.Input({1, 4, 4, 2}, 0.1f, 0);
  const int y = b.Quantize(x, {0.2f, 5});
  const int c = b.Concatenation({x, y}, 3);
  EXPECT_EQ(b.shape(c), (std::vector<int32_t>{1, 4, 4, 4}));
  // Widest input (scale 0.2) wins; the other input is requantized to it.
  EXPECT_EQ(b.quant(c).scale, 0.2f);
  EXPECT_EQ(b.quant(c).zero_point, 5);
  b.Output(c);
  const Model m = b.Build();
  const Operator& concat = m.main().operators.back();
  ASSERT_EQ(concat.op(), BuiltinOp::kConcatenation);
  for (int in : concat.inputs) {
    EXPECT_EQ(m.main().tensors[static_cast<size_t>(in)].quant.scale, std::vector<float>{0.2f});
    EXPECT_EQ(m.main().tensors[static_cast<size_t>(in)].quant.zero_point, std::vector<int64_t>{5});
  }
  EXPECT_EQ(concat.options.axis, 3);
}

TEST(ModelBuilder, WeightLevelsAreRespected) {
  const auto& levels = quant::MethodByName("apot").levels();
  std::vector<int> scaled;
  for (int l : levels) scaled.push_back(l * 12);
  ModelBuilder b;
  const int x = b.Input({1, 5, 5, 8});
  b.Output(b.Conv2D(x, {.out_channels = 16, .kernel = 3, .weights = {.levels = scaled}}));
  const Model m = b.Build();
  const auto w = Int8Data(m, m.main().tensors[static_cast<size_t>(m.main().operators[0].inputs[1])]);
  std::set<int> seen(w.begin(), w.end());
  for (int v : seen) EXPECT_TRUE(std::find(scaled.begin(), scaled.end(), v) != scaled.end()) << v;
  EXPECT_GT(seen.size(), 5u);  // uses several levels, not just one
}

TEST(ModelBuilder, DeterministicPerSeed) {
  EXPECT_EQ(WriteModel(MakeSmallCnn(1)), WriteModel(MakeSmallCnn(1)));
  EXPECT_NE(WriteModel(MakeSmallCnn(1)), WriteModel(MakeSmallCnn(2)));
}

TEST(ModelBuilder, WeightsLookNormalAndBiasesAreSmall) {
  ModelBuilder b(11);
  const int x = b.Input({1, 1, 1, 512});
  const int y = b.FullyConnected(x, {.out_features = 64});
  b.Output(y);
  const Model m = b.Build();
  const auto w = Int8Data(m, m.main().tensors[static_cast<size_t>(m.main().operators[0].inputs[1])]);
  double sum = 0, sum_sq = 0;
  for (int8_t v : w) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(w.size());
  EXPECT_NEAR(sum / n, 0.0, 1.0);
  EXPECT_NEAR(std::sqrt(sum_sq / n), 42.0, 3.0);
  const Tensor& bias = m.main().tensors[static_cast<size_t>(m.main().operators[0].inputs[2])];
  const Tensor& in = m.main().tensors[0];
  const Tensor& out = m.main().tensors[static_cast<size_t>(y)];
  // |real bias| <= 0.2 sigma: well inside the output range.
  const auto bq = Int32Data(m, bias);
  for (size_t c = 0; c < bq.size(); ++c) {
    const double real = bq[c] * static_cast<double>(bias.quant.scale[c]);
    EXPECT_LT(std::abs(real), 0.25 * 127 * out.quant.scale[0]);
  }
  (void)in;
}

TEST(ModelBuilder, RoundTripThroughFile) {
  ModelBuilder b(3);
  const int x = b.Input({1, 6, 6, 4});
  const int c = b.Conv2D(x, {.out_channels = 4, .kernel = 1});
  const int a = b.Add(x, c, Activation::kRelu6);
  const int mu = b.Mul(a, a);
  const int r6 = b.Relu6(b.Relu(mu));
  const int lg = b.Logistic(r6);
  const int cat = b.Concatenation({lg, lg}, -1);
  b.Output(cat);
  b.SetMetadata("potacc_test", "hello");
  const Model m = b.Build();
  EXPECT_TRUE(ReadModel(WriteModel(m), "rt") == m);
}

TEST(ModelBuilder, ErrorsAreClear) {
  ModelBuilder b;
  const int x = b.Input({1, 4, 4, 3});
  EXPECT_THROW(b.Conv2D(x, {.out_channels = 0}), Error);
  EXPECT_THROW(b.Conv2D(x, {.out_channels = 2, .kernel = 5, .padding = Padding::kValid}), Error);
  EXPECT_THROW(b.Conv2D(99, {.out_channels = 2}), Error);
  EXPECT_THROW(b.Add(x, b.Input({1, 4, 4, 2})), Error);
  EXPECT_THROW(b.Reshape(x, {5, 5}), Error);
  EXPECT_THROW(b.Mean(x, {7}), Error);
  ModelBuilder empty;
  EXPECT_THROW(empty.Build(), Error);
  ModelBuilder huge;
  EXPECT_THROW(huge.FullyConnected(huge.Input({1, 1 << 20}), {.out_features = 1 << 20}), Error);  // 1 TiB of weights
}

}  // namespace
}  // namespace potacc
