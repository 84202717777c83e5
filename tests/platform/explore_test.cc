// potacc explore: grid parsing and enumeration, the Pareto front by hand,
// agreement with `compare` on the reference design, determinism across
// threads, resume and shards, the journal and the Slurm script.
#include "potacc/platform/explore.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "potacc/error.h"
#include "potacc/platform/compare.h"
#include "potacc/tflite/generators.h"
#include "support/data_dir.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

std::string ErrorOf(const json& doc) {
  try {
    ParseExploreGrid(doc, "g.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A small sweep over the demo CNN (milliseconds per point).
ExploreGrid SmallGrid() {
  return ParseExploreGrid(json::parse(R"({
    "families": ["potacc-x"], "methods": ["qkeras", "int8"], "models": ["cnn", "resnet20"],
    "units": [1, 4, 8], "weight_addresses": [1024, 4096], "depthwise": [false, true],
    "depth_split": [false, true], "psum_entries": [16, 64], "clock_mhz": [150, 200]
  })"),
                          "test");
}

TEST(ExploreGrid, ParsesAxesAndRefusesBadFields) {
  const ExploreGrid g = ParseExploreGrid(json::parse(R"({"units": 4, "depthwise": [true, null], "_note": 1})"), "g");
  ASSERT_EQ(g.units.size(), 1u);
  EXPECT_EQ(*g.units[0], 4);
  ASSERT_EQ(g.depthwise.size(), 2u);
  EXPECT_FALSE(g.depthwise[1].has_value());
  EXPECT_NE(ErrorOf(json::parse(R"({"unit": [1]})")).find("g.json: grid field 'unit' is not a known field"),
            std::string::npos);
  EXPECT_NE(ErrorOf(json::parse(R"({"units": [0]})")).find("outside [1, 64]"), std::string::npos);
  EXPECT_NE(ErrorOf(json::parse(R"({"units": ["4"]})")).find("must hold integers"), std::string::npos);
  EXPECT_NE(ErrorOf(json::parse(R"({"depthwise": [1]})")).find("true/false"), std::string::npos);
  EXPECT_NE(ErrorOf(json::parse(R"({"units": []})")).find("empty list"), std::string::npos);
  EXPECT_NE(ErrorOf(json::parse(R"({"methods": ["pot8"]})")).find("unknown method 'pot8'"), std::string::npos);
  EXPECT_NE(ErrorOf(json::parse("[1]")).find("must be a JSON object"), std::string::npos);
  // Canonical form round trip and hash.
  EXPECT_EQ(ExploreGridHash(ParseExploreGrid(ExploreGridToJson(g), "x")), ExploreGridHash(g));
  EXPECT_NE(ExploreGridHash(g), ExploreGridHash(SmallGrid()));
}

TEST(ExploreGrid, EnumeratesDistinctDesigns) {
  const std::vector<DesignPoint> pts = EnumeratePoints(SmallGrid());
  // 2 methods x 3 units x 2 weight sizes x 2 depthwise x 2 clocks x (split off + 2 psum depths) = 144.
  ASSERT_EQ(pts.size(), 144u);
  for (size_t i = 0; i < pts.size(); ++i) EXPECT_EQ(pts[i].id, static_cast<int64_t>(i));
  int split = 0;
  for (const auto& p : pts) {
    split += p.config.depth_split();
    EXPECT_EQ(p.config.depth_split() ? p.config.buffers.psum_entries > 0 : p.config.buffers.psum_entries == 0, true);
    EXPECT_EQ(p.config.name, p.name);
  }
  EXPECT_EQ(split, 96);
  EXPECT_EQ(pts[0].name, "potacc-x-pynq-z2-qkeras u1 150MHz w1024 l2048 g8192 +fc +overlap");
  // Depth splitting without a partial-sum buffer is a clear error.
  const ExploreGrid bad =
      ParseExploreGrid(json::parse(R"({"families": ["potacc-v12"], "depth_split": [true], "models": ["cnn"]})"), "t");
  EXPECT_THROW(EnumeratePoints(bad), Error);
}

TEST(ExploreFront, NonDominatedPointsByHand) {
  auto point = [](int64_t id, double lat, double lut, double energy, bool fits = true) {
    PointResult p;
    p.id = id;
    p.latency_ms = lat;
    p.ip.lut = lut;
    p.energy_mj = energy;
    p.fit.fits = fits;
    p.models.resize(1);
    return p;
  };
  const std::vector<PointResult> pts = {
      point(0, 10, 100, 5),  // front: fastest
      point(1, 20, 50, 6),   // front: smallest
      point(2, 15, 120, 7),  // dominated by 0
      point(3, 12, 90, 4),   // front: least energy
      point(4, 10, 100, 5),  // equal to 0: keeps the lowest id
      point(5, 1, 10, 1, false),  // does not fit
      point(6, 30, 50, 6),   // dominated by 1
  };
  EXPECT_EQ(ParetoFront(pts), (std::vector<int64_t>{0, 3, 1}));
}

TEST(Explore, ReferencePointEqualsTheCompareCommand) {
  // The data-free timing of the reference design, through the board timeline,
  // gives the latency `compare` measures by simulating the quantized model.
  ExploreGrid g = ParseExploreGrid(json::parse(R"({"families": ["potacc-v12"], "models": ["resnet20"]})"), "t");
  ExploreOptions o;
  o.jobs = 1;
  const ExploreResult r = RunExplore(g, o);
  ASSERT_EQ(r.points.size(), 1u);
  ASSERT_EQ(r.references.size(), 1u);
  CompareOptions co;
  co.board = LoadBoard("pynq-z2");
  co.methods = {"qkeras"};
  co.check_outputs = false;
  const CompareReport c = RunCompare({{"resnet20", Generate("resnet20", 1)}}, co);
  const double compare_ms = c.models[0].Find("qkeras")->latency_ms;
  EXPECT_NEAR(r.references[0].models[0].latency_ms, compare_ms, 1e-9 * compare_ms);
  EXPECT_NEAR(r.points[0].models[0].latency_ms, compare_ms, 1e-9 * compare_ms);  // the same design
  EXPECT_NEAR(r.points[0].models[0].cpu_latency_ms, c.models[0].Find("cpu")->latency_ms, 1e-9 * compare_ms);
  EXPECT_TRUE(r.references[0].fit.fits);
}

TEST(Explore, DeterministicAcrossThreadsResumeAndShards) {
  const ExploreGrid g = SmallGrid();
  ExploreOptions one;
  one.jobs = 1;
  const std::string a = ExploreToJson(RunExplore(g, one)).dump();
  ExploreOptions three;
  three.jobs = 3;
  const ExploreResult full = RunExplore(g, three);
  EXPECT_EQ(ExploreToJson(full).dump(), a);
  EXPECT_EQ(full.grid_points, 144);
  int64_t fitting = 0;
  for (const auto& p : full.points) {
    fitting += p.fit.fits;
    EXPECT_EQ(p.fit.fits, !p.models.empty());  // points that do not fit are not timed
  }
  EXPECT_GT(fitting, 0);
  EXPECT_LT(fitting, 144);  // 8 units at 4096 addresses do not fit the xc7z020
  EXPECT_FALSE(full.front.empty());

  // Interrupted after 10 points (the results go through the JSON journal form), then resumed.
  const auto dir = potacc::testing::TempDir("explore_resume");
  OpenExploreJournal(dir.string(), ExploreGridHash(g), 0, 1);
  ExploreOptions part = three;
  part.max_new_points = 10;
  part.on_result = [&](const PointResult& p) { AppendExploreJournal(dir.string(), p); };
  EXPECT_EQ(RunExplore(g, part).points.size(), 10u);
  auto journal = ReadExploreJournal(dir.string());
  ASSERT_TRUE(journal.has_value());
  ASSERT_EQ(journal->points.size(), 10u);
  EXPECT_EQ(ExploreToJson(RunExplore(g, three, journal->points)).dump(), a);

  // Two shards through their journals, merged.
  std::vector<std::string> dirs;
  for (int i = 0; i < 2; ++i) {
    const auto d = potacc::testing::TempDir("explore_shard" + std::to_string(i));
    std::ofstream(d / "grid.json") << ExploreGridToJson(g).dump();
    OpenExploreJournal(d.string(), ExploreGridHash(g), i, 2);
    ExploreOptions s = three;
    s.shard_index = i;
    s.shard_count = 2;
    s.on_result = [&](const PointResult& p) { AppendExploreJournal(d.string(), p); };
    EXPECT_EQ(RunExplore(g, s).points.size(), 72u);
    dirs.push_back(d.string());
  }
  EXPECT_EQ(ExploreToJson(MergeExploreShards(dirs)).dump(), a);
  EXPECT_THROW(MergeExploreShards({dirs[0]}), Error);  // one of two shards
  EXPECT_THROW(MergeExploreShards({dirs[0], dirs[0]}), Error);
  EXPECT_THROW(OpenExploreJournal(dirs[0], ExploreGridHash(g), 1, 2), Error);  // another shard's folder
}

TEST(Explore, JournalIgnoresATornLastLine) {
  const ExploreGrid g = SmallGrid();
  const auto dir = potacc::testing::TempDir("explore_torn");
  OpenExploreJournal(dir.string(), ExploreGridHash(g), 0, 1);
  PointResult p;
  p.id = 7;
  p.name = "x";
  p.config = json::object();
  p.fit.limit = "lut";
  AppendExploreJournal(dir.string(), p);
  std::ofstream(dir / "points.jsonl", std::ios::app) << R"({"id": 8, "name": "cut off)";
  const auto j = ReadExploreJournal(dir.string());
  ASSERT_TRUE(j.has_value());
  ASSERT_EQ(j->points.size(), 1u);
  EXPECT_EQ(j->points[0].id, 7);
  EXPECT_EQ(PointToJson(j->points[0]).dump(), PointToJson(p).dump());
}

TEST(Explore, SlurmScriptRunsOneShardPerArrayTask) {
  const auto dir = potacc::testing::TempDir("explore_slurm");
  const std::string script = WriteSlurmScript(dir.string(), SmallGrid(), 3, "/opt/potacc", 2);
  std::ifstream in(script);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("#SBATCH --array=0-2\n"), std::string::npos);
  EXPECT_NE(text.find("#SBATCH --cpus-per-task=2\n"), std::string::npos);
  EXPECT_NE(text.find("/opt/potacc explore --grid " + (std::filesystem::absolute(dir) / "grid.json").string() +
                      " --shard ${SLURM_ARRAY_TASK_ID}/3"),
            std::string::npos);
  EXPECT_EQ(ExploreGridHash(LoadExploreGrid((dir / "grid.json").string())), ExploreGridHash(SmallGrid()));
  EXPECT_TRUE(std::filesystem::status(script).permissions() != std::filesystem::perms::none);
}

}  // namespace
}  // namespace potacc::platform
