// The full DeiT-tiny (224x224, 12 blocks): generated, written and read back
// unchanged, run in int8 on one input, with logits that follow the float
// model's (the same weights before quantization). About 10 s.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <span>

#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/float_run.h"

namespace potacc {
namespace {

std::vector<float> RunModel(const Model& m, const std::vector<float>& input) {
  return testing::RunFloatModel(m, input);
}

TEST(DeitTiny, GeneratedRoundTripsAndRunsCloseToFloat) {
  const std::map<std::string, std::string> params = {{"calibration", "1"}};
  const Model m = Generate("deit-tiny", 1, params);
  const ModelInfo info = DescribeModel(m);
  EXPECT_EQ(info.nodes.size(), 606u);  // default GELU form: MUL/ADD/TANH (510 with --gelu exact)
  EXPECT_EQ(info.macs_by_class.at("conv"), 196LL * 192 * 768);
  EXPECT_EQ(info.macs_by_class.at("matmul"), 12LL * 2 * 3 * 197 * 197 * 64);
  EXPECT_EQ(info.macs_by_class.at("fc"), 12LL * 197 * 12 * 192 * 192 + 192 * 1000);
  const std::vector<uint8_t> bytes = WriteModel(m);
  const Model back = ReadModel(bytes, "deit-tiny");
  ASSERT_TRUE(back == m);
  auto fp = params;
  fp["float"] = "true";
  const Model f = Generate("deit-tiny", 1, fp);
  std::vector<float> image(224 * 224 * 3);
  uint32_t s = 11;
  for (auto& x : image) {
    s = s * 1664525u + 1013904223u;
    x = -2.0f + 4.5f * static_cast<float>(s >> 8) / static_cast<float>(1 << 24);
  }
  const auto q = RunModel(back, image), r = RunModel(f, image);
  ASSERT_EQ(q.size(), 1000u);
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    ab += q[i] * r[i];
    aa += q[i] * q[i];
    bb += r[i] * r[i];
  }
  EXPECT_GT(ab / std::sqrt(aa * bb), 0.95);
}

}  // namespace
}  // namespace potacc
