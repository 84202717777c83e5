// The compare and calibrate commands end to end, with the real accelerator
// simulator (ResNet-20: small enough for a unit test).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../report/mini_xml.h"
#include "potacc/platform/board.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

int RunCli(const std::string& args, const std::filesystem::path& out) {
  const std::string cmd = potacc::testing::CliPath() + " " + args + " > " + out.string() + " 2>&1";
  return std::system(cmd.c_str());
}

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Cli, CompareWritesJsonCsvAndSvg) {
  const auto dir = potacc::testing::TempDir("cli_compare");
  const auto json = dir / "r.json", csv = dir / "r.csv", svg = dir / "r.svg", log = dir / "log.txt";
  ASSERT_EQ(RunCli("compare resnet20 --board pynq-z2 --json " + json.string() + " --csv " + csv.string() + " --svg " +
                    svg.string(),
                log),
            0)
      << Read(log);
  const std::string text = Read(log);
  EXPECT_NE(text.find("qkeras"), std::string::npos);
  const auto j = nlohmann::json::parse(Read(json));
  ASSERT_EQ(j["models"].size(), 1u);
  EXPECT_EQ(j["models"][0]["name"], "resnet20");
  for (const auto& c : j["models"][0]["configs"]) {
    EXPECT_GT(c["latency_ms"].get<double>(), 0);
    // The simulated accelerators are bit-exact with the CPU reference.
    EXPECT_TRUE(c["outputs_match_cpu"].get<bool>()) << c["name"];
  }
  EXPECT_TRUE(j["summary"]["apot"]["speedup_vs_int8"].is_number());
  EXPECT_NE(Read(csv).find("resnet20,qkeras,potacc-v12-pynq-z2-qkeras"), std::string::npos);
  auto root = potacc::testing::MiniXml::Parse(Read(svg));
  EXPECT_EQ(root->name, "svg");
}

TEST(Cli, CompareRejectsUnknownModelAndBoard) {
  const auto dir = potacc::testing::TempDir("cli_compare_bad");
  EXPECT_NE(RunCli("compare no-such-model --no-check", dir / "a.txt"), 0);
  EXPECT_NE(Read(dir / "a.txt").find("no-such-model"), std::string::npos);
  EXPECT_NE(RunCli("compare resnet20 --board mars", dir / "b.txt"), 0);
  EXPECT_NE(Read(dir / "b.txt").find("mars"), std::string::npos);
}

TEST(Cli, CalibrateRoundTrip) {
  const auto dir = potacc::testing::TempDir("cli_calibrate");
  const auto prof = dir / "p.csv", out = dir / "new.json", log = dir / "log.txt";
  ASSERT_EQ(RunCli("calibrate --board pynq-z2 --model resnet20 --threads 2 --write-profile " + prof.string(), log), 0)
      << Read(log);
  ASSERT_EQ(RunCli("calibrate --board kv260 --profile " + prof.string() + " --model resnet20 --threads 2 -o " +
                    out.string(),
                log),
            0)
      << Read(log);
  // The profile came from pynq-z2's model: kv260's conv rate becomes pynq-z2's rescaled by the clock ratio.
  const platform::Board fitted = platform::LoadBoard(out.string());
  const platform::Board z2 = platform::LoadBoard("pynq-z2");
  EXPECT_NEAR(fitted.cpu.conv_macs_per_cycle, z2.cpu.conv_macs_per_cycle * z2.cpu.clock_hz / fitted.cpu.clock_hz,
              0.03);
  EXPECT_NE(Read(log).find("after"), std::string::npos);
}

}  // namespace
}  // namespace potacc
