#include "potacc/platform/board.h"

#include <gtest/gtest.h>

#include <fstream>

#include "potacc/error.h"
#include "support/data_dir.h"
#include "test_board.h"

namespace potacc::platform {
namespace {

std::string ErrorOf(const nlohmann::json& doc) {
  try {
    BoardFromJson(doc, "b.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Board, ShippedBoardsLoadWithReferenceFigures) {
  const Board z2 = LoadBoard("pynq-z2");
  EXPECT_EQ(z2.name, "pynq-z2");
  EXPECT_EQ(z2.cpu.cores, 2);
  EXPECT_DOUBLE_EQ(z2.cpu.clock_hz, 650e6);       // reference §8
  EXPECT_DOUBLE_EQ(z2.fpga_clock_hz, 200e6);      // reference §2.2
  EXPECT_EQ(z2.accel_units, 4);
  EXPECT_DOUBLE_EQ(z2.power.published_resources.at("qkeras").lut, 25734);  // reference §7
  const Board kria = LoadBoard("kv260");
  EXPECT_EQ(kria.cpu.cores, 4);
  EXPECT_DOUBLE_EQ(kria.cpu.clock_hz, 1.333e9);
  EXPECT_EQ(kria.accel_units, 8);
  EXPECT_DOUBLE_EQ(kria.power.published_resources.at("int8").uram, 64);
  const auto names = ShippedBoards();
  EXPECT_NE(std::find(names.begin(), names.end(), "pynq-z2"), names.end());
}

TEST(Board, EveryShippedNumberCarriesASourceOrAssumption) {
  for (const auto& name : ShippedBoards()) {
    const Board b = LoadBoard(name);
    int numbers = 0;
    std::function<void(const nlohmann::json&, const std::string&)> walk =
        [&](const nlohmann::json& j, const std::string& path) {
          if (!j.is_object()) return;
          if (j.contains("value")) {
            ++numbers;
            EXPECT_TRUE(j.contains("source") || j.contains("assumption")) << name << ": " << path;
            return;
          }
          for (const auto& [k, v] : j.items())
            if (path.find("published_resources") == std::string::npos) walk(v, path + "." + k);
        };
    walk(b.json, name);
    EXPECT_GT(numbers, 30) << name;
  }
}

TEST(Board, BareNumberIsRefusedNamingTheField) {
  auto doc = testing::TestBoardJson();
  doc["cpu"]["clock_hz"] = 1e9;
  EXPECT_NE(ErrorOf(doc).find("cpu.clock_hz"), std::string::npos) << ErrorOf(doc);
}

TEST(Board, MissingNoteIsRefused) {
  auto doc = testing::TestBoardJson();
  doc["power"]["ps_idle_w"] = {{"value", 1.0}};
  const std::string err = ErrorOf(doc);
  EXPECT_NE(err.find("power.ps_idle_w"), std::string::npos) << err;
  EXPECT_NE(err.find("source"), std::string::npos) << err;
}

TEST(Board, MissingFieldAndBadRangesAreRefused) {
  auto doc = testing::TestBoardJson();
  doc["dma"].erase("setup_us");
  EXPECT_NE(ErrorOf(doc).find("dma.setup_us"), std::string::npos);
  doc = testing::TestBoardJson();
  doc["cpu"]["conv_macs_per_cycle"] = testing::N(0);
  EXPECT_NE(ErrorOf(doc).find("cpu.conv_macs_per_cycle"), std::string::npos);
  doc = testing::TestBoardJson();
  doc["cpu"]["thread_efficiency"] = testing::N(1.5);
  EXPECT_NE(ErrorOf(doc).find("thread_efficiency"), std::string::npos);
  doc = testing::TestBoardJson();
  doc.erase("power");
  EXPECT_NE(ErrorOf(doc).find("power"), std::string::npos);
}

TEST(Board, UnknownNameListsShippedBoards) {
  try {
    LoadBoard("no-such-board");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pynq-z2"), std::string::npos) << e.what();
  }
}

TEST(Board, LoadsAUserFileAndReportsBadJson) {
  const auto dir = potacc::testing::TempDir("board_test");
  const auto good = dir / "mine.json";
  std::ofstream(good) << testing::TestBoardJson().dump(2);
  EXPECT_EQ(LoadBoard(good.string()).name, "test-board");
  const auto bad = dir / "bad.json";
  std::ofstream(bad) << "{ not json";
  try {
    LoadBoard(bad.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos);
  }
}

TEST(Board, SetBoardValueWritesADocumentedNumber) {
  auto doc = testing::TestBoardJson();
  SetBoardValue(doc, "cpu.conv_macs_per_cycle", 3.5, "calibrated");
  const Board b = BoardFromJson(doc, "x");
  EXPECT_DOUBLE_EQ(b.cpu.conv_macs_per_cycle, 3.5);
  EXPECT_EQ(doc["cpu"]["conv_macs_per_cycle"]["source"], "calibrated");
}

}  // namespace
}  // namespace potacc::platform
