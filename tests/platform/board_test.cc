#include "potacc/platform/board.h"

#include <gtest/gtest.h>

#include <fstream>

#include "potacc/error.h"
#include "support/data_dir.h"
#include "test_board.h"

namespace potacc::platform {
namespace {


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

// Reads each shipped file as plain JSON (not through the loader) and checks
// every number: a source, or an assumption with a plausible range and its reason.
TEST(Board, EveryShippedNumberHasASourceOrAnAssumptionWithARange) {
  const auto names = ShippedBoards();
  ASSERT_GE(names.size(), 2u);
  for (const auto& name : names) {
    std::ifstream in(BoardsDir() / (name + ".json"));
    const auto doc = nlohmann::json::parse(in);
    int numbers = 0;
    std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& j,
                                                                             const std::string& path) {
      if (j.is_number()) {
        // Bare numbers are allowed only as resource counts under a noted block.
        EXPECT_NE(path.find("published_resources"), std::string::npos) << name << ": bare number at " << path;
        return;
      }
      if (!j.is_object()) return;
      const std::string block = "published_resources";
      if (path.size() >= block.size() && path.compare(path.size() - block.size(), block.size(), block) == 0) {
        EXPECT_TRUE(j.contains("source") || j.contains("assumption")) << name << ": " << path;
      }
      if (j.contains("value")) {
        ++numbers;
        const bool source = j.contains("source") && j.at("source").is_string();
        const bool assumption = j.contains("assumption") && j.at("assumption").is_string();
        EXPECT_TRUE(source || assumption) << name << ": " << path << " has neither a source nor an assumption";
        if (assumption || j.contains("range")) {
          ASSERT_TRUE(j.contains("range") && j.at("range").is_array() && j.at("range").size() == 2)
              << name << ": " << path << " is an assumption without a [low, high] range";
          const double lo = j.at("range")[0].get<double>(), hi = j.at("range")[1].get<double>();
          if (j.at("value").is_number()) {
            EXPECT_LE(lo, j.at("value").get<double>()) << name << ": " << path;
            EXPECT_GE(hi, j.at("value").get<double>()) << name << ": " << path;
          }
          EXPECT_LT(lo, hi) << name << ": " << path;
          EXPECT_TRUE(j.contains("range_reason") && !j.at("range_reason").get<std::string>().empty())
              << name << ": " << path << " has a range without its reason";
        }
        return;
      }
      for (const auto& [k, v] : j.items()) walk(v, path + "." + k);
    };
    walk(doc, name);
    EXPECT_GT(numbers, 30) << name;
    // The loader agrees: every number is read and documented.
    // (address_map: the device backend's addresses, documented the same way
    // but not numbers of the board model.)
    const Board b = LoadBoard(name);
    const int addresses = doc.contains("address_map") ? static_cast<int>(doc.at("address_map").size()) : 0;
    EXPECT_EQ(static_cast<int>(b.values.size()), numbers - addresses) << name;
  }
}

TEST(Board, AnchoredFiguresFromThePublicRecord) {
  const Board z2 = LoadBoard("pynq-z2");
  EXPECT_DOUBLE_EQ(z2.memory.ddr_bandwidth_bytes_per_s, 2.1e9);  // 16-bit DDR3 at 1050 MT/s (block design)
  EXPECT_TRUE(z2.Find("memory.ddr_bandwidth_bytes_per_s")->from_source);
  // ncnn int8 MobileNetV1 on a Zynq-7020's A9: 1.77 MAC/cycle on the conv layers.
  EXPECT_DOUBLE_EQ(z2.cpu.conv_macs_per_cycle, 1.77);
  const Board kv = LoadBoard("kv260");
  EXPECT_NEAR(kv.memory.ddr_bandwidth_bytes_per_s, 8 * 2.1333e9, 0.01e9);  // 64-bit DDR4-2133
  // ncnn MobileNetV1 on an A53: 200.50 ms / 60.01 ms on 4 threads = 1 + 3 * 0.78.
  EXPECT_NEAR(kv.cpu.thread_efficiency, (200.50 / 60.01 - 1) / 3, 0.005);
  const BoardValue* conv = kv.Find("cpu.conv_macs_per_cycle");
  ASSERT_NE(conv, nullptr);
  EXPECT_TRUE(conv->has_range);
  EXPECT_NEAR(conv->value, 568.7e6 / (0.2005 * 1.3e9), 0.05);
}

TEST(Board, BareNumberIsRefusedNamingTheField) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["clock_hz"] = 1e9;
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("cpu.clock_hz"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
}

TEST(Board, MissingNoteIsRefused) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["power"]["ps_idle_w"] = {{"value", 1.0}};
  const std::string err = boards_for_tests::BoardErrorOf(doc);
  EXPECT_NE(err.find("power.ps_idle_w"), std::string::npos) << err;
  EXPECT_NE(err.find("source"), std::string::npos) << err;
}

TEST(Board, AssumptionNeedsARangeAndItsReason) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["conv_macs_per_cycle"] = {{"value", 2.0}, {"assumption", "a guess"}};
  std::string err = boards_for_tests::BoardErrorOf(doc);
  EXPECT_NE(err.find("cpu.conv_macs_per_cycle"), std::string::npos) << err;
  EXPECT_NE(err.find("range"), std::string::npos) << err;
  doc["cpu"]["conv_macs_per_cycle"]["range"] = {1.0, 3.0};
  err = boards_for_tests::BoardErrorOf(doc);
  EXPECT_NE(err.find("range_reason"), std::string::npos) << err;
  doc["cpu"]["conv_macs_per_cycle"]["range_reason"] = "why";
  EXPECT_EQ(boards_for_tests::BoardErrorOf(doc), "");
  doc["cpu"]["conv_macs_per_cycle"]["range"] = {2.5, 3.0};  // value outside its own range
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("outside its own range"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc["cpu"]["conv_macs_per_cycle"]["range"] = {3.0, 1.0};
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("low < high"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc["cpu"]["conv_macs_per_cycle"]["range"] = {1.0, 1e9};  // beyond the field's plausible limits
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("plausible"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
  doc["cpu"]["conv_macs_per_cycle"] = {{"value", 2.0}, {"assumption", "a"}, {"source", "b"}};
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("exactly one"), std::string::npos) << boards_for_tests::BoardErrorOf(doc);
}

TEST(Board, LoadedValuesKeepNotesAndRanges) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["conv_macs_per_cycle"] = boards_for_tests::R(4, 2, 8);
  const Board b = BoardFromJson(doc, "t");
  const BoardValue* v = b.Find("cpu.conv_macs_per_cycle");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->from_source);
  EXPECT_TRUE(v->has_range);
  EXPECT_DOUBLE_EQ(v->low, 2);
  EXPECT_DOUBLE_EQ(v->high, 8);
  const Board c = BoardWithValues(b, {{"cpu.conv_macs_per_cycle", 8}, {"power.ff_pj_per_toggle", 0.25}});
  EXPECT_DOUBLE_EQ(c.cpu.conv_macs_per_cycle, 8);
  EXPECT_DOUBLE_EQ(c.power.ff_j_per_toggle, 0.25e-12);  // file units converted
  EXPECT_DOUBLE_EQ(c.Find("cpu.conv_macs_per_cycle")->high, 8);  // notes and ranges kept
  EXPECT_EQ(c.Find("cpu.conv_macs_per_cycle")->note, "test");
  EXPECT_THROW(BoardWithValues(b, {{"cpu.no_such", 1}}), Error);
  EXPECT_THROW(BoardWithValues(b, {{"cpu.cores", 2.5}}), Error);
}

TEST(Board, MissingFieldAndBadRangesAreRefused) {
  auto doc = boards_for_tests::TestBoardJson();
  doc["dma"].erase("setup_us");
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("dma.setup_us"), std::string::npos);
  doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["conv_macs_per_cycle"] = boards_for_tests::N(0);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("cpu.conv_macs_per_cycle"), std::string::npos);
  doc = boards_for_tests::TestBoardJson();
  doc["cpu"]["thread_efficiency"] = boards_for_tests::N(1.5);
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("thread_efficiency"), std::string::npos);
  doc = boards_for_tests::TestBoardJson();
  doc.erase("power");
  EXPECT_NE(boards_for_tests::BoardErrorOf(doc).find("power"), std::string::npos);
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
  std::ofstream(good) << boards_for_tests::TestBoardJson().dump(2);
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
  auto doc = boards_for_tests::TestBoardJson();
  SetBoardValue(doc, "cpu.conv_macs_per_cycle", 3.5, "calibrated");
  const Board b = BoardFromJson(doc, "x");
  EXPECT_DOUBLE_EQ(b.cpu.conv_macs_per_cycle, 3.5);
  EXPECT_EQ(doc["cpu"]["conv_macs_per_cycle"]["source"], "calibrated");
}

}  // namespace
}  // namespace potacc::platform
