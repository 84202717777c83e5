// run/eval --threads and --isa through the tool: identical bytes for any
// thread count and kernel variant, validated flags, and hostile input #3
// (eval --threads 1000 under an address-space limit).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "potacc/kernels/gemm.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"
#include "support/scoped_env.h"

namespace potacc::testing {
namespace {

class ThreadsCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(TempDir("threads_cli"));
    ASSERT_EQ(RunCli("gen cnn -o " + Model()).exit_code, 0);
    // 12 images in CIFAR-10's binary format (label byte + 3072 pixels).
    std::ofstream bin(Data(), std::ios::binary);
    for (int i = 0; i < 12; ++i) {
      bin.put(static_cast<char>(i % 10));
      for (int p = 0; p < 3072; ++p) bin.put(static_cast<char>((p * (i + 7) + i) & 0xff));
    }
  }
  static std::string Model() { return (*dir_ / "cnn.tflite").string(); }
  static std::string Data() { return (*dir_ / "test_batch.bin").string(); }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ThreadsCliTest::dir_ = nullptr;

TEST_F(ThreadsCliTest, RunOutputsIdenticalForAnyThreadCountAndIsa) {
  const auto ref = (*dir_ / "ref.bin").string();
  ASSERT_EQ(RunCli("run " + Model() + " --isa portable --save-output " + ref).exit_code, 0);
  std::vector<std::string> variants = {"--threads 2", "--threads 3 --repeat 3"};
  for (kernels::Isa isa : kernels::SupportedIsas()) variants.push_back(std::string("--isa ") + kernels::IsaName(isa));
  for (const auto& v : variants) {
    const auto out = (*dir_ / "out.bin").string();
    const auto r = RunCli("run " + Model() + " " + v + " --save-output " + out);
    ASSERT_EQ(r.exit_code, 0) << v << ": " << r.err;
    EXPECT_EQ(Slurp(out), Slurp(ref)) << v;
  }
}

// POTACC_ISA selects the variant as --isa does (same bytes); a variant this
// CPU cannot run, or an unknown name, is a one-line error.
TEST_F(ThreadsCliTest, IsaEnvironmentVariableSelectsTheVariant) {
  const auto ref = (*dir_ / "ref_env.bin").string();
  ASSERT_EQ(RunCli("run " + Model() + " --isa portable --save-output " + ref).exit_code, 0);
  for (kernels::Isa isa : kernels::SupportedIsas()) {
    const ScopedEnv env(kernels::kIsaEnv, kernels::IsaName(isa));
    const auto out = (*dir_ / "out_env.bin").string(), json = (*dir_ / "env.json").string();
    const auto r = RunCli("run " + Model() + " --save-output " + out + " --json " + json);
    ASSERT_EQ(r.exit_code, 0) << kernels::IsaName(isa) << ": " << r.err;
    EXPECT_EQ(nlohmann::json::parse(Slurp(json))["inputs"][0]["isa"], kernels::IsaName(isa));
    EXPECT_EQ(Slurp(out), Slurp(ref)) << kernels::IsaName(isa);
  }
  for (const char* bad : {"sse9", kernels::IsaCompiled(kernels::Isa::kAvx2) ? "neon" : "avx2"}) {
    const ScopedEnv env(kernels::kIsaEnv, bad);
    const auto r = RunCli("run " + Model());
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_EQ(r.err.rfind(std::string("potacc: error: ") + kernels::kIsaEnv + ": ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_F(ThreadsCliTest, RunJsonRecordsTimesThreadsIsaAndProfile) {
  const auto json = (*dir_ / "run.json").string();
  const auto r = RunCli("run " + Model() + " --repeat 4 --profile --threads 2 --json " + json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CONV_2D"), std::string::npos) << r.out;  // the profile table
  const auto entry = nlohmann::json::parse(Slurp(json))["inputs"][0];
  EXPECT_EQ(entry["times_ms"].size(), 4u);
  EXPECT_EQ(entry["cpu_times_ms"].size(), 4u);
  EXPECT_EQ(entry["isa"], kernels::IsaName(kernels::BestIsa()));
  EXPECT_EQ(entry["threads"], std::min(2, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_TRUE(entry["operators_ms"].contains("CONV_2D"));
}

TEST_F(ThreadsCliTest, EvalPredictionsIdenticalForAnyThreadCount) {
  std::vector<nlohmann::json> predictions;
  for (const char* flags : {"--threads 1", "--threads 2", "--threads 2 --limit 1", "--isa portable"}) {
    const auto json = (*dir_ / "eval.json").string();
    const auto r = RunCli("eval " + Model() + " --data " + Data() + " " + flags + " --json " + json);
    ASSERT_EQ(r.exit_code, 0) << flags << ": " << r.err;
    predictions.push_back(nlohmann::json::parse(Slurp(json))["predictions"]);
  }
  EXPECT_EQ(predictions[1], predictions[0]);
  EXPECT_EQ(predictions[2][0], predictions[0][0]);
  EXPECT_EQ(predictions[3], predictions[0]);
}

TEST_F(ThreadsCliTest, BadThreadAndIsaFlagsAreOneLineErrors) {
  for (const char* flags : {"--threads 0", "--threads -3", "--threads 100000", "--isa avx9", "--isa neon"}) {
    for (const char* cmd : {"run ", "eval "}) {
      const std::string data = std::string(cmd) == "eval " ? " --data " + Data() : "";
      const auto r = RunCli(cmd + Model() + data + " " + flags);
      EXPECT_NE(r.exit_code, 0) << cmd << flags;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << flags << ": " << r.err;
    }
  }
  const auto r = RunCli("run " + Model() + " --isa avx9");
  EXPECT_NE(r.err.find("unknown instruction set 'avx9'"), std::string::npos) << r.err;
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
// Hostile input #3: 1000 threads under `ulimit -v 2000000` (2 GB). The
// threads are capped to the processors (said on stderr) and the run ends
// normally; before, 300 threads exhausted the limit and std::terminate fired.
TEST_F(ThreadsCliTest, EvalThousandThreadsUnderAddressSpaceLimit) {
  const auto out = (*dir_ / "h3.out").string(), err = (*dir_ / "h3.err").string();
  const std::string cmd = "sh -c 'ulimit -v 2000000 && exec " + CliPath() + " eval " + Model() + " --data " +
                          Data() + " --threads 1000' >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal: " << Slurp(err);
  EXPECT_EQ(WEXITSTATUS(status), 0) << Slurp(err);
  EXPECT_EQ(Slurp(out).rfind("top1=", 0), 0u) << Slurp(out);
  EXPECT_NE(Slurp(err).find("--threads 1000 capped"), std::string::npos) << Slurp(err);
}
#endif

}  // namespace
}  // namespace potacc::testing
