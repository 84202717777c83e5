#include "potacc/kernels/depthwise_conv_2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "conv_test_model.h"
#include "potacc/error.h"
#include "potacc/fixed_point.h"
#include "potacc/util/thread_pool.h"

namespace potacc::kernels {
namespace {

using testing::Bytes;
using testing::Isas;
using testing::Quant;
using testing::RandomInt32;
using testing::RandomInt8;
using testing::RunSingleInput;
using testing::SingleLayerModel;

using Tables = testing::MultiplierTables;

ConvShape Shape(int h, int w, int c, int fh, int fw, int dm, int stride, int dilation,
                Padding padding, int batch = 1) {
  return testing::UniformConvShape(batch, h, w, c, fh, fw, c * dm, stride, dilation, padding);
}

void ExpectAllDepthwisePaths(const ConvShape& s, const Int8Params& q, const std::vector<int8_t>& in,
                    const std::vector<int8_t>& filter, const std::vector<int32_t>* bias,
                    const std::vector<int8_t>& expect) {
  std::vector<int8_t> out(expect.size());
  DepthwiseConvInt8Reference(s, q, in.data(), filter.data(), bias ? bias->data() : nullptr,
                             out.data());
  EXPECT_EQ(out, expect) << "reference";
  for (Isa isa : Isas()) {
    std::fill(out.begin(), out.end(), 0);
    DepthwiseConvInt8(s, q, in.data(), filter.data(), bias ? bias->data() : nullptr, out.data(), isa);
    EXPECT_EQ(out, expect) << IsaName(isa);
  }
}

TEST(DepthwiseConv2DTest, Same3x3TwoChannels) {
  // Channel 0: x = 1..9, all-ones filter (neighbourhood sums of x + 1), bias 2.
  // Channel 1: x = -5..3, filter 2 at the centre tap only: 2 (x + 1), bias -1.
  // Input zero point -1, multiplier 1, output zero point 3.
  const ConvShape s = Shape(3, 3, 2, 3, 3, 1, 1, 1, Padding::kSame);
  std::vector<int8_t> in(18), filter(18, 0);
  for (int i = 0; i < 9; ++i) {
    in[2 * i] = static_cast<int8_t>(i + 1);
    in[2 * i + 1] = static_cast<int8_t>(i - 5);
    filter[2 * i] = 1;
  }
  filter[2 * 4 + 1] = 2;
  const std::vector<int32_t> bias = {2, -1};
  const Tables t({1.0, 1.0});
  const int ch0[9] = {16, 27, 20, 33, 54, 39, 28, 45, 32};
  std::vector<int8_t> expect(18);
  for (int i = 0; i < 9; ++i) {
    expect[2 * i] = static_cast<int8_t>(ch0[i] + 2 + 3);
    expect[2 * i + 1] = static_cast<int8_t>(2 * (i - 5 + 1) - 1 + 3);
  }
  ExpectAllDepthwisePaths(s, t.Params(-1, 3), in, filter, &bias, expect);
}

TEST(DepthwiseConv2DTest, DepthMultiplier2) {
  // Pixels (c0, c1) = (3, -2) and (5, 4); 1x2 filter taps [1 2 3 4], [-1 1 2 -2].
  // Output channel oc reads input channel oc / 2:
  //   3*1 + 5*-1 = -2, 3*2 + 5*1 = 11, -2*3 + 4*2 = 2, -2*4 + 4*-2 = -16
  const ConvShape s = Shape(1, 2, 2, 1, 2, 2, 1, 1, Padding::kValid);
  const Tables t({1.0, 1.0, 1.0, 1.0});
  ExpectAllDepthwisePaths(s, t.Params(0, 0), {3, -2, 5, 4}, {1, 2, 3, 4, -1, 1, 2, -2}, nullptr,
                 {-2, 11, 2, -16});
}

TEST(DepthwiseConv2DTest, Stride2ValidOddSize) {
  // x(r, c) = 5r + c on 5x5, 3x3 ones, stride 2: each output is 9 x(centre); multiplier 0.5.
  const ConvShape s = Shape(5, 5, 1, 3, 3, 1, 2, 1, Padding::kValid);
  ASSERT_EQ(s.out_h, 2);
  std::vector<int8_t> in(25);
  for (int i = 0; i < 25; ++i) in[i] = static_cast<int8_t>(i);
  const Tables t({0.5});
  ExpectAllDepthwisePaths(s, t.Params(0, 0), in, std::vector<int8_t>(9, 1), nullptr,
                 {9 * 6 / 2, 9 * 8 / 2, 9 * 16 / 2, 9 * 18 / 2});
}

TEST(DepthwiseConv2DTest, PaddedTapsContributeNothingAtExtremeZeroPoints) {
  const ConvShape s = Shape(3, 3, 1, 3, 3, 1, 1, 1, Padding::kSame);
  const std::vector<int8_t> filter = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Tables t({1.0});
  std::vector<int8_t> in(9, 127);
  in[4] = 126;
  ExpectAllDepthwisePaths(s, t.Params(127, 0), in, filter, nullptr, {-9, -8, -7, -6, -5, -4, -3, -2, -1});
  std::fill(in.begin(), in.end(), -128);
  in[4] = -127;
  ExpectAllDepthwisePaths(s, t.Params(-128, 0), in, filter, nullptr, {9, 8, 7, 6, 5, 4, 3, 2, 1});
}

TEST(DepthwiseConv2DTest, RandomShapesOptimizedEqualsReference) {
  std::mt19937 rng(99);
  // Every 4th trial splits the layer over 3 threads, and another over 8: whole
  // rows when there are enough, else pixels (row parts, the AVX-512 kernel's
  // 4-pixel groups cut at task edges).
  ThreadPool pool(3), pool8(8);
  std::uniform_int_distribution<int> dhw(1, 12), dc(1, 40), ddm(1, 3), dstride(1, 3), ddil(1, 2),
      dzp(-128, 127), dbatch(1, 2);
  const int filters[] = {3, 3, 1, 2, 5};
  std::uniform_real_distribution<double> dmul(std::log(1e-5), std::log(2.0));
  int run = 0;
  for (int trial = 0; run < 300 && trial < 3000; ++trial) {
    const int f = filters[trial % 5];
    const int dm = trial % 3 == 0 ? ddm(rng) : 1;
    const ConvShape s = Shape(dhw(rng), dhw(rng), dc(rng), f, f, dm, dstride(rng),
                              f > 1 ? ddil(rng) : 1, trial % 2 ? Padding::kSame : Padding::kValid,
                              dbatch(rng));
    if (s.out_h <= 0 || s.out_w <= 0) continue;
    ++run;
    const auto in = RandomInt8(rng, static_cast<size_t>(s.batch) * s.in_h * s.in_w * s.in_c);
    const auto filter = RandomInt8(rng, static_cast<size_t>(f) * f * s.out_c, -127, 127);
    const auto bias = RandomInt32(rng, s.out_c, -20000, 20000);
    std::vector<double> reals(s.out_c);
    for (auto& r : reals) r = std::exp(dmul(rng));
    const Tables t(reals);
    Int8Params q = t.Params(trial % 4 == 0 ? 127 : trial % 4 == 1 ? -128 : dzp(rng), dzp(rng));
    if (trial % 3 == 1) q.act_max = std::max(q.output_zero_point, 0);
    if (trial % 11 == 0) q.filter_offset = -dzp(rng) / 2;
    std::vector<int8_t> expect(s.rows() * s.out_c);
    DepthwiseConvInt8Reference(s, q, in.data(), filter.data(), bias.data(), expect.data());
    for (Isa isa : Isas()) {
      std::vector<int8_t> got(expect.size(), 0);
      DepthwiseConvInt8(s, q, in.data(), filter.data(), bias.data(), got.data(), isa,
                        trial % 4 == 1 ? &pool : trial % 4 == 3 ? &pool8 : nullptr);
      ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << " " << s.in_h << "x"
                             << s.in_w << "x" << s.in_c << " dm " << dm << " f " << f;
    }
  }
  EXPECT_EQ(run, 300);
}

TEST(DepthwiseConv2DTest, FloatDepthMultiplier2) {
  const ConvShape s = Shape(1, 2, 2, 1, 2, 2, 1, 1, Padding::kValid);
  const std::vector<float> in = {3, -2, 5, 4}, filter = {1, 2, 3, 4, -1, 1, 2, -2};
  const std::vector<float> bias = {0.5f, 0, 0, 0};
  std::vector<float> out(4);
  DepthwiseConvFloat(s, ActivationRangeFloat(Activation::kRelu), in.data(), filter.data(),
                     bias.data(), out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 11, 2, 0}));  // -1.5 and -16 clamp to 0
}

OpOptions DwOptions(Padding padding, int stride, int dm) {
  OpOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.depth_multiplier = dm;
  o.has_options = true;
  return o;
}

TEST(DepthwiseConv2DKernelTest, MatchesReferenceOnRandomLayer) {
  std::mt19937 rng(3);
  const int c = 13;
  const auto in = RandomInt8(rng, 9 * 8 * c);
  const auto filter = RandomInt8(rng, 9 * c, -127, 127);
  const auto bias = RandomInt32(rng, c, -2000, 2000);
  std::vector<float> fscale(c);
  for (int i = 0; i < c; ++i) fscale[i] = 0.01f / static_cast<float>(i + 1);
  const Model m = SingleLayerModel(
      BuiltinOp::kDepthwiseConv2D, DwOptions(Padding::kSame, 2, 1),
      {{DataType::kInt8, {1, 9, 8, c}, Quant({0.03f}, {7}), {}},
       {DataType::kInt8, {1, 3, 3, c}, Quant(fscale, std::vector<int64_t>(c, 0), 3), Bytes(filter)},
       {DataType::kInt32, {c}, {}, Bytes(bias)}},
      {DataType::kInt8, {1, 5, 4, c}, Quant({0.02f}, {-9}), {}});
  const auto got = RunSingleInput<int8_t>(m, in);
  const ConvShape s = Shape(9, 8, c, 3, 3, 1, 2, 1, Padding::kSame);
  const ChannelMultipliers cm = PerChannelMultipliers(0.03f, fscale, 0.02f, c);
  Int8Params q;
  q.input_offset = -7;
  q.output_zero_point = -9;
  q.multiplier = cm.multiplier.data();
  q.shift = cm.shift.data();
  std::vector<int8_t> expect(s.rows() * c);
  DepthwiseConvInt8Reference(s, q, in.data(), filter.data(), bias.data(), expect.data());
  EXPECT_EQ(got, expect);
}

TEST(DepthwiseConv2DKernelTest, RejectsPerChannelScalesOnWrongAxis) {
  const Model m = SingleLayerModel(
      BuiltinOp::kDepthwiseConv2D, DwOptions(Padding::kValid, 1, 1),
      {{DataType::kInt8, {1, 1, 1, 2}, Quant({0.5f}, {0}), {}},
       {DataType::kInt8, {1, 1, 1, 2}, Quant({0.5f, 0.25f}, {0, 0}, 0), Bytes(std::vector<int8_t>{1, 2})}},
      {DataType::kInt8, {1, 1, 1, 2}, Quant({1.0f}, {0}), {}});
  try {
    Interpreter interp(m);
    interp.Prepare();
    FAIL() << "expected InvalidModelError";
  } catch (const InvalidModelError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("DEPTHWISE_CONV_2D (node 0)"), std::string::npos) << what;
    EXPECT_NE(what.find("axis 0, expected 3"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace potacc::kernels
