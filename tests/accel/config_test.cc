// Shipped configurations match §2.2; the loader rejects bad fields clearly.
#include <gtest/gtest.h>

#include "potacc/accel/config.h"
#include "potacc/error.h"

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

TEST(Config, EveryShippedFileLoadsAndRoundTrips) {
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
  try {
    ParseAcceleratorConfig(json, "my.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
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
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"apot","accepted_ops":["ADD"]})").find("only CONV_2D and FULLY_CONNECTED"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"name":"x","pe_method":"int8","buffers":{"weight_banks":1}})").find("weight_banks"),
            std::string::npos);
  // A minimal user config uses the v12 defaults.
  const AcceleratorConfig c = ParseAcceleratorConfig(R"({"name":"mine","pe_method":"msq","units":2, "_note":"x"})", "m");
  EXPECT_EQ(c.units, 2);
  EXPECT_EQ(c.buffers.wsums_entries, 256);
  EXPECT_EQ(c.timing.ppu_occupancy, 57);
}

TEST(Config, ResolveErrors) {
  EXPECT_THROW(ResolveAcceleratorConfig("nope"), Error);
  EXPECT_THROW(ResolveAcceleratorConfig("apot", "zedboard"), Error);
  EXPECT_THROW(ResolveAcceleratorConfig("/nonexistent/x.json"), Error);
}

}  // namespace
}  // namespace potacc::accel
