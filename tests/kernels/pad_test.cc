#include "potacc/kernels/pad.h"

#include <gtest/gtest.h>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(PadTest, Int8PadsWithOutputZeroPoint) {
  SingleOpModel m(BuiltinOp::kPad);
  m.AddInput(DataType::kInt8, {1, 2, 2, 1}, Quant(0.1f, -5));
  m.AddConstInput<int32_t>(DataType::kInt32, {4, 2}, {0, 0, 1, 0, 0, 1, 0, 0});
  m.AddOutput(DataType::kInt8, {1, 3, 3, 1}, Quant(0.1f, -5));
  m.Build();
  m.SetInput<int8_t>(0, {1, 2, 3, 4});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-5, -5, -5,  //
                                                     1, 2, -5,    //
                                                     3, 4, -5}));
}

TEST(PadTest, ZeroPointAtExtremesAndChannels) {
  SingleOpModel m(BuiltinOp::kPad);
  m.AddInput(DataType::kInt8, {1, 1, 1, 2}, Quant(1.0f, -128));
  m.AddConstInput<int64_t>(DataType::kInt64, {4, 2}, {0, 0, 1, 1, 0, 0, 1, 0});
  m.AddOutput(DataType::kInt8, {1, 3, 1, 3}, Quant(1.0f, -128));
  m.Build();
  m.SetInput<int8_t>(0, {7, 127});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-128, -128, -128, -128, 7, 127, -128, -128,
                                                     -128}));
}

TEST(PadTest, FloatPadsWithZeroAndInt32) {
  SingleOpModel m(BuiltinOp::kPad);
  m.AddInput(DataType::kFloat32, {2});
  m.AddConstInput<int32_t>(DataType::kInt32, {1, 2}, {2, 1});
  m.AddOutput(DataType::kFloat32, {5});
  m.Build();
  m.SetInput<float>(0, {1.5f, -2.5f});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{0, 0, 1.5f, -2.5f, 0}));

  std::vector<int32_t> in = {1, 2, 3, 4, 5, 6};
  std::vector<int32_t> out(2 * 5, 0);
  const int32_t pad = 0x01020304;  // bytes differ: element-wise fill
  PadBytes({2, 3}, {{0, 0}, {1, 1}}, sizeof(int32_t), in.data(), &pad, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{pad, 1, 2, 3, pad, pad, 4, 5, 6, pad}));
}

TEST(PadTest, RejectsMismatchedOutputAndNegativePadding) {
  {
    SingleOpModel m(BuiltinOp::kPad);
    m.AddInput(DataType::kFloat32, {2});
    m.AddConstInput<int32_t>(DataType::kInt32, {1, 2}, {1, 1});
    m.AddOutput(DataType::kFloat32, {5});
    EXPECT_THROW(m.Build(), InvalidModelError);
  }
  {
    SingleOpModel m(BuiltinOp::kPad);
    m.AddInput(DataType::kFloat32, {2});
    m.AddConstInput<int32_t>(DataType::kInt32, {1, 2}, {-1, 0});
    m.AddOutput(DataType::kFloat32, {1});
    EXPECT_THROW(m.Build(), InvalidModelError);
  }
}

}  // namespace
}  // namespace potacc::kernels
