// Depth splitting (potacc-x partial sums) in the whole-accelerator RTL,
// co-simulated against the C++ simulator and the CPU reference:
//  * random COMPUTE shapes with every PsumMode sequence (kNone; kFirst, kLast;
//    kFirst, kMiddle..., kLast), each K-chunk with its own inputs and weights:
//    every output word equals the simulator's (psum-writing chunks return only
//    the end marker), the cycles of every command equal the event model's
//    (psum_cycles per partial-sum tile included), and the RTL's counters equal
//    the model's unit activity; random stream stalls change no output;
//  * a layer deeper than a unit's buffers (K = 17,000 > the 8,192 a PYNQ-Z2
//    unit holds: three K-chunks) through the driver on the RTL: equal to the
//    CPU reference GEMM, RTL cycles = model cycles; and `potacc diff/run
//    --backend rtl` on a generated model: bit-exact, +0 cycles.
// The design: the shipped potacc-x-pynq-z2-apot (depth splitting and the
// depthwise mode), Verilated by hw/CMakeLists.txt (POTACC_RTL_CONFIGS).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/packing.h"
#include "potacc/accel/sim.h"
#include "potacc/error.h"
#include "potacc/hw/accel_rtl_params.h"
#include "cosim_support.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"
#include "support/random_gemm.h"

namespace potacc::hw {
namespace {

using accel::AcceleratorConfig;
using accel::Command;
using accel::Opcode;
using accel::PsumMode;

constexpr const char* kSplitDesign = "potacc-x-pynq-z2-apot";
AcceleratorConfig SplitConfig() { return accel::ResolveAcceleratorConfig(kSplitDesign); }

int64_t Param(const std::vector<RtlParam>& params, const std::string& name) {
  for (const RtlParam& p : params)
    if (p.name == name) return p.value;
  return -1;
}

// The PsumMode of chunk i of n (n == 1: the reference COMPUTE).
PsumMode ModeOf(int i, int n) {
  if (n == 1) return PsumMode::kNone;
  return i == 0 ? PsumMode::kFirst : i + 1 == n ? PsumMode::kLast : PsumMode::kMiddle;
}

TEST(PsumCosim, TheSplitDesignIsGeneratedOnlyWithTheMode) {
  const AcceleratorConfig c = SplitConfig();
  ASSERT_TRUE(c.depth_split());
  const std::vector<RtlParam> params = AccelRtlParams(c);
  EXPECT_EQ(Param(params, "PSUM_DEPTH"), c.buffers.psum_entries);
  EXPECT_EQ(Param(params, "PSUM_WAIT"), c.timing.psum_cycles);
  EXPECT_EQ(Param(params, "PSUM_STYLE"), 2);  // 64 entries: distributed RAM (as the resource model)
  EXPECT_TRUE(NeedsExtensions(params));  // read with -DPOTACC_X
  // The reference designs carry no partial-sum parameter (their RTL key is unchanged).
  const std::vector<RtlParam> ref_params = AccelRtlParams(accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot"));
  EXPECT_EQ(Param(ref_params, "PSUM_DEPTH"), -1);
  EXPECT_FALSE(NeedsExtensions(ref_params));
  // A partial-sum COMPUTE on the reference design is refused before the RTL.
  std::unique_ptr<accel::Backend> ref = accel::MakeBackend("rtl", accel::ResolveAcceleratorConfig("potacc-v12-pynq-z2-apot"));
  EXPECT_THROW(ref->Execute(Command::Compute(4, 4, PsumMode::kFirst), nullptr), Error);
}

struct Case {
  int64_t rows, cols, rk;
  int chunks;
};

// One tile computed in `chunks` K-chunks, each with its own LOAD_INP and
// LOAD_WGT (as the driver sends a split layer), on the simulator and the RTL.
void CheckCase(const AcceleratorConfig& c, const Case& k, std::mt19937& rng, const std::string& spec,
               bool compare_cycles) {
  SCOPED_TRACE(spec + " " + std::to_string(k.rows) + "x" + std::to_string(k.cols) + "x" + std::to_string(k.rk) +
               " in " + std::to_string(k.chunks) + " chunks");
  std::vector<Command> cmds = {Command::Config(static_cast<int32_t>(k.rk), std::uniform_int_distribution<int>(-20, 20)(rng))};
  std::vector<testing::RandomGemm> chunks;
  for (int i = 0; i < k.chunks; ++i) {
    chunks.push_back(testing::MakeRandomGemm(*c.method, k.rows, k.cols, k.rk, rng));
    const testing::RandomGemm& g = chunks.back();
    const accel::EncodedWeights e = accel::EncodeWeights(c, g.layer);
    ASSERT_TRUE(e.refused.empty()) << e.refused;
    cmds.push_back(Command::LoadInputs(accel::SplitRows(g.a.data(), k.rk, k.rows, 0, k.rows, k.rk, k.rk)));
    cmds.push_back(Command::LoadWeights(accel::PackWeights(c, e), 0, k.cols / 4));
    cmds.push_back(Command::Compute(k.rows, k.cols, ModeOf(i, k.chunks)));
  }
  CompareCommands(c, cmds, spec, compare_cycles);
}

std::vector<Case> RandomCases(const AcceleratorConfig& c, int count, std::mt19937& rng) {
  std::vector<Case> v;
  for (int i = 0; i < count; ++i) {
    Case k;
    k.chunks = 1 + i % 4;  // kNone; first, last; first, middle, last; first, 2 middles, last
    k.rk = 16 * std::uniform_int_distribution<int64_t>(1, 8)(rng);
    k.rows = 2 * std::uniform_int_distribution<int64_t>(1, 20)(rng);
    // As many columns as the partial-sum buffer holds for these strips.
    const int64_t strips = (k.rows + 3) / 4;
    const int64_t max_blocks = c.units * (c.buffers.psum_entries / strips);
    k.cols = 4 * std::uniform_int_distribution<int64_t>(1, std::min<int64_t>(max_blocks, 24))(rng);
    v.push_back(k);
  }
  return v;
}

TEST(PsumCosim, RandomComputesOfEveryPsumSequenceMatchTheSimulatorWordForWordAndCycleForCycle) {
  const AcceleratorConfig c = SplitConfig();
  std::mt19937 rng(31);
  std::vector<Case> cases = RandomCases(c, 12, rng);
  // The partial-sum buffer exactly full (8 strips x 8 slots = 64 entries), one
  // strip with one block, a column count that is not a multiple of 4V.
  cases.push_back({32, 32 * c.units, 64, 3});
  cases.push_back({2, 4, 16, 2});
  cases.push_back({6, 4 * c.units + 4, 32, 4});
  for (const Case& k : cases) CheckCase(c, k, rng, "rtl", /*compare_cycles=*/true);
}

TEST(PsumCosim, RandomStreamStallsChangeNoPartialSum) {
  const AcceleratorConfig c = SplitConfig();
  std::mt19937 rng(47);
  const std::vector<Case> cases = RandomCases(c, 8, rng);
  const char* specs[] = {"rtl:stall=0.3,seed=3", "rtl:in_stall=0.6,out_stall=0.05,seed=4", "rtl:out_stall=0.7,seed=5"};
  for (size_t i = 0; i < cases.size(); ++i) CheckCase(c, cases[i], rng, specs[i % 3], /*compare_cycles=*/false);
}

// A layer deeper than a unit's buffers: the driver splits it into three
// K-chunks; the RTL's result is the CPU reference GEMM's, its cycles the model's.
TEST(PsumCosim, LayerDeeperThanAUnitsBuffersMatchesTheCpuAndTheModelsCycles) {
  const AcceleratorConfig c = SplitConfig();
  std::mt19937 rng(5);
  const testing::RandomGemm g = testing::MakeRandomGemm(*c.method, 10, 21, 17000, rng);
  const accel::PreparedGemm p = accel::PrepareGemm(c, g.layer, g.m);
  ASSERT_TRUE(p.ok()) << p.refused;
  ASSERT_EQ(p.plan.chunks, 3);
  std::unique_ptr<accel::Backend> rtl = accel::MakeBackend("rtl", c);
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n), 99);
  accel::RunGemm(*rtl, p, g.a.data(), g.k, out.data(), g.n);
  EXPECT_EQ(out, testing::ReferenceGemm(g, c.ppu_rounding));
  EXPECT_EQ(rtl->stats().cycles.compute, rtl->model_stats()->cycles.compute);
  EXPECT_EQ(rtl->stats().cycles.total(), rtl->model_stats()->cycles.total());
  EXPECT_EQ(rtl->stats().cycles.output_beats, rtl->model_stats()->cycles.output_beats);
}

TEST(PsumCosim, DiffAndRunOnTheRtlOfAGeneratedDeepModel) {
  const std::filesystem::path dir = testing::TempDir("psum_cosim");
  const std::string g = (dir / "deep.tflite").string();
  ASSERT_EQ(testing::RunCli("gen gemm --m 6 --n 13 --k 17000 --method apot -o " + g).exit_code, 0);
  const std::string accel = std::string(" --accel ") + kSplitDesign;
  const testing::CliResult d = testing::RunCli("diff " + g + accel + " --backend rtl:stall=0.2,seed=7");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("on the rtl backend"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("BIT-EXACT"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("NOT bit-exact"), std::string::npos) << d.out;
  const testing::CliResult r = testing::RunCli("run " + g + accel + " --backend rtl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(rtl backend +0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 K-chunks"), std::string::npos) << r.out;  // first, middle, last on the RTL
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace potacc::hw
