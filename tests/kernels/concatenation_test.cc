#include "potacc/kernels/concatenation.h"

#include <gtest/gtest.h>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(ConcatenationTest, Int8SameQuantizationIsACopy) {
  SingleOpModel m(BuiltinOp::kConcatenation);
  m.AddInput(DataType::kInt8, {2, 1}, Quant(0.5f, -128));
  m.AddInput(DataType::kInt8, {2, 2}, Quant(0.5f, -128));
  m.AddOutput(DataType::kInt8, {2, 3}, Quant(0.5f, -128));
  m.options().axis = 1;
  m.Build();
  m.SetInput<int8_t>(0, {-128, 127});
  m.SetInput<int8_t>(1, {1, 2, 3, 4});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-128, 1, 2, 127, 3, 4}));
}

TEST(ConcatenationTest, Int8DifferentScalesRequantizeInFloat) {
  // Input 1: s = 1.0, zp = 0 -> output s = 0.5, zp = 10: q_out = round(2 q) + 10.
  // Input 0 shares the output parameters and is copied.
  std::vector<int8_t> a = {10, 11}, b = {-3, 0, 60};
  std::vector<int8_t> out(5);
  ConcatenateInt8(1, {{a.data(), 2, 0.5f, 10}, {b.data(), 3, 1.0f, 0}}, 0.5f, 10, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{10, 11, 4, 10, 127}));
  // Ties round half away from zero: s_in/s_out = 1.5, q = 1 -> 1.5 -> 2, q = -1 -> -2.
  std::vector<int8_t> c = {1, -1}, out2(2);
  ConcatenateInt8(1, {{c.data(), 2, 1.5f, 0}}, 1.0f, 0, out2.data());
  EXPECT_EQ(out2, (std::vector<int8_t>{2, -2}));
}

TEST(ConcatenationTest, FloatNegativeAxisAndOuterBlocks) {
  SingleOpModel m(BuiltinOp::kConcatenation);
  m.AddInput(DataType::kFloat32, {2, 1, 2});
  m.AddInput(DataType::kFloat32, {2, 1, 1});
  m.AddOutput(DataType::kFloat32, {2, 1, 3});
  m.options().axis = -1;
  m.Build();
  m.SetInput<float>(0, {1, 2, 3, 4});
  m.SetInput<float>(1, {9, 8});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{1, 2, 9, 3, 4, 8}));
}

TEST(ConcatenationTest, RejectsMismatchedShapes) {
  SingleOpModel m(BuiltinOp::kConcatenation);
  m.AddInput(DataType::kFloat32, {2, 2});
  m.AddInput(DataType::kFloat32, {3, 1});
  m.AddOutput(DataType::kFloat32, {2, 3});
  m.options().axis = 1;
  EXPECT_THROW(m.Build(), InvalidModelError);
}

}  // namespace
}  // namespace potacc::kernels
