#include "potacc/kernels/conv_2d.h"

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
using testing::TensorSpec;

using Tables = testing::MultiplierTables;

ConvShape Shape(int batch, int h, int w, int c, int fh, int fw, int oc, int stride, int dilation,
                Padding padding) {
  return testing::UniformConvShape(batch, h, w, c, fh, fw, oc, stride, dilation, padding);
}

// Runs the reference and every optimized path; all must give `expect`.
void ExpectAllPaths(const ConvShape& s, const Int8Params& q, const std::vector<int8_t>& in,
                    const std::vector<int8_t>& filter, const std::vector<int32_t>* bias,
                    const std::vector<int8_t>& expect) {
  std::vector<int8_t> out(expect.size());
  ConvInt8Reference(s, q, in.data(), filter.data(), bias ? bias->data() : nullptr, out.data());
  EXPECT_EQ(out, expect) << "reference";
  for (Isa isa : Isas()) {
    std::fill(out.begin(), out.end(), 0);
    ConvInt8(s, q, in.data(), filter.data(), bias ? bias->data() : nullptr, out.data(), isa);
    EXPECT_EQ(out, expect) << IsaName(isa);
  }
}

TEST(Conv2DTest, Same3x3WithInputZeroPointAndBias) {
  // x = 1..9, input zero point -1 -> (x + 1) = 2..10; all-ones 3x3 filter, SAME:
  // each output is the sum of its 3x3 neighbourhood, + bias 2 + output zp 3.
  const ConvShape s = Shape(1, 3, 3, 1, 3, 3, 1, 1, 1, Padding::kSame);
  ASSERT_EQ(s.out_h, 3);
  ASSERT_EQ(s.pad_top, 1);
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int8_t> filter(9, 1);
  const std::vector<int32_t> bias = {2};
  const Tables t({1.0});
  ExpectAllPaths(s, t.Params(-1, 3), in, filter, &bias,
                 {16 + 5, 27 + 5, 20 + 5, 33 + 5, 54 + 5, 39 + 5, 28 + 5, 45 + 5, 32 + 5});
}

TEST(Conv2DTest, Valid2x2Stride2) {
  // x(r, c) = 4r + c on a 4x4 image; filter [[1, 2], [3, 4]]; multiplier 0.5.
  const ConvShape s = Shape(1, 4, 4, 1, 2, 2, 1, 2, 1, Padding::kValid);
  ASSERT_EQ(s.out_h, 2);
  std::vector<int8_t> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<int8_t>(i);
  const Tables t({0.5});
  // (0+2+12+20)/2, (2+6+18+28)/2, (8+18+36+52)/2, (10+22+42+60)/2
  ExpectAllPaths(s, t.Params(0, 0), in, {1, 2, 3, 4}, nullptr, {17, 27, 57, 67});
}

TEST(Conv2DTest, Dilation2ValidAndSame) {
  // x(r, c) = 5r + c - 12 on 5x5, filter 1..9, dilation 2, multiplier 0.5.
  std::vector<int8_t> in(25);
  for (int i = 0; i < 25; ++i) in[i] = static_cast<int8_t>(i - 12);
  const std::vector<int8_t> filter = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Tables t({0.5});
  // Taps at rows/cols 0, 2, 4: -12*1 -10*2 -8*3 -2*4 +0*5 +2*6 +8*7 +10*8 +12*9 = 192 -> 96
  ExpectAllPaths(Shape(1, 5, 5, 1, 3, 3, 1, 1, 2, Padding::kValid), t.Params(0, 0), in, filter,
                 nullptr, {96});
  const ConvShape same = Shape(1, 5, 5, 1, 3, 3, 1, 1, 2, Padding::kSame);
  ASSERT_EQ(same.pad_top, 2);
  std::vector<int8_t> out(25);
  ConvInt8Reference(same, t.Params(0, 0), in.data(), filter.data(), nullptr, out.data());
  EXPECT_EQ(out[12], 96);  // centre: all taps inside
  // Corner (0,0): taps (0,0)*5 + (0,2)*6 + (2,0)*8 + (2,2)*9 = -60 - 60 - 16 + 0 = -136 -> -68
  EXPECT_EQ(out[0], -68);
  for (Isa isa : Isas()) {
    std::vector<int8_t> opt(25);
    ConvInt8(same, t.Params(0, 0), in.data(), filter.data(), nullptr, opt.data(), isa);
    EXPECT_EQ(opt, out) << IsaName(isa);
  }
}

TEST(Conv2DTest, PaddedTapsContributeNothingAtExtremeZeroPoints) {
  // Every pixel equals the zero point except the centre (one step inside the
  // range). Output (oy, ox) sees the centre through tap (2 - oy, 2 - ox) only;
  // padded taps must add nothing (they would add zp * w if read as zeros).
  const ConvShape s = Shape(1, 3, 3, 1, 3, 3, 1, 1, 1, Padding::kSame);
  const std::vector<int8_t> filter = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Tables t({1.0});
  std::vector<int8_t> in(9, 127);
  in[4] = 126;  // x - zp = -1
  ExpectAllPaths(s, t.Params(127, 0), in, filter, nullptr, {-9, -8, -7, -6, -5, -4, -3, -2, -1});
  std::fill(in.begin(), in.end(), -128);
  in[4] = -127;  // x - zp = +1
  ExpectAllPaths(s, t.Params(-128, 0), in, filter, nullptr, {9, 8, 7, 6, 5, 4, 3, 2, 1});
}

TEST(Conv2DTest, PerChannelMultipliersAndClamp) {
  // 1x1 conv of x = 10 with filters 3, -4, 10 and multipliers 1, 1, 0.5:
  // 30, -40, 50; output zp -100 -> -70, -140, -50; clamp [-100, -40] -> -70, -100, -50.
  const ConvShape s = Shape(1, 1, 1, 1, 1, 1, 3, 1, 1, Padding::kValid);
  const Tables t({1.0, 1.0, 0.5});
  Int8Params q = t.Params(0, -100);
  q.act_min = -100;
  q.act_max = -40;
  ExpectAllPaths(s, q, {10}, {3, -4, 10}, nullptr, {-70, -100, -50});
}

TEST(Conv2DTest, PerTensorFilterZeroPoint) {
  // filter zero point 3: (w - 3) = [-2, 1]; x + 5 (input zp -5) = [6, -2]: -12 - 2 = -14.
  const ConvShape s = Shape(1, 1, 1, 2, 1, 1, 1, 1, 1, Padding::kValid);
  const Tables t({1.0});
  Int8Params q = t.Params(-5, 0);
  q.filter_offset = -3;
  ExpectAllPaths(s, q, {1, -7}, {1, 4}, nullptr, {-14});
}

TEST(Conv2DTest, RandomShapesOptimizedEqualsReference) {
  std::mt19937 rng(42);
  ThreadPool pool(3);  // every 4th trial splits the rows over 3 threads
  std::uniform_int_distribution<int> dhw(1, 10), dc(1, 19), doc(1, 37), dstride(1, 3),
      ddil(1, 2), dzp(-128, 127), dbatch(1, 2);
  const int filters[] = {1, 1, 2, 3, 3, 5};
  std::uniform_real_distribution<double> dm(std::log(1e-5), std::log(2.0));
  int run = 0;
  for (int trial = 0; run < 250 && trial < 2000; ++trial) {
    const int f = filters[trial % 6];
    const int dil = f > 1 ? ddil(rng) : 1;
    const int stride = trial % 9 == 0 ? 1 : dstride(rng);
    const Padding pad = trial % 2 ? Padding::kSame : Padding::kValid;
    ConvShape s = Shape(dbatch(rng), dhw(rng), dhw(rng), dc(rng), f, trial % 4 == 0 ? 1 : f,
                        doc(rng), stride, dil, pad);
    if (s.out_h <= 0 || s.out_w <= 0) continue;
    ++run;
    const int in_zp = trial % 5 == 0 ? -128 : trial % 5 == 1 ? 127 : dzp(rng);
    const auto in = RandomInt8(rng, static_cast<size_t>(s.batch) * s.in_h * s.in_w * s.in_c);
    const auto filter = RandomInt8(rng, static_cast<size_t>(s.out_c) * s.depth(), -127, 127);
    const auto bias = RandomInt32(rng, s.out_c, -50000, 50000);
    std::vector<double> reals(s.out_c);
    for (auto& r : reals) r = std::exp(dm(rng));
    const Tables t(reals);
    Int8Params q = t.Params(in_zp, dzp(rng));
    if (trial % 3 == 0) q.act_min = q.output_zero_point;  // ReLU-like
    if (trial % 7 == 0) q.filter_offset = -dzp(rng) / 2;  // per-tensor filter zero point
    std::vector<int8_t> expect(s.rows() * s.out_c);
    ConvInt8Reference(s, q, in.data(), filter.data(), bias.data(), expect.data());
    for (Isa isa : Isas()) {
      std::vector<int8_t> got(expect.size(), 0);
      ConvInt8(s, q, in.data(), filter.data(), bias.data(), got.data(), isa, trial % 4 == 1 ? &pool : nullptr);
      ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << " in " << s.batch << "x"
                             << s.in_h << "x" << s.in_w << "x" << s.in_c << " f" << f << " oc "
                             << s.out_c << " stride " << stride << " dil " << dil;
    }
  }
  EXPECT_EQ(run, 250);
}

TEST(Conv2DTest, FloatHandComputed) {
  // VALID 2x2 over [[1, 2], [3, 4]] with [[1, 0.5], [-1, 2]]: 1 + 1 - 3 + 8 = 7, + 0.5.
  const ConvShape s = Shape(1, 2, 2, 1, 2, 2, 1, 1, 1, Padding::kValid);
  const std::vector<float> in = {1, 2, 3, 4}, filter = {1, 0.5f, -1, 2}, bias = {0.5f};
  float out = 0;
  ConvFloat(s, ActivationRangeFloat(Activation::kNone), in.data(), filter.data(), bias.data(), &out);
  EXPECT_EQ(out, 7.5f);
  ConvFloat(s, ActivationRangeFloat(Activation::kRelu6), in.data(), filter.data(), bias.data(), &out);
  EXPECT_EQ(out, 6.0f);
}

// --- the registered kernel, through the Interpreter ---

OpOptions ConvOptions(Padding padding, int stride, Activation act = Activation::kNone) {
  OpOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.activation = act;
  o.has_options = true;
  return o;
}

TEST(Conv2DKernelTest, PerChannelRelu6ThroughInterpreter) {
  // Scales chosen so the multipliers are exactly 1, 1, 0.5 (0.05 * 2 / 0.1 is
  // exact in float): the hand case of PerChannelMultipliersAndClamp, with
  // ReLU6 on output scale 0.1, zp -100 -> clamp [-100, -40].
  const Model m = SingleLayerModel(
      BuiltinOp::kConv2D, ConvOptions(Padding::kValid, 1, Activation::kRelu6),
      {{DataType::kInt8, {1, 1, 1, 1}, Quant({0.05f}, {0}), {}},
       {DataType::kInt8, {3, 1, 1, 1}, Quant({2.0f, 2.0f, 1.0f}, {0, 0, 0}, 0),
        Bytes(std::vector<int8_t>{3, -4, 10})},
       {DataType::kInt32, {3}, Quant({0.1f, 0.1f, 0.05f}, {0, 0, 0}),
        Bytes(std::vector<int32_t>{0, 0, 0})}},
      {DataType::kInt8, {1, 1, 1, 3}, Quant({0.1f}, {-100}), {}});
  EXPECT_EQ(RunSingleInput<int8_t>(m, std::vector<int8_t>{10}), (std::vector<int8_t>{-70, -100, -50}));
}

TEST(Conv2DKernelTest, MatchesReferenceOnRandomLayer) {
  std::mt19937 rng(5);
  const int oc = 11;
  const auto in = RandomInt8(rng, 2 * 7 * 6 * 5);
  const auto filter = RandomInt8(rng, oc * 3 * 3 * 5, -127, 127);
  const auto bias = RandomInt32(rng, oc, -3000, 3000);
  std::vector<float> fscale(oc);
  for (int c = 0; c < oc; ++c) fscale[c] = 0.002f * static_cast<float>(c + 1);
  const Model m = SingleLayerModel(
      BuiltinOp::kConv2D, ConvOptions(Padding::kSame, 2, Activation::kRelu),
      {{DataType::kInt8, {2, 7, 6, 5}, Quant({0.04f}, {-3}), {}},
       {DataType::kInt8, {oc, 3, 3, 5}, Quant(fscale, std::vector<int64_t>(oc, 0), 0), Bytes(filter)},
       {DataType::kInt32, {oc}, {}, Bytes(bias)}},
      {DataType::kInt8, {2, 4, 3, oc}, Quant({0.07f}, {5}), {}});
  const auto got = RunSingleInput<int8_t>(m, in);
  // Independent wiring check: the reference with the tables computed here.
  ConvShape s = Shape(2, 7, 6, 5, 3, 3, oc, 2, 1, Padding::kSame);
  const ChannelMultipliers cm = PerChannelMultipliers(0.04f, fscale, 0.07f, oc);
  Int8Params q;
  q.input_offset = 3;
  q.output_zero_point = 5;
  q.act_min = 5;  // ReLU: quantize(0) = zp
  q.multiplier = cm.multiplier.data();
  q.shift = cm.shift.data();
  std::vector<int8_t> expect(s.rows() * oc);
  ConvInt8Reference(s, q, in.data(), filter.data(), bias.data(), expect.data());
  EXPECT_EQ(got, expect);
}

TEST(Conv2DKernelTest, FloatThroughInterpreter) {
  const Model m = SingleLayerModel(
      BuiltinOp::kConv2D, ConvOptions(Padding::kValid, 1),
      {{DataType::kFloat32, {1, 2, 2, 1}, {}, {}},
       {DataType::kFloat32, {1, 2, 2, 1}, {}, Bytes(std::vector<float>{1, 0.5f, -1, 2})},
       {DataType::kFloat32, {1}, {}, Bytes(std::vector<float>{0.5f})}},
      {DataType::kFloat32, {1, 1, 1, 1}, {}, {}});
  EXPECT_EQ(RunSingleInput<float>(m, std::vector<float>{1, 2, 3, 4}), std::vector<float>{7.5f});
}

template <class E>
std::string PrepareError(const Model& m) {
  try {
    Interpreter interp(m);
    interp.Prepare();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error)";
}

Model ConvModel(DataType in_type, DataType w_type, std::vector<int32_t> out_shape,
                Activation act = Activation::kNone, std::vector<int64_t> filter_zp = {0, 0}) {
  return SingleLayerModel(
      BuiltinOp::kConv2D, ConvOptions(Padding::kValid, 1, act),
      {{in_type, {1, 2, 2, 1}, Quant({0.5f}, {0}), {}},
       {w_type, {2, 1, 1, 1}, Quant({0.5f, 0.25f}, filter_zp, 0), Bytes(std::vector<int8_t>{1, 2})}},
      {in_type, out_shape, Quant({1.0f}, {0}), {}});
}

TEST(Conv2DKernelTest, RejectsUnsupportedAndInvalid) {
  std::string e = PrepareError<UnsupportedError>(ConvModel(DataType::kUInt8, DataType::kUInt8, {1, 2, 2, 2}));
  EXPECT_NE(e.find("CONV_2D (node 0)"), std::string::npos) << e;
  EXPECT_NE(e.find("uint8"), std::string::npos) << e;
  e = PrepareError<UnsupportedError>(ConvModel(DataType::kInt16, DataType::kInt8, {1, 2, 2, 2}));
  EXPECT_NE(e.find("int16"), std::string::npos) << e;
  e = PrepareError<UnsupportedError>(
      ConvModel(DataType::kInt8, DataType::kInt8, {1, 2, 2, 2}, Activation::kTanh));
  EXPECT_NE(e.find("TANH"), std::string::npos) << e;
  e = PrepareError<UnsupportedError>(
      ConvModel(DataType::kInt8, DataType::kInt8, {1, 2, 2, 2}, Activation::kNone, {0, 4}));
  EXPECT_NE(e.find("zero point"), std::string::npos) << e;
  e = PrepareError<InvalidModelError>(ConvModel(DataType::kInt8, DataType::kInt8, {1, 2, 2, 3}));
  EXPECT_NE(e.find("output shape [1,2,2,3] should be [1,2,2,2]"), std::string::npos) << e;
}

}  // namespace
}  // namespace potacc::kernels
