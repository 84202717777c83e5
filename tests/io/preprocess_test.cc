#include "potacc/io/preprocess.h"

#include <gtest/gtest.h>

#include <cstring>

#include "potacc/error.h"

namespace potacc::io {
namespace {

Tensor ImageTensor(DataType type, float scale, int64_t zp) {
  Tensor t;
  t.type = type;
  t.shape = {1, 1, 2, 3};
  if (type != DataType::kFloat32) t.quant = {{scale}, {zp}, 0};
  return t;
}

TEST(PreprocessTest, RawInt8IsPixelMinus128ForUnitScale) {
  // MLPerf Tiny convention: s = 1, zp = -128 -> q = px - 128.
  const std::vector<uint8_t> px = {0, 1, 127, 128, 200, 255};
  const auto out = PixelsToInput(ImageTensor(DataType::kInt8, 1.0f, -128), px, Preprocess{});
  const int8_t expected[] = {-128, -127, -1, 0, 72, 127};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(static_cast<int8_t>(out[i]), expected[i]) << i;
}

TEST(PreprocessTest, MeanStdFloat) {
  Preprocess p;
  p.mode = Preprocess::Mode::kMeanStd;
  p.mean = {0.5f, 0.25f, 0.0f};
  p.std = {0.5f, 0.25f, 2.0f};
  const std::vector<uint8_t> px = {255, 0, 51, 0, 255, 255};
  const auto out = PixelsToInput(ImageTensor(DataType::kFloat32, 0, 0), px, p);
  float v[6];
  std::memcpy(v, out.data(), sizeof v);
  EXPECT_FLOAT_EQ(v[0], 1.0f);    // (1 - .5)/.5
  EXPECT_FLOAT_EQ(v[1], -1.0f);   // (0 - .25)/.25
  EXPECT_FLOAT_EQ(v[2], 0.1f);    // (.2 - 0)/2
  EXPECT_FLOAT_EQ(v[3], -1.0f);
  EXPECT_FLOAT_EQ(v[4], 3.0f);    // (1 - .25)/.25
  EXPECT_FLOAT_EQ(v[5], 0.5f);
}

TEST(PreprocessTest, QuantizedInputRoundsAndClamps) {
  Preprocess p;
  p.mode = Preprocess::Mode::kScale01;
  // scale 1/100, zp 10: 255/255 = 1 -> 100 + 10 = 110; 0 -> 10;
  // 128/255 = .50196 -> round(50.196) = 50 -> 60.
  const std::vector<uint8_t> px = {255, 0, 128, 255, 255, 255};
  auto out = PixelsToInput(ImageTensor(DataType::kInt8, 0.01f, 10), px, p);
  EXPECT_EQ(static_cast<int8_t>(out[0]), 110);
  EXPECT_EQ(static_cast<int8_t>(out[1]), 10);
  EXPECT_EQ(static_cast<int8_t>(out[2]), 60);
  // Saturation: scale 1/200 -> 1.0 maps to 200 + 10 -> clamp 127.
  out = PixelsToInput(ImageTensor(DataType::kInt8, 0.005f, 10), px, p);
  EXPECT_EQ(static_cast<int8_t>(out[0]), 127);
}

TEST(PreprocessTest, WrongSizeAndBadShapeAreErrors) {
  const std::vector<uint8_t> px(5);
  EXPECT_THROW(PixelsToInput(ImageTensor(DataType::kInt8, 1, 0), px, Preprocess{}), Error);
  Tensor t = ImageTensor(DataType::kInt8, 1, 0);
  t.shape = {1, 10};
  EXPECT_THROW(ImageInputGeometry(t), Error);
}

TEST(PreprocessTest, ParseTriple) {
  const auto v = Preprocess::ParseTriple("0.1,2,-3.5", "--mean");
  EXPECT_FLOAT_EQ(v[0], 0.1f);
  EXPECT_FLOAT_EQ(v[2], -3.5f);
  EXPECT_THROW(Preprocess::ParseTriple("1,2", "--mean"), Error);
  EXPECT_THROW(Preprocess::ParseTriple("1,2,3,4", "--mean"), Error);
  EXPECT_THROW(Preprocess::ParseTriple("1,x,3", "--mean"), Error);
}

}  // namespace
}  // namespace potacc::io
