#include "potacc/kernels/add.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "potacc/error.h"
#include "potacc/util/thread_pool.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

using testing::kFull;

TEST(AddTest, HandComputedMultipliersAndSum) {
  // s1 = 0.5, s2 = 0.25, s_out = 0.5: 1.0 + 1.0 = 2.0 -> q = 4.
  const AddInt8Params p = PrepareAddInt8(0.5f, 0, 0.25f, 0, 0.5f, 0, kFull);
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.input1_multiplier, 1 << 30);  // 0.5 / (2 * 0.5) = 0.5
  EXPECT_EQ(p.input1_shift, 0);
  EXPECT_EQ(p.input2_multiplier, 1 << 30);  // 0.25 / 1.0 = 0.5 * 2^-1
  EXPECT_EQ(p.input2_shift, -1);
  EXPECT_EQ(p.output_multiplier, 1 << 30);  // 1.0 / (2^20 * 0.5) = 0.5 * 2^-18
  EXPECT_EQ(p.output_shift, -18);
  EXPECT_EQ(AddInt8Element(p, 2, 4), 4);
}

TEST(AddTest, TiesRoundHalfAwayFromZero) {
  // s = 0.5 in, 1.0 out: 0.5 -> 1 and -0.5 -> -1.
  const AddInt8Params p = PrepareAddInt8(0.5f, 0, 0.5f, 0, 1.0f, 0, kFull);
  EXPECT_EQ(AddInt8Element(p, 1, 0), 1);
  EXPECT_EQ(AddInt8Element(p, -1, 0), -1);
  EXPECT_EQ(AddInt8Element(p, 3, 0), 2);   // 1.5 -> 2
  EXPECT_EQ(AddInt8Element(p, -3, 0), -2);
}

TEST(AddTest, ExtremeZeroPointsAndSaturation) {
  const AddInt8Params p = PrepareAddInt8(1.0f, -128, 1.0f, 127, 1.0f, -128, kFull);
  EXPECT_EQ(AddInt8Element(p, 127, -128), -128);  // 255 + (-255) = 0
  EXPECT_EQ(AddInt8Element(p, 127, 127), 127);    // 255 saturates
  EXPECT_EQ(AddInt8Element(p, -128, -128), -128);  // -255 saturates low
  EXPECT_EQ(AddInt8Element(p, -100, 127), -100);  // 28 + 0
}

TEST(AddTest, MatchesDoubleArithmeticWithinOneLsb) {
  // Independent reference: round((s1(a-z1) + s2(b-z2)) / so) + zo. The fixed-point
  // path may differ by one LSB near ties; it must agree exactly almost always.
  const AddInt8Params p = PrepareAddInt8(0.02797f, -17, 0.00985f, -128, 0.015787f, -128, kFull);
  int exact = 0, total = 0;
  for (int a = -128; a <= 127; a += 3) {
    for (int b = -128; b <= 127; b += 5) {
      const double real = 0.02797 * (a + 17) + 0.00985 * (b + 128);
      const double expected = std::clamp(std::round(real / 0.015787) - 128, -128.0, 127.0);
      const int got = AddInt8Element(p, static_cast<int8_t>(a), static_cast<int8_t>(b));
      EXPECT_NEAR(got, expected, 1.0) << a << " + " << b;
      exact += got == expected;
      ++total;
    }
  }
  EXPECT_GT(exact, total * 99 / 100);
}

// The vector twins (every ISA this CPU runs, with and without threads)
// against AddInt8Element on all 256 x 256 input pairs and random scales.
TEST(AddTest, OptimizedEqualsReferenceOnEveryIsa) {
  std::mt19937 rng(31);
  std::uniform_real_distribution<double> dscale(std::log(1e-3), std::log(1.0));
  std::uniform_int_distribution<int> dzp(-128, 127);
  std::vector<int8_t> a, b;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
  a.push_back(5);  // a length that is not a multiple of the vector width
  b.push_back(-7);
  const std::vector<int32_t> shape = {1, static_cast<int32_t>(a.size())};
  ThreadPool pool(3);
  for (int trial = 0; trial < 12; ++trial) {
    const fixed_point::ActivationRange range =
        trial % 3 == 0 ? kFull : fixed_point::ActivationRange{dzp(rng) / 2 - 64, 100};
    const AddInt8Params p =
        PrepareAddInt8(static_cast<float>(std::exp(dscale(rng))), dzp(rng), static_cast<float>(std::exp(dscale(rng))),
                       dzp(rng), static_cast<float>(std::exp(dscale(rng))), dzp(rng), range);
    std::vector<int8_t> expect(a.size());
    AddInt8Reference(p, shape, a.data(), shape, b.data(), shape, expect.data());
    for (Isa isa : SupportedIsas()) {
      for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
        std::vector<int8_t> got(a.size(), 0);
        AddInt8(p, shape, a.data(), shape, b.data(), shape, got.data(), isa, tp);
        ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << (tp ? " threads" : "");
      }
    }
  }
}

TEST(AddTest, FusedReluClampsAtZeroPoint) {
  SingleOpModel m(BuiltinOp::kAdd);
  m.AddInput(DataType::kInt8, {1, 4}, Quant(0.5f, 0));
  m.AddInput(DataType::kInt8, {1, 4}, Quant(0.5f, 0));
  m.AddOutput(DataType::kInt8, {1, 4}, Quant(0.5f, 10));
  m.options().activation = Activation::kRelu;
  m.Build();
  m.SetInput<int8_t>(0, {-20, -2, 2, 100});
  m.SetInput<int8_t>(1, {0, 0, 4, 20});
  m.Invoke();
  // Real sums -10, -1, 3, 60 -> q = sum / 0.5 + 10; the RELU floor is the zero point 10,
  // 60 / 0.5 + 10 = 130 saturates at 127.
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{10, 10, 16, 127}));
}

TEST(AddTest, BroadcastsBothOperandsInt8) {
  SingleOpModel m(BuiltinOp::kAdd);
  m.AddInput(DataType::kInt8, {2, 1, 1, 2}, Quant(1.0f, 0));
  m.AddInput(DataType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0));
  m.AddOutput(DataType::kInt8, {2, 2, 2, 2}, Quant(1.0f, 0));
  m.Build();
  const std::vector<int8_t> a = {1, 2, 30, 40};    // [n][c]
  const std::vector<int8_t> b = {0, 10, 20, 50};   // [h][w]
  m.SetInput(0, a);
  m.SetInput(1, b);
  m.Invoke();
  const auto out = m.Output<int8_t>();
  ASSERT_EQ(out.size(), 16u);
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 2; ++w)
        for (int c = 0; c < 2; ++c)
          EXPECT_EQ(out[((n * 2 + h) * 2 + w) * 2 + c], a[n * 2 + c] + b[h * 2 + w])
              << n << h << w << c;
}

TEST(AddTest, FloatWithRankBroadcastAndRelu6) {
  SingleOpModel m(BuiltinOp::kAdd);
  m.AddInput(DataType::kFloat32, {1, 2, 3});
  m.AddConstInput<float>(DataType::kFloat32, {3}, {0.5f, -10.0f, 10.0f});
  m.AddOutput(DataType::kFloat32, {1, 2, 3});
  m.options().activation = Activation::kRelu6;
  m.Build();
  m.SetInput<float>(0, {1, 2, 3, -1, 0, 1});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{1.5f, 0, 6, 0, 0, 6}));
}

TEST(AddTest, RejectsBadShapesAndTypes) {
  {
    SingleOpModel m(BuiltinOp::kAdd);
    m.AddInput(DataType::kInt8, {1, 3}, Quant(1.0f, 0));
    m.AddInput(DataType::kInt8, {1, 4}, Quant(1.0f, 0));
    m.AddOutput(DataType::kInt8, {1, 4}, Quant(1.0f, 0));
    EXPECT_THROW(m.Build(), InvalidModelError);
  }
  {
    SingleOpModel m(BuiltinOp::kAdd);
    m.AddInput(DataType::kInt16, {4});
    m.AddInput(DataType::kInt16, {4});
    m.AddOutput(DataType::kInt16, {4});
    try {
      m.Build();
      FAIL() << "expected UnsupportedError";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("int16"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("ADD (node 0)"), std::string::npos) << e.what();
    }
  }
}

TEST(AddTest, UnsupportedFusedActivationNamesTheNode) {
  SingleOpModel m(BuiltinOp::kAdd);
  m.AddInput(DataType::kInt8, {4}, Quant(1.0f, 0));
  m.AddInput(DataType::kInt8, {4}, Quant(1.0f, 0));
  m.AddOutput(DataType::kInt8, {4}, Quant(1.0f, 0));
  m.options().activation = Activation::kTanh;
  try {
    m.Build();
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("ADD (node 0): fused activation"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace potacc::kernels
