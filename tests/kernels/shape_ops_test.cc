// RESHAPE, SQUEEZE, SHAPE, STRIDED_SLICE and PACK, including the int32
// shape-computation chain of the CIFAR QKeras MobileNetV2
// (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE).
#include <gtest/gtest.h>

#include "potacc/error.h"
#include "potacc/kernels/strided_slice.h"
#include "single_op_model.h"

namespace potacc::kernels {
namespace {

using potacc::testing::Quant;
using potacc::testing::SingleOpModel;

TEST(ReshapeTest, CopiesBytesWithOutputShape) {
  SingleOpModel m(BuiltinOp::kReshape);
  m.AddInput(DataType::kInt8, {1, 1, 1, 4}, Quant(0.1f, -128));
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, -1});
  m.AddOutput(DataType::kInt8, {1, 4}, Quant(0.1f, -128));
  m.Build();
  m.SetInput<int8_t>(0, {-128, 0, 5, 127});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{-128, 0, 5, 127}));
}

TEST(ReshapeTest, RejectsElementCountMismatch) {
  SingleOpModel m(BuiltinOp::kReshape);
  m.AddInput(DataType::kFloat32, {2, 3});
  m.AddOutput(DataType::kFloat32, {5});
  EXPECT_THROW(m.Build(), InvalidModelError);
}

TEST(SqueezeTest, DefaultAndExplicitDims) {
  SingleOpModel m(BuiltinOp::kSqueeze);
  m.AddInput(DataType::kFloat32, {1, 2, 1, 1});
  m.AddOutput(DataType::kFloat32, {2, 1});
  m.options().squeeze_dims = {0, -1};
  m.Build();
  m.SetInput<float>(0, {3, 4});
  m.Invoke();
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{3, 4}));

  SingleOpModel bad(BuiltinOp::kSqueeze);
  bad.AddInput(DataType::kFloat32, {1, 2, 1, 1});
  bad.AddOutput(DataType::kFloat32, {2, 1});  // default squeezes every 1 -> [2]
  EXPECT_THROW(bad.Build(), InvalidModelError);
}

TEST(ShapeTest, Int32AndInt64) {
  SingleOpModel m(BuiltinOp::kShape);
  m.AddInput(DataType::kInt8, {1, 1, 1, 1280}, Quant(0.01f, -128));
  m.AddOutput(DataType::kInt32, {4});
  m.Build();
  m.Invoke();
  EXPECT_EQ(m.Output<int32_t>(), (std::vector<int32_t>{1, 1, 1, 1280}));

  SingleOpModel w(BuiltinOp::kShape);
  w.AddInput(DataType::kFloat32, {3, 5});
  w.AddOutput(DataType::kInt64, {2});
  w.options().out_type = DataType::kInt64;
  w.Build();
  w.Invoke();
  EXPECT_EQ(w.Output<int64_t>(), (std::vector<int64_t>{3, 5}));
}

TEST(StridedSliceTest, ResolveSemantics) {
  StridedSliceSpec s;
  s.begin = {-1};
  s.end = {0};
  s.strides = {-1};
  auto r = ResolveStridedSlice({5}, s);  // 4, 3, 2, 1
  EXPECT_EQ(r[0].start, 4);
  EXPECT_EQ(r[0].count(), 4);
  s.end_mask = 1;  // through the first element
  r = ResolveStridedSlice({5}, s);
  EXPECT_EQ(r[0].count(), 5);
  s = {};
  s.begin = {1};
  s.end = {100};
  s.strides = {2};
  EXPECT_EQ(ResolveStridedSlice({6}, s)[0].count(), 3);  // 1, 3, 5 (end clamped)
  s.strides = {0};
  EXPECT_THROW(ResolveStridedSlice({6}, s), Error);
}

// Hostile input #2 (shared/docs/hostile-inputs.md): begin = size on a shrunk
// axis read past the input; a shrunk axis with a negative stride selected
// nothing. A shrunk axis selects one existing index, or the model is refused.
TEST(StridedSliceTest, ShrinkAxisSelectsOneExistingIndex) {
  StridedSliceSpec s;
  s.shrink_axis_mask = 1;
  s.end = {0};
  for (int32_t stride : {1, -1, 3}) {
    s.strides = {stride};
    for (int32_t begin : {0, 2, 4, -1, -5}) {
      s.begin = {begin};
      const auto r = ResolveStridedSlice({5}, s);
      const int64_t expected = begin < 0 ? begin + 5 : begin;  // hand-computed
      EXPECT_EQ(r[0].start, expected) << "begin " << begin << " stride " << stride;
      EXPECT_EQ(r[0].count(), 1) << "begin " << begin << " stride " << stride;
      EXPECT_TRUE(StridedSliceShape(r).empty());
    }
    for (int32_t begin : {5, 6, -6, 1 << 30}) {
      s.begin = {begin};
      EXPECT_THROW(ResolveStridedSlice({5}, s), Error) << "begin " << begin << " stride " << stride;
    }
  }
  s.begin = {3};
  s.begin_mask = 1;  // first index in the stride's direction
  s.strides = {1};
  EXPECT_EQ(ResolveStridedSlice({5}, s)[0].start, 0);
  s.strides = {-1};
  EXPECT_EQ(ResolveStridedSlice({5}, s)[0].start, 4);
  s.begin_mask = 0;
  EXPECT_THROW(ResolveStridedSlice({0}, s), Error);  // an empty axis has nothing to select
}

TEST(StridedSliceTest, ShrinkBeyondTheAxisIsRefusedAtPrepare) {
  SingleOpModel m(BuiltinOp::kStridedSlice);
  m.AddInput(DataType::kInt32, {4});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {4});  // begin = size
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {5});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
  m.AddOutput(DataType::kInt32, {});
  m.options().shrink_axis_mask = 1;
  EXPECT_THROW(m.Build(), InvalidModelError);
}

TEST(StridedSliceTest, ShrinkToScalarInt32) {
  // The QKeras MobileNetV2 takes the batch size out of SHAPE's result.
  SingleOpModel m(BuiltinOp::kStridedSlice);
  m.AddInput(DataType::kInt32, {4});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {0});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
  m.AddOutput(DataType::kInt32, {});
  m.options().shrink_axis_mask = 1;
  m.Build();
  m.SetInput<int32_t>(0, {1, 1, 1, 1280});
  m.Invoke();
  EXPECT_EQ(m.Output<int32_t>(), (std::vector<int32_t>{1}));
}

TEST(StridedSliceTest, TwoDimensionalWithMasksAndNegativeStride) {
  SingleOpModel m(BuiltinOp::kStridedSlice);
  m.AddInput(DataType::kFloat32, {3, 4});
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {0, -1});
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {2, 0});
  m.AddConstInput<int32_t>(DataType::kInt32, {2}, {1, -2});
  m.AddOutput(DataType::kFloat32, {3, 2});
  m.options().end_mask = 1;  // all rows
  m.Build();
  m.SetInput<float>(0, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  m.Invoke();
  // Columns 3 and 1 of every row.
  EXPECT_EQ(m.Output<float>(), (std::vector<float>{3, 1, 13, 11, 23, 21}));
}

TEST(StridedSliceTest, RejectsEllipsisAndWrongOutput) {
  SingleOpModel m(BuiltinOp::kStridedSlice);
  m.AddInput(DataType::kInt32, {4});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {0});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {2});
  m.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
  m.AddOutput(DataType::kInt32, {3});
  EXPECT_THROW(m.Build(), InvalidModelError);

  SingleOpModel e(BuiltinOp::kStridedSlice);
  e.AddInput(DataType::kInt32, {4});
  e.AddConstInput<int32_t>(DataType::kInt32, {1}, {0});
  e.AddConstInput<int32_t>(DataType::kInt32, {1}, {2});
  e.AddConstInput<int32_t>(DataType::kInt32, {1}, {1});
  e.AddOutput(DataType::kInt32, {2});
  e.options().ellipsis_mask = 1;
  EXPECT_THROW(e.Build(), UnsupportedError);
}

TEST(PackTest, ScalarsIntoAShapeVector) {
  SingleOpModel m(BuiltinOp::kPack);
  m.AddInput(DataType::kInt32, {});
  m.AddConstInput<int32_t>(DataType::kInt32, {}, {-1});
  m.AddOutput(DataType::kInt32, {2});
  m.options().values_count = 2;
  m.Build();
  m.SetInput<int32_t>(0, {1});
  m.Invoke();
  EXPECT_EQ(m.Output<int32_t>(), (std::vector<int32_t>{1, -1}));
}

TEST(PackTest, AlongInnerAxisInt8) {
  SingleOpModel m(BuiltinOp::kPack);
  m.AddInput(DataType::kInt8, {2, 2}, Quant(1.0f, 0));
  m.AddInput(DataType::kInt8, {2, 2}, Quant(1.0f, 0));
  m.AddOutput(DataType::kInt8, {2, 2, 2}, Quant(1.0f, 0));
  m.options().axis = -1;
  m.options().values_count = 2;
  m.Build();
  m.SetInput<int8_t>(0, {1, 2, 3, 4});
  m.SetInput<int8_t>(1, {-1, -2, -3, -4});
  m.Invoke();
  EXPECT_EQ(m.Output<int8_t>(), (std::vector<int8_t>{1, -1, 2, -2, 3, -3, 4, -4}));
}

}  // namespace
}  // namespace potacc::kernels
