// Accelerator selection on the command line: composition flags
// (--accel METHOD --board B --family F) on run, diff, compare and demo, and
// special files given as --accel (hostile inputs #6, #18).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

class AccelConfigCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(TempDir("cli_accel_config"));
    model_ = new std::string((*dir_ / "g.tflite").string());
    const auto r = RunCli("gen gemm --m 8 --n 16 --k 32 --method apot -o " + *model_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static std::filesystem::path* dir_;
  static std::string* model_;
};
std::filesystem::path* AccelConfigCliTest::dir_ = nullptr;
std::string* AccelConfigCliTest::model_ = nullptr;

TEST_F(AccelConfigCliTest, MethodBoardAndFamilyCompose) {
  const std::string json = (*dir_ / "run.json").string();
  const auto r = RunCli("run " + *model_ + " --accel apot --board kv260 --family potacc-hls --first-conv accel --json " +
                        json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  EXPECT_EQ(j["config"], "potacc-hls-kv260-apot") << j.dump();
  EXPECT_EQ(j["board"], "kv260");
  EXPECT_EQ(j["units"], 8);
  const auto d = RunCli("diff " + *model_ + " --accel apot --family potacc-v12released --first-conv accel");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("potacc-v12released-pynq-z2-apot"), std::string::npos) << d.out;
  // A name fixes its family: a different --family is refused, not ignored.
  ExpectOneLineError(RunCli("run " + *model_ + " --accel potacc-v12-pynq-z2-apot --family potacc-hls"),
                     "--family applies only to a method name");
  ExpectOneLineError(RunCli("run " + *model_ + " --accel apot --family potacc-nope"),
                     "unknown accelerator family 'potacc-nope'");
  ExpectOneLineError(RunCli("run " + *model_ + " --accel ''"), "--accel: must not be empty");
}

TEST_F(AccelConfigCliTest, CompareAndDemoTakeTheFamily) {
  const std::string json = (*dir_ / "compare.json").string();
  const auto c = RunCli("compare " + *model_ + " --board kv260 --family potacc-hls --methods apot --json " + json);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  EXPECT_EQ(j["accel_family"], "potacc-hls") << j.dump();
  EXPECT_NE(j.dump().find("potacc-hls-kv260-apot"), std::string::npos);
  // The old spelling still works.
  EXPECT_EQ(RunCli("compare " + *model_ + " --accel-family potacc-v12released --methods apot").exit_code, 0);
  ExpectOneLineError(RunCli("compare " + *model_ + " --family potacc-nope"), "unknown accelerator family");
  // demo checks the board and family before writing anything.
  const std::string out = (*dir_ / "demo").string();
  ExpectOneLineError(RunCli("demo --quick --family potacc-nope --out " + out), "unknown accelerator family");
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Hostile inputs #6 and #18: special files as --accel.
TEST_F(AccelConfigCliTest, SpecialFilesAsAccelAreRefused) {
  ExpectOneLineError(RunCli("run " + *model_ + " --accel /dev/zero"), "/dev/zero: not a regular file");
  ExpectOneLineError(RunCli("diff " + *model_ + " --accel /dev/urandom"), "not a regular file");
  ExpectOneLineError(RunCli("run " + *model_ + " --accel " + dir_->string()), "is a directory");
  const std::string fifo = (*dir_ / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ExpectOneLineError(RunCli("run " + *model_ + " --accel " + fifo), "not a regular file");
  // #17: the file and the field of a number that overflows a double.
  const char* rel = "hostile/accel_number_overflow.json";
  POTACC_REQUIRE_DATA(rel);
  ExpectOneLineError(RunCli("run " + *model_ + " --accel " + DataPath(rel).string()),
                     DataPath(rel).string() + ": field 'units': not valid JSON (number overflow");
}

}  // namespace
}  // namespace potacc::testing
