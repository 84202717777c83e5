#include "potacc/kernels/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "potacc/error.h"
#include "potacc/kernels/dequantize.h"
#include "potacc/util/thread_pool.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(QuantizeTest, RoundHalfAwayFromZeroThenClamp) {
  EXPECT_EQ(QuantizeFloatToInt8(0.25f, 0.5f, -5), -4);   // 0.5 -> 1
  EXPECT_EQ(QuantizeFloatToInt8(-0.25f, 0.5f, -5), -6);  // -0.5 -> -1
  EXPECT_EQ(QuantizeFloatToInt8(0.75f, 0.5f, -5), -3);   // 1.5 -> 2
  EXPECT_EQ(QuantizeFloatToInt8(1000.0f, 0.5f, -5), 127);
  EXPECT_EQ(QuantizeFloatToInt8(-1000.0f, 0.5f, -5), -128);
  EXPECT_EQ(QuantizeFloatToInt8(std::numeric_limits<float>::infinity(), 0.5f, 0), 127);
  EXPECT_EQ(QuantizeFloatToInt8(std::nanf(""), 0.5f, 3), 3);
}

TEST(QuantizeTest, DivisionIsInFloat) {
  // res20's input scale: x / s evaluated in float32 then rounded.
  const float s = 0.016155f;
  for (float x : {-2.4f, -0.3f, 0.0f, 0.1234f, 1.0f, 2.5f}) {
    const float q = std::round(x / s);
    EXPECT_EQ(QuantizeFloatToInt8(x, s, -5), std::clamp<int32_t>(static_cast<int32_t>(q) - 5, -128, 127));
  }
}

// The vector twins against the scalar definition on ties, near-ties,
// infinities, NaN, huge and tiny values, with and without threads.
TEST(QuantizeTest, VectorizedEqualsScalarOnEveryIsa) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> wide(-300.0f, 300.0f);
  std::vector<float> x;
  for (int k = -600; k <= 600; ++k) {  // exact ties and their neighbours at scale 0.5
    const float tie = 0.25f * static_cast<float>(k);
    x.push_back(tie);
    x.push_back(std::nextafter(tie, 1e9f));
    x.push_back(std::nextafter(tie, -1e9f));
  }
  for (float v : {0.0f, -0.0f, 1e-40f, -1e-40f, 1e30f, -1e30f, 0.49999997f, -0.49999997f, 8388609.0f}) x.push_back(v);
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(-std::numeric_limits<float>::infinity());
  x.push_back(std::nanf(""));
  while (x.size() < 40000) x.push_back(wide(rng));
  x.push_back(1.5f);  // a length that is not a multiple of the vector width
  ThreadPool pool(2);
  for (float scale : {0.5f, 0.003922f, 1.7f}) {
    for (int32_t zp : {-128, -5, 0, 127}) {
      std::vector<int8_t> expect(x.size());
      for (size_t i = 0; i < x.size(); ++i) expect[i] = QuantizeFloatToInt8(x[i], scale, zp);
      for (Isa isa : SupportedIsas()) {
        for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
          std::vector<int8_t> got(x.size(), 0);
          QuantizeFloatToInt8(x.data(), static_cast<int64_t>(x.size()), scale, zp, got.data(), isa, tp);
          ASSERT_EQ(got, expect) << IsaName(isa) << " scale " << scale << " zp " << zp;
        }
      }
    }
  }
}

TEST(QuantizeTest, KernelFloatToInt8AndRequantize) {
  SingleOpModel m(BuiltinOp::kQuantize);
  m.AddInput(DataType::kFloat32, {1, 4});
  m.AddOutput(DataType::kInt8, {1, 4}, Quant(0.5f, 1));
  m.Build();
  m.SetInput<float>(0, {0.0f, 0.25f, -0.75f, 100.0f});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{1, 2, -1, 127}));

  // int8 -> int8: s 1.0 -> 0.5 doubles the value; zero points shift.
  SingleOpModel r(BuiltinOp::kQuantize);
  r.AddInput(DataType::kInt8, {4}, Quant(1.0f, -3));
  r.AddOutput(DataType::kInt8, {4}, Quant(0.5f, 2));
  r.Build();
  r.SetInput<int8_t>(0, {-3, 0, 60, -128});
  r.Invoke();
  EXPECT_EQ(r.Output<int8_t>(), (std::vector<int8_t>{2, 8, 127, -128}));
}

TEST(QuantizeTest, RequantizeTiesUseDoubleRounding) {
  // s_in / s_out = 0.5 (significand 2^30, shift 0): 3 -> 1.5 -> 2, -3 -> -1.
  const RequantizeParams p = PrepareRequantize(1.0f, 0, 2.0f, 0);
  std::vector<int8_t> in = {3, -3, 5}, out(3);
  RequantizeInt8(p, in.data(), 3, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{2, -1, 3}));
}

TEST(QuantizeTest, RejectsUnsupportedTypes) {
  SingleOpModel m(BuiltinOp::kQuantize);
  m.AddInput(DataType::kFloat32, {4});
  m.AddOutput(DataType::kUInt8, {4}, Quant(0.5f, 128));
  try {
    m.Build();
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("uint8"), std::string::npos) << e.what();
  }
}

TEST(DequantizeTest, ScaleTimesOffset) {
  EXPECT_EQ(DequantizeInt8(-128, 0.003906f, -128), 0.0f);
  EXPECT_EQ(DequantizeInt8(10, 0.124237f, -56),
            static_cast<float>(static_cast<double>(0.124237f) * 66));
  SingleOpModel m(BuiltinOp::kDequantize);
  m.AddInput(DataType::kInt8, {1, 3}, Quant(0.25f, -128));
  m.AddOutput(DataType::kFloat32, {1, 3});
  m.Build();
  m.SetInput<int8_t>(0, {-128, 127, 0});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{0.0f, 63.75f, 32.0f}));
}

}  // namespace
}  // namespace potacc::kernels
