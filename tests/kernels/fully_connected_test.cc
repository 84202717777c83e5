#include "potacc/kernels/fully_connected.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "conv_test_model.h"
#include "potacc/error.h"
#include "potacc/fixed_point.h"

namespace potacc::kernels {
namespace {

using testing::Bytes;
using testing::Isas;
using testing::Quant;
using testing::RandomInt32;
using testing::RandomInt8;
using testing::RunSingleInput;
using testing::SingleLayerModel;

// Two rows [1 2 3], [-1 0 4], input zero point -1 -> (x + 1) = [2 3 4], [0 1 5];
// weights [1 0 -1], [2 2 2]; bias [10, -4]; multiplier 1; output zero point -3.
//   row 0: 2 - 4 + 10 = 8 -> 5;   18 - 4 = 14 -> 11
//   row 1: 0 - 5 + 10 = 5 -> 2;   12 - 4 = 8 -> 5
const std::vector<int8_t> kInput = {1, 2, 3, -1, 0, 4};
const std::vector<int8_t> kWeights = {1, 0, -1, 2, 2, 2};
const std::vector<int32_t> kBias = {10, -4};
const std::vector<int8_t> kExpected = {5, 11, 2, 5};

TEST(FullyConnectedTest, HandComputedTwoRows) {
  int32_t m;
  int shift;
  fixed_point::QuantizeMultiplier(1.0, &m, &shift);
  const std::vector<int32_t> mult = {m, m};
  const std::vector<int> shifts = {shift, shift};
  Int8Params q;
  q.input_offset = 1;
  q.output_zero_point = -3;
  q.multiplier = mult.data();
  q.shift = shifts.data();
  const FullyConnectedShape s{2, 3, 2};
  std::vector<int8_t> out(4);
  FullyConnectedInt8Reference(s, q, kInput.data(), kWeights.data(), kBias.data(), out.data());
  EXPECT_EQ(out, kExpected);
  for (Isa isa : Isas()) {
    std::fill(out.begin(), out.end(), 0);
    FullyConnectedInt8(s, q, kInput.data(), kWeights.data(), kBias.data(), out.data(), isa);
    EXPECT_EQ(out, kExpected) << IsaName(isa);
  }
}

TEST(FullyConnectedTest, RandomShapesOptimizedEqualsReference) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> drows(1, 9), ddepth(1, 300), dunits(1, 70), dzp(-128, 127);
  std::uniform_real_distribution<double> dm(std::log(1e-6), std::log(1.0));
  for (int trial = 0; trial < 150; ++trial) {
    const FullyConnectedShape s{drows(rng), trial % 10 == 0 ? 1 : ddepth(rng), dunits(rng)};
    const auto in = RandomInt8(rng, s.rows * s.depth);
    const auto w = RandomInt8(rng, static_cast<size_t>(s.units) * s.depth, -127, 127);
    const auto bias = RandomInt32(rng, s.units, -100000, 100000);
    std::vector<int32_t> mult(s.units);
    std::vector<int> shift(s.units);
    const bool per_tensor = trial % 2 == 0;
    for (int u = 0; u < s.units; ++u) {
      if (per_tensor && u > 0) {
        mult[u] = mult[0];
        shift[u] = shift[0];
      } else {
        fixed_point::QuantizeMultiplier(std::exp(dm(rng)), &mult[u], &shift[u]);
      }
    }
    Int8Params q;
    q.input_offset = -(trial % 3 == 0 ? -128 : dzp(rng));
    q.filter_offset = per_tensor && trial % 4 == 0 ? -dzp(rng) / 3 : 0;
    q.output_zero_point = dzp(rng);
    q.multiplier = mult.data();
    q.shift = shift.data();
    std::vector<int8_t> expect(s.rows * s.units);
    FullyConnectedInt8Reference(s, q, in.data(), w.data(), bias.data(), expect.data());
    for (Isa isa : Isas()) {
      std::vector<int8_t> got(expect.size(), 0);
      FullyConnectedInt8(s, q, in.data(), w.data(), bias.data(), got.data(), isa);
      ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << " rows " << s.rows
                             << " depth " << s.depth << " units " << s.units;
    }
  }
}

TEST(FullyConnectedTest, FloatHandComputed) {
  const std::vector<float> in = {1, 2, 3, -1, 0, 4}, w = {1, 0, -1, 2, 2, 2}, bias = {10, -4};
  std::vector<float> out(4);
  FullyConnectedFloat({2, 3, 2}, ActivationRangeFloat(Activation::kNone), in.data(), w.data(),
                      bias.data(), out.data());
  // [1-3+10, 12-4], [-1-4+10, 6-4]
  EXPECT_EQ(out, (std::vector<float>{8, 8, 5, 2}));
}

Model FcModel(std::vector<int32_t> in_shape, std::vector<int32_t> out_shape, bool keep_num_dims,
              int8_t weights_format = 0) {
  OpOptions o;
  o.keep_num_dims = keep_num_dims;
  o.weights_format = weights_format;
  o.has_options = true;
  // scales 0.5 * 2 / 1 = multiplier 1
  return SingleLayerModel(BuiltinOp::kFullyConnected, o,
                       {{DataType::kInt8, in_shape, Quant({0.5f}, {-1}), {}},
                        {DataType::kInt8, {2, 3}, Quant({2.0f}, {0}), Bytes(kWeights)},
                        {DataType::kInt32, {2}, Quant({1.0f}, {0}), Bytes(kBias)}},
                       {DataType::kInt8, out_shape, Quant({1.0f}, {-3}), {}});
}

TEST(FullyConnectedKernelTest, BatchedRowsAndKeepNumDims) {
  EXPECT_EQ(RunSingleInput<int8_t>(FcModel({2, 3}, {2, 2}, false), kInput), kExpected);
  EXPECT_EQ(RunSingleInput<int8_t>(FcModel({1, 2, 3}, {1, 2, 2}, true), kInput), kExpected);
}

TEST(FullyConnectedKernelTest, RejectsShuffledWeightsAndBadShapes) {
  const Model shuffled = FcModel({2, 3}, {2, 2}, false, 1);  // the interpreter keeps a reference
  try {
    Interpreter interp(shuffled);
    interp.Prepare();
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("FULLY_CONNECTED (node 0)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("shuffled"), std::string::npos);
  }
  const Model bad = FcModel({2, 3}, {2, 3}, false);
  Interpreter bad_interp(bad);
  EXPECT_THROW(bad_interp.Prepare(), InvalidModelError);
  const Model bad_keep = FcModel({1, 2, 3}, {2, 2}, true);
  Interpreter bad_keep_interp(bad_keep);
  EXPECT_THROW(bad_keep_interp.Prepare(), InvalidModelError);
}

TEST(FullyConnectedKernelTest, RejectsWeightBufferOfWrongSize) {
  OpOptions o;
  o.has_options = true;
  const Model m = SingleLayerModel(BuiltinOp::kFullyConnected, o,
                                {{DataType::kInt8, {2, 3}, Quant({0.5f}, {-1}), {}},
                                 {DataType::kInt8, {2, 3}, Quant({2.0f}, {0}),
                                  Bytes(std::vector<int8_t>{1, 2, 3, 4, 5})},
                                 {DataType::kInt32, {2}, Quant({1.0f}, {0}), Bytes(kBias)}},
                                {DataType::kInt8, {2, 2}, Quant({1.0f}, {-3}), {}});
  Interpreter interp(m);
  try {
    interp.Prepare();
    FAIL() << "expected InvalidModelError";
  } catch (const InvalidModelError& e) {
    EXPECT_NE(std::string(e.what()).find("holds 5 bytes, shape [2,3] needs 6"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace potacc::kernels
