// Hostile input #10 (../shared/docs/hostile-inputs.md): board files with
// absurd numbers, fractions where integers are meant and fields nothing reads.
// Each must end in a one-line error naming the field, never in inf/NaN
// results, a wrapped integer or a silently ignored field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "support/cli_runner.h"
#include "support/data_dir.h"
#include "test_board.h"

namespace potacc::platform {
namespace {


std::string LoadError(const std::string& path) {
  try {
    LoadBoard(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(BoardHostile, SharedFilesAreRefusedNamingTheField) {
  POTACC_REQUIRE_DATA("hostile/board_cpu_clock_1e-300.json");
  std::string err = LoadError(potacc::testing::DataPath("hostile/board_cpu_clock_1e-300.json").string());
  EXPECT_NE(err.find("cpu.clock_hz"), std::string::npos) << err;
  EXPECT_NE(err.find("plausible"), std::string::npos) << err;
  err = LoadError(potacc::testing::DataPath("hostile/board_cores_3e9.json").string());
  EXPECT_NE(err.find("cpu.cores"), std::string::npos) << err;
  EXPECT_NE(err.find("[1, 256]"), std::string::npos) << err;
}

TEST(BoardHostile, IntegersWhereIntegersAreMeant) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["cores"] = boards_for_tests::N(2.5);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("\"cpu.cores\" = 2.5 must be an integer"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["cores"] = boards_for_tests::N(-2147483648.0);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("cpu.cores"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["fpga"]["accel_units"] = boards_for_tests::N(4.5);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("\"fpga.accel_units\" = 4.5 must be an integer"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["fpga"]["accel_units"] = boards_for_tests::N(1000);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("fpga.accel_units"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["power"]["published_resources"]["int8"]["lut"] = 1000.5;
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("published_resources.int8.lut"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["power"]["published_resources"]["int8"]["bram"] = 4.5;  // 4 RAMB36 + 1 RAMB18 is a valid count
  EXPECT_EQ(boards_for_tests::BoardErrorOf(doc), "");
}

TEST(BoardHostile, EveryPlausibleLimitIsEnforced) {
  const struct {
    const char* section;
    const char* key;
    double bad;
  } cases[] = {{"cpu", "clock_hz", 1e-300},        {"cpu", "clock_hz", 1e300},
               {"cpu", "op_overhead_cycles", -1},  {"cpu", "conv_macs_per_cycle", 1e-9},
               {"host_driver", "per_command_cycles", 1e12}, {"memory", "ddr_bandwidth_bytes_per_s", 1},
               {"dma", "setup_us", -3},            {"fpga", "clock_hz", 5e9},
               {"power", "ps_idle_w", 1e6},        {"power", "logic_toggle_rate", 2}};
  for (const auto& c : cases) {
    auto doc = boards_for_tests::TestBoardJson();
    doc[c.section][c.key] = boards_for_tests::N(c.bad);
    const std::string err = boards_for_tests::BoardErrorOf(doc);
    EXPECT_NE(err.find(std::string(c.section) + "." + c.key), std::string::npos) << err;
    EXPECT_NE(err.find("plausible limits"), std::string::npos) << err;
  }
}

TEST(BoardHostile, FieldsNothingReadsAreRefused) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["dma"]["channels"] = boards_for_tests::N(4);
  std::string err = boards_for_tests::BoardErrorOf(doc);
  EXPECT_NE(err.find("dma.channels"), std::string::npos) << err;
  EXPECT_NE(err.find("not used"), std::string::npos) << err;
  doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["conv_mac_per_cycle"] = boards_for_tests::N(4);  // misspelt
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("cpu.conv_mac_per_cycle"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["gpu"] = nlohmann::json::object();
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("\"gpu\" is not a known section"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["cores"]["unit"] = "cores";
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("\"unit\" is not a known key"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["power"]["cpu_only_pl_loaded"] = boards_for_tests::N(1);  // a flag is true or false, not a number
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("true or false"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc = boards_for_tests::TestBoardJson();
  doc["_note"] = "notes starting with _ are allowed";
  doc["cpu"]["_why"] = "so are these";
  EXPECT_EQ(boards_for_tests::BoardErrorOf(doc), "");
}

TEST(BoardHostile, CompareGivesOneLineError) {
  POTACC_REQUIRE_DATA("hostile/board_cpu_clock_1e-300.json");
  for (const char* file : {"hostile/board_cpu_clock_1e-300.json", "hostile/board_cores_3e9.json"}) {
    const auto r = potacc::testing::RunCli("compare " + potacc::testing::DataPath("hostile/cnn.tflite").string() +
                                           " --no-check --board " + potacc::testing::DataPath(file).string());
    EXPECT_NE(r.exit_code, 0) << file;
    EXPECT_EQ(r.err.rfind("potacc: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out.find("inf"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace potacc::platform
