#include "potacc/kernels/transpose.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(TransposeTest, ShapesAndValidation) {
  EXPECT_EQ(TransposedShape({1, 197, 3, 64}, {0, 2, 1, 3}), (std::vector<int32_t>{1, 3, 197, 64}));
  EXPECT_THROW(TransposedShape({2, 3}, {0, 0}), Error);
  EXPECT_THROW(TransposedShape({2, 3}, {0}), Error);
  EXPECT_THROW(TransposedShape({2, 3}, {0, 2}), Error);
}

TEST(TransposeTest, HandComputed2DAnd3D) {
  // [[1 2 3], [4 5 6]] -> [[1 4], [2 5], [3 6]]
  const std::vector<uint8_t> a = {1, 2, 3, 4, 5, 6};
  std::vector<uint8_t> out(6);
  Transpose({2, 3}, {1, 0}, 1, a.data(), out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 4, 2, 5, 3, 6}));
  // [2, 2, 2] with perm [1, 0, 2]: swaps the outer two axes, rows stay whole.
  const std::vector<uint8_t> b = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<uint8_t> out3(8);
  Transpose({2, 2, 2}, {1, 0, 2}, 1, b.data(), out3.data());
  EXPECT_EQ(out3, (std::vector<uint8_t>{0, 1, 4, 5, 2, 3, 6, 7}));
}

TEST(TransposeTest, OptimizedEqualsReferenceOnRandomPermutations) {
  std::mt19937 rng(99);
  const std::vector<std::vector<int32_t>> shapes = {
      {1, 197, 3, 64}, {2, 3, 4, 5}, {1, 1, 7, 1, 3}, {3, 1, 2, 4, 1, 5}, {6, 7}, {17}};
  for (const auto& shape : shapes) {
    std::vector<int> perm(shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    for (int trial = 0; trial < 6; ++trial) {
      std::shuffle(perm.begin(), perm.end(), rng);
      int64_t n = 1;
      for (int32_t d : shape) n *= d;
      for (int esize : {1, 4}) {
        std::vector<uint8_t> in(static_cast<size_t>(n * esize));
        for (auto& v : in) v = static_cast<uint8_t>(rng());
        std::vector<uint8_t> ref(in.size(), 0), opt(in.size(), 1);
        TransposeReference(shape, perm, esize, in.data(), ref.data());
        Transpose(shape, perm, esize, in.data(), opt.data());
        EXPECT_EQ(ref, opt);
      }
    }
  }
}

TEST(TransposeTest, KernelCopiesInt8AndChecksThePermutation) {
  SingleOpModel m(BuiltinOp::kTranspose);
  m.AddInput(DataType::kInt8, {2, 3}, Quant(0.1f, 3));
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, 0});
  m.AddOutput(DataType::kInt8, {3, 2}, Quant(0.1f, 3));
  m.Build();
  m.SetInput<int8_t>(0, {1, 2, 3, -4, -5, -6});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{1, -4, 2, -5, 3, -6}));

  SingleOpModel dup(BuiltinOp::kTranspose);
  dup.AddInput(DataType::kInt8, {2, 3}, Quant(0.1f, 0));
  dup.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, 1});
  dup.AddOutput(DataType::kInt8, {3, 3}, Quant(0.1f, 0));
  EXPECT_THROW(dup.Build(), InvalidModelError);

  SingleOpModel dynamic(BuiltinOp::kTranspose);
  dynamic.AddInput(DataType::kInt8, {2, 3}, Quant(0.1f, 0));
  dynamic.AddInput(DataType::kInt32, {2});
  dynamic.AddOutput(DataType::kInt8, {3, 2}, Quant(0.1f, 0));
  EXPECT_THROW(dynamic.Build(), InvalidModelError);
}

}  // namespace
}  // namespace potacc::kernels
