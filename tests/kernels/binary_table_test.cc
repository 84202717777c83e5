// The table twin of the element-wise binary kernels equals their reference
// on random data, with and without broadcasting, for every operator using it.
#include <gtest/gtest.h>

#include <random>

#include "potacc/kernels/add.h"
#include "potacc/kernels/broadcast.h"
#include "potacc/kernels/mul.h"
#include "potacc/kernels/squared_difference.h"
#include "potacc/kernels/sub.h"
#include "potacc/util/thread_pool.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

struct Shapes {
  std::vector<int32_t> a, b, out;
};

const std::vector<Shapes> kShapes = {
    {{1, 197, 192}, {1, 197, 192}, {1, 197, 192}},  // residual ADD
    {{1, 197, 192}, {1, 197, 1}, {1, 197, 192}},    // x - mean
    {{192}, {1, 197, 192}, {1, 197, 192}},          // beta - mean * inv
    {{1, 3, 5, 7}, {}, {1, 3, 5, 7}},               // scalar constant
    {{2, 1, 4}, {3, 1}, {2, 3, 4}},                 // both broadcast
    {{4, 1}, {1, 6}, {4, 6}},
};

std::vector<int8_t> Random(std::mt19937& rng, const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

ThreadPool& Pool() {
  static ThreadPool pool(3);
  return pool;
}

template <class Params, class Reference, class Element>
void Check(const Params& p, Reference reference, Element element) {
  std::mt19937 rng(77);
  const BinaryInt8Table table = TabulateBinaryInt8([&](int8_t x, int8_t y) { return element(p, x, y); });
  for (const Shapes& s : kShapes) {
    const auto a = Random(rng, s.a), b = Random(rng, s.b);
    int64_t n = 1;
    for (int32_t d : s.out) n *= d;
    std::vector<int8_t> ref(static_cast<size_t>(n)), opt(static_cast<size_t>(n), 3);
    reference(p, s.a, a.data(), s.b, b.data(), s.out, ref.data());
    BinaryInt8ByTable(table, s.a, a.data(), s.b, b.data(), s.out, opt.data());
    EXPECT_EQ(ref, opt);
    // Split over threads (the same-shape case, 37,824 elements: 2 spans).
    std::vector<int8_t> split(static_cast<size_t>(n), 3);
    BinaryInt8ByTable(table, s.a, a.data(), s.b, b.data(), s.out, split.data(), &Pool());
    EXPECT_EQ(ref, split);
  }
}

TEST(BinaryTableTest, EqualsReferenceForEveryOperator) {
  const fixed_point::ActivationRange full{-128, 127}, relu{-20, 127};
  Check(PrepareAddInt8(0.031f, -7, 0.017f, 12, 0.04f, 3, relu), AddInt8Reference, AddInt8Element);
  Check(PrepareSubInt8(0.031f, -7, 0.017f, 12, 0.04f, 3, full), SubInt8, SubInt8Element);
  Check(PrepareMulInt8(0.031f, -7, 0.017f, 12, 0.004f, 3, full), MulInt8, MulInt8Element);
  Check(PrepareSquaredDifferenceInt8(0.031f, -7, 0.017f, 12, 0.01f, -128, full), SquaredDifferenceInt8,
        SquaredDifferenceInt8Element);
}

TEST(BinaryTableTest, KernelUsesTheTableOnLargeTensorsWithTheSameResults) {
  // 1 x 197 x 192 (above the table threshold) and 1 x 3 x 4 (below it): both
  // match the element function.
  std::mt19937 rng(3);
  for (const std::vector<int32_t>& shape : {std::vector<int32_t>{1, 197, 192}, std::vector<int32_t>{1, 3, 4}}) {
    SingleOpModel m(BuiltinOp::kSub);
    m.AddInput(DataType::kInt8, shape, Quant(0.05f, 4));
    m.AddInput(DataType::kInt8, {1, shape[1], 1}, Quant(0.02f, -9));
    m.AddOutput(DataType::kInt8, shape, Quant(0.06f, 1));
    m.Build();
    const auto a = Random(rng, shape), b = Random(rng, {1, shape[1], 1});
    m.SetInput<int8_t>(0, a);
    m.SetInput<int8_t>(1, b);
    m.Invoke();
    const auto out = m.Output<int8_t>();
    const SubInt8Params p = PrepareSubInt8(0.05f, 4, 0.02f, -9, 0.06f, 1, {-128, 127});
    for (size_t i = 0; i < out.size(); ++i)
      ASSERT_EQ(out[i], SubInt8Element(p, a[i], b[i / static_cast<size_t>(shape[2])])) << i;
  }
}

}  // namespace
}  // namespace potacc::kernels
