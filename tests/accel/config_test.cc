// Shipped configurations match §2.2; the loader rejects bad fields clearly.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "support/data_dir.h"
#include "support/error_text.h"

namespace potacc::accel {
namespace {

TEST(Config, ShippedV12MatchesReferenceTable) {
  struct Row {
    const char* board;
    const char* method;
    int units;
    double mhz;
    int64_t weight_addresses, banks, local, gib, wsums;
    int64_t weight_bytes_per_unit;
    bool first_conv_cpu;
  };
  const Row rows[] = {
      {"pynq-z2", "qkeras", 4, 200, 4096, 1, 2048, 8192, 128, 32768, false},
      {"pynq-z2", "apot", 4, 200, 4096, 1, 2048, 8192, 128, 32768, true},
      {"pynq-z2", "msq", 4, 200, 4096, 1, 2048, 8192, 128, 32768, false},
      {"pynq-z2", "int8", 4, 200, 2048, 2, 2048, 8192, 128, 32768, true},
      {"kv260", "qkeras", 8, 250, 24576, 1, 4096, 16384, 64, 196608, false},
      {"kv260", "apot", 8, 250, 24576, 1, 4096, 16384, 64, 196608, true},
      {"kv260", "msq", 8, 250, 24576, 1, 4096, 16384, 64, 196608, false},
      {"kv260", "int8", 8, 250, 12288, 2, 4096, 16384, 64, 196608, true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(r.board) + " " + r.method);
    const AcceleratorConfig c = ResolveAcceleratorConfig(r.method, r.board);
    EXPECT_EQ(c.name, std::string("potacc-v12-") + r.board + "-" + r.method);
    EXPECT_EQ(c.units, r.units);
    EXPECT_DOUBLE_EQ(c.clock_hz, r.mhz * 1e6);
    EXPECT_EQ(c.method->name, r.method);
    EXPECT_EQ(c.buffers.weight_addresses, r.weight_addresses);
    EXPECT_EQ(c.buffers.weight_banks, r.banks);
    EXPECT_EQ(c.buffers.local_input_addresses, r.local);
    EXPECT_EQ(c.buffers.gib_addresses, r.gib);
    EXPECT_EQ(c.buffers.wsums_entries, r.wsums);
    EXPECT_EQ(c.buffers.wsums_entries, 512 / c.units);
    // Bytes of weights per unit: 16 weights per address at code_bits each.
    EXPECT_EQ(16 * c.buffers.weight_addresses * c.code_bits() / 8, r.weight_bytes_per_unit);
    EXPECT_EQ(c.peak_macs_per_cycle(), 64 * r.units);
    EXPECT_EQ(c.first_conv_on_cpu, r.first_conv_cpu);
    EXPECT_EQ(c.accepted_ops, std::vector<BuiltinOp>{BuiltinOp::kConv2D});
    EXPECT_EQ(c.ppu_rounding, fixed_point::Rounding::kDouble);
    EXPECT_EQ(c.timing.broadcast_cycles_per_beat, 3);
    EXPECT_EQ(c.timing.dispatch_gap, 6);
    EXPECT_EQ(c.timing.pe_overhead, 13);
    EXPECT_EQ(c.timing.ppu_occupancy, 57);
  }
  // Driver depth limits of §2.2.
  EXPECT_EQ(ResolveAcceleratorConfig("apot", "pynq-z2").max_depth(), 16384);
  EXPECT_EQ(ResolveAcceleratorConfig("apot", "kv260").max_depth(), 98304);
  EXPECT_EQ(ResolveAcceleratorConfig("int8", "pynq-z2").max_depth(), 8192);
  EXPECT_EQ(ResolveAcceleratorConfig("int8", "kv260").max_depth(), 49152);
}

TEST(Config, EveryShippedConfigurationLoadsAndRoundTrips) {
  const auto names = ShippedConfigNames();
  EXPECT_GE(names.size(), 20u);
  for (const auto& n : names) {
    const AcceleratorConfig c = ResolveAcceleratorConfig(n);
    const AcceleratorConfig again = ParseAcceleratorConfig(AcceleratorConfigToJson(c), "round trip");
    EXPECT_EQ(AcceleratorConfigToJson(again), AcceleratorConfigToJson(c)) << n;
  }
  const AcceleratorConfig hls = ResolveAcceleratorConfig("potacc-hls-pynq-z2-apot");
  EXPECT_EQ(hls.timing.broadcast_cycles_per_beat, 1);
  EXPECT_EQ(hls.timing.ppu_occupancy, 29);
  const AcceleratorConfig rel = ResolveAcceleratorConfig("potacc-v12released-pynq-z2-apot");
  EXPECT_EQ(rel.ppu_rounding, fixed_point::Rounding::kSingle);
  EXPECT_EQ(rel.encoding, WeightEncoding::kReleased);
}

std::string ErrorOf(const std::string& json) {
  return testing::ErrorText([&] { ParseAcceleratorConfig(json, "my.json"); });
}

TEST(Config, BadFieldsGiveClearErrors) {
  EXPECT_NE(ErrorOf("{").find("my.json: not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"pe_method":"apot"})").find("field 'name' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"pot"})").find("unknown method 'pot'"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","units":0})").find("field 'units' must be in [1, 64]"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","unit":4})").find("field 'unit' is not a known field"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","timing":{"ppu":3}})").find("'timing.ppu' is not a known field"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","timing":{"dispatch_gap":"6"}})")
                .find("'timing.dispatch_gap' must be an integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","ppu_rounding":"up"})").find("ppu_rounding"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","accepted_ops":["ADD"]})").find("only CONV_2D, FULLY_CONNECTED, DEPTHWISE_CONV_2D and BATCH_MATMUL"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"int8","buffers":{"weight_banks":1}})").find("weight_banks"),
            std::string::npos);
  // A minimal user config uses the v12 defaults.
  const AcceleratorConfig c = ParseAcceleratorConfig(R"({"name":"mine","pe_method":"msq","units":2, "_note":"x"})", "m");
  EXPECT_EQ(c.units, 2);
  EXPECT_EQ(c.buffers.wsums_entries, 256);
  EXPECT_EQ(c.timing.ppu_occupancy, 57);
}

std::string ResolveError(const std::string& spec) {
  return testing::ErrorText([&] { ResolveAcceleratorConfig(spec); });
}

// Hostile inputs #6 and #18 (../shared/docs/hostile-inputs.md): devices, FIFOs
// and directories given as --accel grew memory without bound, blocked forever,
// or were reported as "not valid JSON".
TEST(ConfigHostile, SpecialFilesAreRefusedByName) {
  const auto dir = testing::TempDir("config_special");
  EXPECT_NE(ResolveError(dir.string()).find(dir.string() + ": is a directory"), std::string::npos);
  EXPECT_NE(ResolveError("/dev/zero").find("/dev/zero: not a regular file"), std::string::npos);
  EXPECT_NE(ResolveError("/dev/urandom").find("/dev/urandom: not a regular file"), std::string::npos);
  const std::string fifo = (dir / "fifo.json").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(ResolveError(fifo).find(fifo + ": not a regular file"), std::string::npos);  // returns, never blocks
  const std::string big = (dir / "big.json").string();
  std::ofstream(big) << std::string((1 << 20) + 1, ' ');
  EXPECT_NE(ResolveError(big).find("expected a JSON file of at most 1048576 bytes"), std::string::npos);
}

// Hostile input #17: a number too large for a double gave the JSON library's
// raw message without the file name.
TEST(ConfigHostile, NumberOverflowNamesTheFileAndField) {
  const auto dir = testing::TempDir("config_overflow");
  const std::string file = (dir / "o.json").string();
  std::ofstream(file) << R"({"name": "x", "pe_method": "apot", "timing": {"dispatch_gap": 6, "ppu_occupancy": 1e999}})";
  const std::string msg = ResolveError(file);
  EXPECT_NE(msg.find(file + ": field 'timing.ppu_occupancy': not valid JSON (number overflow parsing '1e999')"),
            std::string::npos)
      << msg;
  EXPECT_NE(ErrorOf(R"({"name": "x", "accepted_ops": ["CONV_2D", 1e400]})").find("field 'accepted_ops[1]'"),
            std::string::npos);
  // An integer beyond int64 is a range error on its field, not a wrap-around.
  EXPECT_NE(ErrorOf(R"({"name": "x", "pe_method": "apot", "units": 18446744073709551615})")
                .find("field 'units' must be in [1, 64]"),
            std::string::npos);
  const char* rel = "hostile/accel_number_overflow.json";
  POTACC_REQUIRE_DATA(rel);
  const std::string shared = testing::DataPath(rel).string();
  EXPECT_NE(ResolveError(shared).find(shared + ": field 'units': not valid JSON (number overflow"), std::string::npos)
      << ResolveError(shared);
}

TEST(Config, ResolveErrors) {
  EXPECT_THROW(ResolveAcceleratorConfig("nope"), Error);
  EXPECT_THROW(ResolveAcceleratorConfig("apot", "zedboard"), Error);
  EXPECT_THROW(ResolveAcceleratorConfig("/nonexistent/x.json"), Error);
}

}  // namespace
}  // namespace potacc::accel
