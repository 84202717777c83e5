// The icecs-v2 family end to end: its weight-tile copies on a real network
// against the public estimate, and `potacc compare --family icecs-v2
// --uncertainty` through the CLI with outputs checked against the CPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "potacc/accel/config.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/lowering.h"
#include "potacc/platform/compare.h"
#include "potacc/quant/method.h"
#include "potacc/tflite/generators.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::platform {
namespace {

// board-anchors.md [I]: for ResNet-18 (QKeras, 4-bit) the ICECS driver copies
// about 14 MB of weight tiles per inference, about 2.6x the weight bytes, since
// every row tile reloads every column tile.
// Every CONV_2D weight snapped to the nearest QKeras level (what the copies
// carry does not depend on the values; the encoder needs them on the grid).
Model OnQkerasGrid(Model model) {
  const quant::Method& qk = quant::MethodByName("qkeras");
  std::vector<int> levels;
  for (int v : qk.levels())
    if (v >= -127 && v <= 127) levels.push_back(v);
  const Subgraph& g = model.main();
  for (const Operator& op : g.operators) {
    if (op.op() != BuiltinOp::kConv2D) continue;
    std::vector<uint8_t>& data = model.buffers.at(g.tensors.at(op.inputs[1]).buffer).data;
    for (uint8_t& b : data) {
      const int w = static_cast<int8_t>(b);
      const int nearest = *std::min_element(levels.begin(), levels.end(),
                                            [&](int a, int c) { return std::abs(a - w) < std::abs(c - w); });
      b = static_cast<uint8_t>(static_cast<int8_t>(nearest));
    }
  }
  return model;
}

// Bytes of weight tiles (with headers and epilogues) a configuration's driver
// copies per inference, from its tile plans (no simulation needed).
int64_t WeightCopyBytes(const Model& model, const accel::AcceleratorConfig& config, int64_t* weight_bytes) {
  int64_t copied = 0;
  *weight_bytes = 0;
  for (const accel::NodePlacement& p : accel::PlanDelegation(model, config)) {
    if (!p.on_accel) continue;
    const accel::GemmLowering g = accel::LowerNode(model, p.node);
    const accel::PreparedGemm prepared = accel::PrepareGemm(config, g.layer, g.m);
    *weight_bytes += g.n * g.k / 2;  // 4-bit codes
    if (config.weight_preload()) continue;
    for (const accel::Tile& t : prepared.plan.tiles) {
      if (!t.load_weights) continue;
      const auto cmd = accel::Command::LoadWeights(prepared.weights, t.col0 / 4, t.cols / 4);
      for (int64_t words : accel::StreamWordCounts(cmd, config.protocol())) copied += 4 * words;
    }
  }
  return copied;
}

TEST(IcecsCompare, ResNet18WeightCopiesMatchThePublicEstimate) {
  const Model model = OnQkerasGrid(Generate("resnet18", 1));
  int64_t weights = 0;
  const int64_t copied = WeightCopyBytes(model, accel::ResolveAcceleratorConfig("icecs-v2-pynq-z2-qkeras"), &weights);
  EXPECT_NEAR(copied / 1e6, 14.0, 1.0);
  EXPECT_NEAR(static_cast<double>(copied) / weights, 2.6, 0.2);
  // The same network on potacc-v12 copies nothing per inference (preloaded once).
  EXPECT_EQ(WeightCopyBytes(model, accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-qkeras"), &weights), 0);
}

TEST(IcecsCompare, CliComparesTheFamilyWithIntervalsAndMatchingOutputs) {
  const auto dir = potacc::testing::TempDir("icecs_compare_cli");
  const auto json = (dir / "r.json").string(), svg = (dir / "t.svg").string();
  const auto r = potacc::testing::RunCli("compare resnet20 --family icecs-v2 --board pynq-z2 --uncertainty --samples 40 "
                                         "--json " + json + " --tornado " + svg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("icecs-v2 accelerators"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Monte Carlo over"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("above idle"), std::string::npos) << r.out;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  std::vector<std::string> configs;
  for (const auto& c : j["models"][0]["configs"]) {
    configs.push_back(c["name"]);
    EXPECT_TRUE(c["outputs_match_cpu"].get<bool>()) << c["name"];
    if (c["name"] != "cpu") {
      EXPECT_NE(c["accel_config"].get<std::string>().find("icecs-v2-pynq-z2-"), std::string::npos);
    }
  }
  EXPECT_EQ(configs, (std::vector<std::string>{"cpu", "int8", "qkeras"}));  // the family's designs
  const auto& fig = j["uncertainty"]["figures"]["mean/qkeras/speedup_vs_cpu"];
  EXPECT_LE(fig["low"].get<double>(), fig["central"].get<double>());
  EXPECT_GE(fig["high"].get<double>(), fig["central"].get<double>());
  EXPECT_TRUE(j["published"].empty());  // the ICECS figures are over three ImageNet CNNs, not ResNet-20
  EXPECT_TRUE(std::filesystem::exists(svg));
  // A method the family does not have is an error naming it.
  const auto bad = potacc::testing::RunCli("compare resnet20 --family icecs-v2 --methods apot --no-check");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("icecs-v2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("apot"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace potacc::platform
