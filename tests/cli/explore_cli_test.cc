// `potacc explore` as a user runs it: outputs, the front table, resume,
// shards + merge, the Slurm script, and one-line errors for bad input; and
// `run`/`diff` with the potacc-x family on a layer deeper than a unit's buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

namespace fs = std::filesystem;

// A small base grid (the flags override the shipped sweep's axes, the others stay).
std::string Grid() {
  static const std::string path = [] {
    const fs::path p = TempDir("cli_explore_grid") / "grid.json";
    std::ofstream(p) << R"({"families": ["potacc-x"], "methods": ["qkeras"], "models": ["cnn"]})";
    return p.string();
  }();
  return " --grid " + path;
}
const std::string kAxes = " --methods qkeras,apot --units 1,4,8 --depthwise off,on --clock-mhz 100,200";

TEST(ExploreCli, WritesTheFrontAndResumes) {
  const fs::path dir = TempDir("cli_explore");
  const auto r = RunCli("explore" + Grid() + kAxes + " --out " + (dir / "a").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("design point(s) evaluated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("potacc-v12-pynq-z2-qkeras"), std::string::npos);  // the reference row
  EXPECT_NE(r.out.find("best fitting point on pynq-z2 vs potacc-v12-pynq-z2-qkeras"), std::string::npos);
  for (const char* f : {"explore.json", "points.csv", "front.csv", "front.svg", "points.jsonl", "grid.json"})
    EXPECT_TRUE(fs::exists(dir / "a" / f)) << f;
  const auto doc = nlohmann::json::parse(Slurp(dir / "a" / "explore.json"));
  EXPECT_EQ(doc["grid_points"], 24);
  EXPECT_FALSE(doc["front"].empty());
  EXPECT_EQ(doc["references"].size(), 2u);
  // Interrupted, then resumed: the same files.
  const auto part = RunCli("explore" + Grid() + kAxes + " --limit 7 -q --out " + (dir / "b").string());
  ASSERT_EQ(part.exit_code, 0) << part.err;
  EXPECT_NE(part.err.find("stopped by --limit"), std::string::npos);
  const auto rest = RunCli("explore" + Grid() + kAxes + " -q --out " + (dir / "b").string());
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_NE(rest.err.find("resuming: 7 point(s)"), std::string::npos) << rest.err;
  for (const char* f : {"explore.json", "points.csv", "front.csv", "front.svg"})
    EXPECT_EQ(Slurp(dir / "a" / f), Slurp(dir / "b" / f)) << f;
  // Shards and merge.
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(RunCli("explore" + Grid() + kAxes + " -q --shard " + std::to_string(i) + "/3 --out " +
                     (dir / ("s" + std::to_string(i))).string())
                  .exit_code,
              0);
  const auto m = RunCli("explore -q --merge " + (dir / "s0").string() + " " + (dir / "s1").string() + " " +
                        (dir / "s2").string() + " --out " + (dir / "m").string());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(Slurp(dir / "a" / "explore.json"), Slurp(dir / "m" / "explore.json"));
  ExpectOneLineError(RunCli("explore -q --merge " + (dir / "s0").string() + " --out " + (dir / "m2").string()),
                     "1 of 3 shards given");
  // A journal of another sweep is not resumed into this one.
  ExpectOneLineError(RunCli("explore" + Grid() + kAxes + " --weight-addresses 1024 -q --out " + (dir / "a").string()), "another sweep");
}

TEST(ExploreCli, SlurmScriptAndBadInput) {
  const fs::path dir = TempDir("cli_explore_bad");
  const auto s = RunCli("explore" + Grid() + kAxes + " --slurm 4 --out " + (dir / "job").string());
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("sbatch"), std::string::npos);
  EXPECT_NE(Slurp(dir / "job" / "explore.sbatch").find("#SBATCH --array=0-3"), std::string::npos);
  ExpectOneLineError(RunCli("explore" + Grid() + kAxes + " --shard 3/3 --out " + (dir / "x1").string()), "--shard 3/3");
  ExpectOneLineError(RunCli("explore --units 1,x -q --out " + (dir / "x2").string()), "--units: 'x' is not an integer");
  ExpectOneLineError(RunCli("explore --depthwise maybe -q --out " + (dir / "x3").string()), "not on/off/family");
  ExpectOneLineError(RunCli("explore --grid " + (dir / "none.json").string() + " --out " + (dir / "x4").string()),
                     "cannot read the explore grid");
  std::ofstream(dir / "bad.json") << R"({"units": [1, 2], "clocks": [100]})";
  ExpectOneLineError(RunCli("explore --grid " + (dir / "bad.json").string() + " --out " + (dir / "x5").string()),
                     "grid field 'clocks' is not a known field");
  ExpectOneLineError(RunCli("explore --families potacc-nope -q --out " + (dir / "x6").string()),
                     "unknown accelerator family 'potacc-nope'");
  ExpectOneLineError(RunCli("explore --models no-such-model -q --out " + (dir / "x7").string()),
                     "neither a generator name");
  ExpectOneLineError(RunCli("explore -q --merge " + (dir / "nothing").string() + " --out " + (dir / "x8").string()),
                     "not an explore output folder");
}

TEST(ExploreCli, PotaccXRunsALayerDeeperThanTheBuffers) {
  const fs::path dir = TempDir("cli_potacc_x");
  const std::string model = (dir / "deep.tflite").string();
  ASSERT_EQ(RunCli("gen gemm --m 40 --n 24 --k 20000 --method apot -o " + model).exit_code, 0);
  const auto ref = RunCli("run " + model + " --accel apot --first-conv accel");
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  EXPECT_NE(ref.out.find("exceeds the weight buffer limit 16384"), std::string::npos) << ref.out;
  const auto x = RunCli("run " + model + " --accel apot --family potacc-x");
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_NE(x.out.find("3 K-chunks"), std::string::npos) << x.out;
  const auto d = RunCli("diff " + model + " --accel apot --family potacc-x");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("BIT-EXACT"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace potacc::testing
