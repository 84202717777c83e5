// The whole generated DeiT-tiny (224x224, 12 blocks) on potacc-hls with each
// method (label "slow": about 30 s; the default suite runs a one-block
// transformer in tests/accel/matmul_test.cc). Every FULLY_CONNECTED layer runs
// on the accelerator and equals the TFLite reference of the same layer; with
// matmul_operand_quant off (the default) the BATCH_MATMULs stay on the CPU
// with the reason and the run is bit-exact end to end.
#include <gtest/gtest.h>

#include <cstring>

#include "accel/potacc_x_support.h"
#include "potacc/accel/diff.h"

namespace potacc::accel {
namespace {

TEST(DeitTinySlow, EveryFullyConnectedLayerBitExactOnPotaccHls) {
  std::vector<float> image(224 * 224 * 3);  // normalised-image-like values in [-2, 2]
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>((i * 7919) % 401) / 100.0f - 2.0f;
  std::vector<std::vector<uint8_t>> inputs(1, std::vector<uint8_t>(image.size() * 4));
  std::memcpy(inputs[0].data(), image.data(), inputs[0].size());
  for (const std::string method : {"qkeras", "apot", "msq", "int8"}) {
    const Model model = xmodes::Generated("deit-tiny", 1, {}, method);
    const DiffReport r = DiffAgainstCpu(model, ResolveAcceleratorConfig(method, "pynq-z2", "potacc-hls"), inputs);
    int fc = 0;
    for (const LayerDiff& l : r.layers) {
      if (l.op == "FULLY_CONNECTED") {
        EXPECT_EQ(l.device, "accel") << method << " node " << l.node << ": " << l.reason;
        fc += l.device == "accel";
      }
      if (l.op == "BATCH_MATMUL" && l.device == "cpu") {
        EXPECT_NE(l.reason.find("matmul_operand_quant"), std::string::npos) << l.reason;
      }
      if (l.device == "accel") {
        EXPECT_EQ(l.isolated_mismatches, 0) << method << " node " << l.node;
      }
    }
    EXPECT_EQ(fc, 73) << method;  // 12 blocks x 6 + the classifier
    // Hand count of the FC outputs: per block QKV 197 x 576, projection 197 x 192,
    // MLP 197 x 768 and 197 x 192; 12 blocks plus the 1000 logits (more when
    // the patch conv or a symmetric-operand matmul is accelerated too).
    EXPECT_GE(r.accel_elements(), 12 * 197 * (576 + 192 + 768 + 192) + 1000) << method;
    EXPECT_TRUE(r.bit_exact()) << method;
  }
}

}  // namespace
}  // namespace potacc::accel
