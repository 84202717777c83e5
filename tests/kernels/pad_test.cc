#include "potacc/kernels/pad.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "potacc/error.h"
#include "potacc/util/thread_pool.h"
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

// Large random paddings split over a pool give the bytes of an element-by-
// element padding (each output index mapped back to the input, or the value).
TEST(PadTest, SplitOverThreadsEqualsElementwisePadding) {
  std::mt19937 rng(5);
  ThreadPool pool(3);
  for (int trial = 0; trial < 40; ++trial) {
    const int rank = 1 + trial % 4;
    std::vector<int32_t> shape(rank);
    std::vector<PadAmount> pads(rank);
    for (int d = 0; d < rank; ++d) {
      shape[d] = std::uniform_int_distribution<int>(1, rank == 1 ? 90000 : rank == 2 ? 400 : 60)(rng);
      pads[d] = {std::uniform_int_distribution<int>(0, 3)(rng), std::uniform_int_distribution<int>(0, 3)(rng)};
    }
    if (trial % 3 == 0) pads[rank - 1] = {0, 0};  // NHWC padded in H, W only
    const size_t element = trial % 2 ? 4 : 1;
    const std::vector<int32_t> out_shape = PaddedShape(shape, pads);
    int64_t in_n = 1, out_n = 1;
    for (int d = 0; d < rank; ++d) in_n *= shape[d], out_n *= out_shape[d];
    std::vector<uint8_t> in(static_cast<size_t>(in_n) * element);
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    const uint8_t value[4] = {0xa5, 0x11, 0x22, 0x33};
    std::vector<uint8_t> expect(static_cast<size_t>(out_n) * element);
    for (int64_t o = 0; o < out_n; ++o) {
      int64_t rest = o, src = 0, stride = 1;
      bool inside = true;
      for (int d = rank - 1; d >= 0; --d) {
        const int64_t i = rest % out_shape[d] - pads[d].before;
        rest /= out_shape[d];
        inside = inside && i >= 0 && i < shape[d];
        src += i * stride;
        stride *= shape[d];
      }
      std::memcpy(&expect[static_cast<size_t>(o) * element], inside ? &in[static_cast<size_t>(src) * element] : value,
                  element);
    }
    std::vector<uint8_t> got(expect.size(), 0);
    PadBytes(shape, pads, element, in.data(), value, got.data(), trial % 4 == 3 ? nullptr : &pool);
    ASSERT_EQ(got, expect) << "trial " << trial;
  }
  // An empty dimension before the last: no output, no division by it.
  const int8_t none[1] = {0}, pad_value = 3;
  int8_t out[1] = {7};
  PadBytes({0, 4}, {{0, 0}, {1, 1}}, 1, none, &pad_value, out, &pool);
  PadBytes({0, 4, 4, 3}, {{0, 0}, {1, 1}, {1, 1}, {0, 0}}, 1, none, &pad_value, out);
  EXPECT_EQ(out[0], 7);
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
