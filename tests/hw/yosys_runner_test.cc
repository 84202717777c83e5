// Building and running Yosys scripts. The real run (one PE, a few seconds) is
// skipped when yosys is not installed.
#include <gtest/gtest.h>

#include <filesystem>

#include "potacc/error.h"
#include "potacc/hw/yosys_runner.h"
#include "potacc/platform/board.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"
#include "potacc/util/file.h"
#include "potacc/util/source_tree.h"

namespace potacc::hw {
namespace {

using potacc::testing::Slurp;
using potacc::testing::TempDir;

const std::filesystem::path kRtl = SourceTreeDir() / "hw" / "rtl";

TEST(YosysRunner, ScriptFillsEveryField) {
  const std::string tmpl =
      "read_verilog -I@RTL_DIR@ -I@GEN_DIR@ @RTL_FILES@\nchparam -set METHOD @METHOD@ @TOP@\n"
      "synth_xilinx -top @TOP@ @DSP_FLAG@\ntee -o @STAT_JSON@ stat -json\n";
  const std::string s = SynthScript(tmpl, {{SynthTarget::kGemmUnit, false}, "msq"}, kRtl, "/gen", "/w/s.json");
  EXPECT_NE(s.find("chparam -set METHOD 2 gemm_unit"), std::string::npos) << s;
  EXPECT_NE(s.find("synth_xilinx -top gemm_unit -nodsp"), std::string::npos) << s;
  EXPECT_NE(s.find((kRtl / "pe.v").string()), std::string::npos) << s;
  EXPECT_NE(s.find("-I/gen"), std::string::npos);
  EXPECT_NE(s.find("tee -o /w/s.json"), std::string::npos);
  EXPECT_EQ(s.find('@'), std::string::npos);
  EXPECT_THROW(SynthScript("@TYPO@", {{SynthTarget::kPe, true}, "msq"}, kRtl, "/g", "/s"), Error);
  EXPECT_THROW(SynthScript("x", {{SynthTarget::kPe, true}, "fp32"}, kRtl, "/g", "/s"), Error);
}

TEST(YosysRunner, TwentyJobs) {
  const auto jobs = AllSynthJobs();
  // {pe, gemm_unit} x {dsp, nodsp} x 5 methods, plus the whole accelerator per shipped board x 5 methods
  EXPECT_EQ(jobs.size(), 20u + 5u * platform::ShippedBoards().size());
}

// Hand-scheduled: jobs of 10, 20, 30 s (from earlier figures) and one
// unknown job (kDefaultSynthSeconds = 15). One process: the sum, 75 s. Two:
// A=10, B=20, A=10+30=40, B=20+15=35 -> 40 s.
TEST(YosysRunner, EstimateSchedulesJobsLikeTheRunner) {
  SynthResults previous;
  previous.sections["pe"]["qkeras"].seconds = 10;
  previous.sections["pe"]["msq"].seconds = 20;
  previous.sections["pe"]["apot"].seconds = 30;
  const std::vector<SynthJob> jobs = {{{SynthTarget::kPe, true}, "qkeras"},
                                      {{SynthTarget::kPe, true}, "msq"},
                                      {{SynthTarget::kPe, true}, "apot"},
                                      {{SynthTarget::kPe, true}, "int8"}};
  EXPECT_DOUBLE_EQ(EstimateSynthesisSeconds(jobs, &previous, 1), 75);
  EXPECT_DOUBLE_EQ(EstimateSynthesisSeconds(jobs, &previous, 2), 40);
  EXPECT_DOUBLE_EQ(EstimateSynthesisSeconds(jobs, nullptr, 4), kDefaultSynthSeconds);
  EXPECT_DOUBLE_EQ(EstimateSynthesisSeconds(jobs, nullptr, 0), 4 * kDefaultSynthSeconds);  // at least 1
}

TEST(YosysRunner, MissingYosysIsAClearError) {
  EXPECT_FALSE(FindYosys("/nonexistent/yosys").has_value());
  YosysOptions options;
  options.yosys = "/nonexistent/yosys";
  try {
    RunSynthesis({{{SynthTarget::kPe, true}, "qkeras"}}, options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("yosys not found"), std::string::npos) << e.what();
  }
}

// A real synthesis of the QKeras PE; with the same Yosys version it must
// reproduce the cached figures exactly (the cache is current).
TEST(YosysRunner, RealRunOfOnePeMatchesTheCache) {
  const auto yosys = FindYosys();
  if (!yosys) POTACC_SKIP_OR_FAIL_IN_CI("yosys not installed (apt-get install yosys)");
  YosysOptions options;
  options.yosys = *yosys;
  options.timeout_seconds = 120;
  int finished_calls = 0, ticks_running = 0;
  const SynthResults r = RunSynthesis({{{SynthTarget::kPe, false}, "qkeras"}}, options,
                                      [&](const SynthStatus& s) {
                                        EXPECT_EQ(s.total, 1);
                                        if (s.finished) {
                                          ++finished_calls;
                                          EXPECT_EQ(s.done, 1);
                                          EXPECT_EQ(SynthJobName(*s.finished), "pe_nodsp/qkeras");
                                          EXPECT_TRUE(s.running.empty());
                                        } else if (!s.running.empty()) {
                                          ++ticks_running;  // the bar shows the module while Yosys runs
                                          EXPECT_EQ(s.done, 0);
                                          EXPECT_EQ(SynthJobName(s.running.at(0)), "pe_nodsp/qkeras");
                                        }
                                      });
  EXPECT_EQ(finished_calls, 1);
  EXPECT_GT(ticks_running, 0);
  const SynthFigures& f = r.Get({SynthTarget::kPe, false}, "qkeras");
  EXPECT_GT(f.lut, 10);
  EXPECT_EQ(f.ff, 0);  // the PE is combinational
  EXPECT_GT(f.depth, 1);
  const SynthResults cached = LoadResults(CachedResultsPath());
  if (cached.tool != r.tool) GTEST_SKIP() << "cache from " << cached.tool << ", installed " << r.tool;
  SynthFigures c = cached.Get({SynthTarget::kPe, false}, "qkeras");
  c.seconds = f.seconds;
  EXPECT_EQ(f, c) << "hw/synth/results.json is stale: run potacc hw report --run-yosys --json hw/synth/results.json";
}

// --resume takes a finished job's figures from the kept work folder instead
// of running Yosys again (seen by a flip-flop count edited into its stat
// file, which a rerun would not reproduce), and reruns a job whose log did not
// finish or whose record of its inputs (Yosys, RTL, methods, scripts) differs.
TEST(YosysRunner, ResumeReusesFinishedJobsOfTheSameInputs) {
  const auto yosys = FindYosys();
  if (!yosys) POTACC_SKIP_OR_FAIL_IN_CI("yosys not installed (apt-get install yosys)");
  const std::filesystem::path work = TempDir("yosys_resume");
  std::filesystem::remove_all(work);
  YosysOptions options;
  options.yosys = *yosys;
  options.timeout_seconds = 120;
  options.work_dir = work;
  options.keep_work_dir = true;
  const std::vector<SynthJob> jobs = {{{SynthTarget::kPe, false}, "msq"}};
  const SynthFigures first = RunSynthesis(jobs, options).Get({SynthTarget::kPe, false}, "msq");
  ASSERT_EQ(first.ff, 0);  // combinational

  const std::filesystem::path stat = work / "pe_nodsp_msq_stat.json";
  const std::filesystem::path log = work / "pe_nodsp_msq.log";
  std::string text = Slurp(stat);
  const std::string key = "\"num_cells_by_type\": {";
  ASSERT_NE(text.find(key), std::string::npos) << text;
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1))
    text.insert(at + key.size(), "\"FDRE\": 7,");  // per module and for the design
  WriteFileAtomic(stat.string(), text);
  options.resume = true;
  SynthFigures resumed = RunSynthesis(jobs, options).Get({SynthTarget::kPe, false}, "msq");
  EXPECT_EQ(resumed.ff, 7);
  EXPECT_EQ(resumed.lut, first.lut);
  EXPECT_GT(resumed.seconds, 0);  // Yosys' logged CPU time

  // An unfinished log: the job runs again and its true figures come back.
  const std::string full_log = Slurp(log);
  WriteFileAtomic(log.string(), full_log.substr(0, full_log.rfind("End of script.")));
  resumed = RunSynthesis(jobs, options).Get({SynthTarget::kPe, false}, "msq");
  EXPECT_EQ(resumed.ff, 0);
  EXPECT_EQ(resumed.lut, first.lut);

  // A job synthesized from other inputs (its record differs): run again.
  WriteFileAtomic(stat.string(), text);
  WriteFileAtomic((work / "pe_nodsp_msq.inputs").string(), "yosys 0.1\nrtl 0\n");
  resumed = RunSynthesis(jobs, options).Get({SynthTarget::kPe, false}, "msq");
  EXPECT_EQ(resumed.ff, 0);
  EXPECT_EQ(resumed.lut, first.lut);
  std::filesystem::remove_all(work);
}

TEST(YosysRunner, TimeoutKillsYosys) {
  const auto yosys = FindYosys();
  if (!yosys) POTACC_SKIP_OR_FAIL_IN_CI("yosys not installed (apt-get install yosys)");
  YosysOptions options;
  options.yosys = *yosys;
  options.timeout_seconds = 1;  // a GEMM unit takes far longer
  try {
    RunSynthesis({{{SynthTarget::kGemmUnit, false}, "int8"}}, options);
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("gemm_unit_nodsp/int8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace potacc::hw
