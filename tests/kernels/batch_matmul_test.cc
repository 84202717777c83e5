#include "potacc/kernels/batch_matmul.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

std::vector<int8_t> Random(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<Isa> AllIsas() { return SupportedIsas(); }

TEST(BatchMatMulTest, ShapesBroadcastAndAdjoints) {
  const BatchMatMulShape s = MakeBatchMatMulShape({2, 1, 3, 4}, {5, 4, 6}, false, false);
  EXPECT_EQ(s.output_shape(), (std::vector<int32_t>{2, 5, 3, 6}));
  EXPECT_EQ(s.batches(), 10);
  EXPECT_EQ(s.lhs_offset(1), 0);       // lhs batch dim 1 broadcasts
  EXPECT_EQ(s.lhs_offset(5), 12);      // second lhs matrix
  EXPECT_EQ(s.rhs_offset(6), 24);      // rhs broadcasts over the first dim: (6 % 5) * 24
  const BatchMatMulShape t = MakeBatchMatMulShape({1, 3, 197, 64}, {1, 3, 197, 64}, false, true);
  EXPECT_EQ(t.output_shape(), (std::vector<int32_t>{1, 3, 197, 197}));
  EXPECT_EQ(t.depth, 64);
  const BatchMatMulShape u = MakeBatchMatMulShape({4, 2}, {4, 3}, true, false);
  EXPECT_EQ(u.output_shape(), (std::vector<int32_t>{2, 3}));
  EXPECT_THROW(MakeBatchMatMulShape({2, 3, 4}, {3, 4, 5}, false, false), Error);  // batch 2 vs 3
  EXPECT_THROW(MakeBatchMatMulShape({3, 4}, {5, 6}, false, false), Error);        // K 4 vs 5
  EXPECT_THROW(MakeBatchMatMulShape({4}, {4, 2}, false, false), Error);           // rank 1
  EXPECT_THROW(MakeBatchMatMulShape({1, 1, 1, 1, 2, 2}, {2, 2}, false, false), Error);  // rank 6
}

TEST(BatchMatMulTest, HandComputedWithZeroPointsAndRounding) {
  // lhs 2x2 = [[1, 2], [3, 4]] with zero point 1 -> [[0, 1], [2, 3]]
  // rhs 2x2 = [[5, 6], [7, 8]] with zero point -1 -> [[6, 7], [8, 9]]
  // product = [[8, 9], [36, 41]]; multiplier 0.25 (scales 0.5 * 0.5 / 1) is
  // 2^30 with a right shift of 1: the high multiply rounds x/2 half up, then
  // the shift rounds half away from zero (TFLite's double rounding):
  //   8 -> 4 -> 2;  9 -> 4.5 -> 5 -> 2.5 -> 3;  36 -> 18 -> 9;  41 -> 20.5 -> 21 -> 10.5 -> 11
  // plus output zero point -3.
  const BatchMatMulShape s = MakeBatchMatMulShape({2, 2}, {2, 2}, false, false);
  const BatchMatMulInt8Params p = PrepareBatchMatMulInt8(0.5f, 1, 0.5f, -1, 1.0f, -3);
  const std::vector<int8_t> lhs = {1, 2, 3, 4}, rhs = {5, 6, 7, 8};
  const std::vector<int8_t> expected = {-1, 0, 6, 8};
  std::vector<int8_t> out(4);
  BatchMatMulInt8Reference(s, p, lhs.data(), rhs.data(), out.data());
  EXPECT_EQ(out, expected);
  for (Isa isa : AllIsas()) {
    std::fill(out.begin(), out.end(), 0);
    BatchMatMulInt8(s, p, lhs.data(), rhs.data(), out.data(), isa);
    EXPECT_EQ(out, expected) << IsaName(isa);
  }
  // Multiplier 0.5 (2^30, no shift): only the high multiply rounds, half
  // toward +infinity: acc 1 -> 0.5 -> 1, acc -1 -> -0.5 -> 0.
  const BatchMatMulShape v = MakeBatchMatMulShape({1, 1}, {1, 2}, false, false);
  const BatchMatMulInt8Params h = PrepareBatchMatMulInt8(1.0f, 0, 0.5f, 0, 1.0f, 0);
  const std::vector<int8_t> one = {1}, pm = {1, -1};
  std::vector<int8_t> o2(2);
  BatchMatMulInt8Reference(v, h, one.data(), pm.data(), o2.data());
  EXPECT_EQ(o2, (std::vector<int8_t>{1, 0}));
}

TEST(BatchMatMulTest, AdjointsTransposeTheOperands) {
  // lhs^T with adj_x and rhs^T with adj_y give the same product as the plain layout.
  std::mt19937 rng(7);
  const std::vector<int8_t> a = Random(rng, 3 * 5), b = Random(rng, 5 * 4);
  std::vector<int8_t> at(15), bt(20);
  TransposeMatrixInt8(a.data(), 3, 5, at.data());
  TransposeMatrixInt8(b.data(), 5, 4, bt.data());
  const BatchMatMulInt8Params p = PrepareBatchMatMulInt8(0.05f, 3, 0.02f, -7, 0.1f, 2);
  std::vector<int8_t> plain(12), adj(12);
  BatchMatMulInt8Reference(MakeBatchMatMulShape({3, 5}, {5, 4}, false, false), p, a.data(), b.data(), plain.data());
  BatchMatMulInt8Reference(MakeBatchMatMulShape({5, 3}, {4, 5}, true, true), p, at.data(), bt.data(), adj.data());
  EXPECT_EQ(plain, adj);
}

TEST(BatchMatMulTest, MultiplierUsesTheFloatProductOfScales) {
  // TFLite multiplies the two float scales in float before widening to double.
  const float a = 0.0123456789f, b = 0.0987654321f, o = 0.0031f;
  int32_t m;
  int shift;
  fixed_point::QuantizeMultiplier(static_cast<double>(a * b) / o, &m, &shift);
  const BatchMatMulInt8Params p = PrepareBatchMatMulInt8(a, 0, b, 0, o, 0);
  EXPECT_EQ(p.multiplier, m);
  EXPECT_EQ(p.shift, shift);
}

struct RandomCase {
  std::vector<int32_t> lhs, rhs;
  bool adj_x, adj_y;
};

TEST(BatchMatMulTest, OptimizedEqualsReferenceOnRandomShapes) {
  std::mt19937 rng(12345);
  const std::vector<RandomCase> cases = {
      {{1, 3, 17, 64}, {1, 3, 17, 64}, false, true},   // attention Q K^T
      {{1, 3, 17, 17}, {1, 3, 17, 64}, false, false},  // attention P V
      {{2, 1, 5, 9}, {3, 9, 7}, false, false},         // broadcast both ways
      {{9, 5}, {2, 4, 9, 3}, true, false},
      {{3, 1, 6, 2}, {1, 4, 5, 6}, true, true},
      {{1, 33}, {33, 1}, false, false},
      {{2, 2, 2, 1, 3}, {2, 1, 2, 3, 5}, false, false},  // rank 5
  };
  for (const RandomCase& c : cases) {
    for (int trial = 0; trial < 3; ++trial) {
      const BatchMatMulShape s = MakeBatchMatMulShape(c.lhs, c.rhs, c.adj_x, c.adj_y);
      int64_t nl = 1, nr = 1;
      for (int32_t d : c.lhs) nl *= d;
      for (int32_t d : c.rhs) nr *= d;
      const auto lhs = Random(rng, nl), rhs = Random(rng, nr);
      std::uniform_int_distribution<int> zp(-128, 127);
      std::uniform_real_distribution<float> sc(0.001f, 0.2f);
      const BatchMatMulInt8Params p =
          PrepareBatchMatMulInt8(sc(rng), zp(rng), sc(rng), zp(rng), sc(rng) * 8, zp(rng));
      std::vector<int8_t> ref(s.batches() * s.rows * s.cols);
      BatchMatMulInt8Reference(s, p, lhs.data(), rhs.data(), ref.data());
      for (Isa isa : AllIsas()) {
        std::vector<int8_t> out(ref.size(), 0);
        BatchMatMulInt8(s, p, lhs.data(), rhs.data(), out.data(), isa);
        EXPECT_EQ(out, ref) << IsaName(isa);
      }
    }
  }
}

TEST(BatchMatMulTest, KernelRunsInt8AndFloatAndRefusesBadShapes) {
  SingleOpModel m(BuiltinOp::kBatchMatMul);
  m.AddInput(DataType::kInt8, {1, 2, 2}, Quant(0.5f, 1));
  m.AddInput(DataType::kInt8, {1, 2, 2}, Quant(0.5f, -1));
  m.AddOutput(DataType::kInt8, {1, 2, 2}, Quant(1.0f, -3));
  m.Build();
  m.SetInput<int8_t>(0, {1, 2, 3, 4});
  m.SetInput<int8_t>(1, {5, 6, 7, 8});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-1, 0, 6, 8}));

  SingleOpModel f(BuiltinOp::kBatchMatMul);
  f.AddInput(DataType::kFloat32, {2, 3});
  f.AddInput(DataType::kFloat32, {2, 3});
  f.AddOutput(DataType::kFloat32, {2, 2});
  f.options().adj_y = true;
  f.Build();
  f.SetInput<float>(0, {1, 2, 3, 4, 5, 6});
  f.SetInput<float>(1, {1, 0, 0, 0, 1, 1});
  f.Invoke();
  EXPECT_EQ(f.Output<float>(), (std::vector<float>{1, 5, 4, 11}));

  SingleOpModel bad(BuiltinOp::kBatchMatMul);
  bad.AddInput(DataType::kInt8, {2, 3}, Quant(0.5f, 0));
  bad.AddInput(DataType::kInt8, {2, 3}, Quant(0.5f, 0));
  bad.AddOutput(DataType::kInt8, {2, 3}, Quant(1.0f, 0));
  EXPECT_THROW(bad.Build(), UnsupportedError);  // K 3 vs 2 without adj_y

  SingleOpModel wrong_out(BuiltinOp::kBatchMatMul);
  wrong_out.AddInput(DataType::kInt8, {2, 3}, Quant(0.5f, 0));
  wrong_out.AddInput(DataType::kInt8, {3, 4}, Quant(0.5f, 0));
  wrong_out.AddOutput(DataType::kInt8, {4, 2}, Quant(1.0f, 0));
  EXPECT_THROW(wrong_out.Build(), InvalidModelError);

  SingleOpModel int16(BuiltinOp::kBatchMatMul);
  int16.AddInput(DataType::kInt16, {2, 3}, Quant(0.5f, 0));
  int16.AddInput(DataType::kInt16, {3, 4}, Quant(0.5f, 0));
  int16.AddOutput(DataType::kInt16, {2, 4}, Quant(1.0f, 0));
  EXPECT_THROW(int16.Build(), UnsupportedError);
}

}  // namespace
}  // namespace potacc::kernels
