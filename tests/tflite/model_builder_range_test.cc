// The builder's analytic output scales, checked by actually running generated
// models on the CPU kernels: every int8 activation should use a good part of
// the int8 range without saturating much. (Independent check: the kernels
// compute the real activations; the builder only estimated them.)
#include <gtest/gtest.h>

#include <cmath>

#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/model_builder.h"

namespace potacc {
namespace {

struct RangeStats {
  double saturated = 0;  // fraction clipped at -128 or 127
  double std = 0;        // std of the int8 codes
};

// Values at the zero point are real zeros (e.g. -128 after a ReLU), not saturation.
RangeStats Stats(std::span<const uint8_t> bytes, int64_t zero_point) {
  RangeStats s;
  double sum = 0, sum_sq = 0;
  int64_t sat = 0;
  for (uint8_t b : bytes) {
    const int v = static_cast<int8_t>(b);
    sum += v;
    sum_sq += static_cast<double>(v) * v;
    sat += (v == 127 || (v == -128 && zero_point != -128));
  }
  const double n = static_cast<double>(bytes.size());
  s.saturated = static_cast<double>(sat) / n;
  s.std = std::sqrt(std::max(0.0, sum_sq / n - (sum / n) * (sum / n)));
  return s;
}

void CheckRanges(const Model& m, uint64_t seed) {
  Interpreter interp(m);
  interp.Prepare();
  // Input uniform over the int8 range (what the builder assumed).
  auto in = interp.tensor_bytes(interp.input_tensor(0));
  uint64_t state = seed;
  for (auto& b : in) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<uint8_t>(state >> 56);
  }
  interp.Invoke([&](int node, double) {
    const Operator& op = m.main().operators[static_cast<size_t>(node)];
    const Tensor& out = interp.tensor(op.outputs[0]);
    if (out.type != DataType::kInt8 || op.op() == BuiltinOp::kSoftmax) return;
    if (op.op() == BuiltinOp::kMean || op.op() == BuiltinOp::kFullyConnected) return;  // few values
    const RangeStats s = Stats(interp.tensor_bytes(op.outputs[0]), out.quant.zero_point.at(0));
    EXPECT_LT(s.saturated, 0.05) << "node " << node << " " << BuiltinOpName(op.builtin) << " saturates";
    EXPECT_GT(s.std, 8.0) << "node " << node << " " << BuiltinOpName(op.builtin) << " uses too few codes";
  });
}

TEST(ModelBuilderRanges, SmallCnnActivationsUseTheInt8Range) {
  for (uint64_t seed : {1, 2, 3}) CheckRanges(MakeSmallCnn(seed), seed);
}

TEST(ModelBuilderRanges, DeepPlainStackStaysInRange) {
  // Ten conv+relu layers: errors in the estimate would compound.
  ModelBuilder b(4);
  int x = b.Input({1, 16, 16, 8});
  for (int i = 0; i < 10; ++i) x = b.Conv2D(x, {.out_channels = 16, .kernel = 3, .activation = Activation::kRelu});
  b.Output(x);
  CheckRanges(b.Build(), 4);
}

}  // namespace
}  // namespace potacc
