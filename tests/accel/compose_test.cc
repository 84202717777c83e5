// Composition of accelerator configurations (family x board x method).
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <nlohmann/json.hpp>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "support/data_dir.h"
#include "support/error_text.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/tiling.h"
#include "potacc/accel/timing.h"
#include "potacc/platform/compare.h"
#include "potacc/platform/synthetic.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::accel {
namespace {

// A test-only mode, registered as the code implementing a mode would.
POTACC_REGISTER_ACCEL_MODE({"test_epilogue_words", "words pushed per dispatch (test only)", 3, 1, 16});
POTACC_REGISTER_ACCEL_MODE({"test_broadcast", "a test-only flag", 0, 0, 1});

using testing::ErrorText;

std::string Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

// FNV-1a, 64 bit.
struct Hasher {
  uint64_t h = 1469598103934665603ull;
  void Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void Add(int64_t v) { Bytes(&v, sizeof v); }
  void Add(const std::string& s) {
    Add(static_cast<int64_t>(s.size()));
    Bytes(s.data(), s.size());
  }
};

// Every value of the configuration, as the JSON form prints it.
uint64_t ConfigFingerprint(const AcceleratorConfig& c) {
  Hasher h;
  h.Add(AcceleratorConfigToJson(c));
  return h.h;
}

void AddCompute(Hasher& h, const ComputeTiming& t) {
  h.Add(t.cycles);
  h.Add(t.post_drain);
  h.Add(t.output_beats);
  for (const UnitActivity& u : t.units) {
    h.Add(u.pe_busy);
    h.Add(u.ppu_busy);
    h.Add(u.tiles);
  }
}

void AddRun(Hasher& h, const AccelRun& run, std::span<const uint8_t> output) {
  h.Bytes(output.data(), output.size());
  for (const LayerStats& l : run.layers) {
    h.Add(l.device);
    h.Add(l.reason);
    for (int64_t v : {l.rk, l.rn, l.rm, l.col_inc, l.row_inc, l.row_tiles, l.col_tiles, l.weight_loads,
                      l.cycles.config, l.cycles.load_input, l.cycles.load_weights, l.cycles.compute, l.cycles.nop,
                      l.cycles.post_drain, l.cycles.output_beats, l.host.im2col_bytes, l.host.input_pack_bytes,
                      l.host.output_scatter_bytes, l.host.row_split_copies, l.host.commands, l.host.dma_transfers,
                      l.bytes_to_accel, l.bytes_from_accel, l.preload_weight_bytes})
      h.Add(v);
  }
}

// What the configuration does: command timing over a set of shapes, tiling,
// and whole single-GEMM model runs (outputs and every per-layer counter).
uint64_t BehaviourFingerprint(const AcceleratorConfig& c) {
  Hasher h;
  const int64_t wide = 4 * (3 * c.units + 1);
  for (auto [rows, cols, rk] : {std::array<int64_t, 3>{4, 4, 16}, {6, 20, 48}, {36, 72, 176}, {64, 64, 1024},
                                {2, wide, 32}, {130, wide, 400}})
    AddCompute(h, TimeCompute(c, rows, cols, rk));
  h.Add(ConfigCycles(c));
  h.Add(LoadInputCycles(c, 36, 176));
  h.Add(LoadWeightCycles(c, 5, 176));
  h.Add(NopCycles(c));
  for (auto [m, n, k] : {std::array<int64_t, 3>{50, 40, 72}, {3000, 600, 2000}, {100, 70, 20000}}) {
    const TilePlan p = PlanTiles(c, m, n, k);
    for (int64_t v : {p.rk, p.rn, p.rm, p.col_inc, p.row_inc, static_cast<int64_t>(p.tiles.size())}) h.Add(v);
    h.Add(p.refused);
  }
  for (auto [m, n, k] : {std::array<int, 3>{50, 40, 72}, {16, 136, 600}}) {
    const Model model = platform::MakeSyntheticGemm(m, n, k, std::string(c.method->name), 3);
    const platform::TensorBytes inputs = platform::DeterministicInputs(model, 5);
    for (bool first_conv_on_cpu : {c.first_conv_on_cpu, false}) {
      AcceleratorConfig run_config = c;
      run_config.first_conv_on_cpu = first_conv_on_cpu;
      AcceleratorDelegate delegate(model, run_config);
      Interpreter interp(model);
      delegate.Install(interp);
      interp.Prepare();
      interp.SetInput(0, inputs[0]);
      interp.Invoke();
      if (!first_conv_on_cpu) {
        EXPECT_EQ(delegate.run().accel_layers(), 1) << c.name << " " << m << "x" << n << "x" << k;
      }
      AddRun(h, delegate.run(), interp.Output(0));
    }
  }
  return h.h;
}

// The 30 configurations shipped as separate files up to commit 53412b1 (the
// last tree with configs/accel/<family>-<board>-<method>.json): fingerprints of
// every value (AcceleratorConfigToJson) and of the behaviour
// (BehaviourFingerprint) of each file as that commit's loader and simulator
// saw it, except the potacc-hls values, which changed on purpose when the
// family gained BATCH_MATMUL and the matmul_operand_quant mode (issue 12; their
// behaviour fingerprints are unchanged). Set POTACC_PRINT_FINGERPRINTS=1 to
// print the current values.
struct Legacy {
  const char* name;
  uint64_t config, behaviour;
};
const Legacy kLegacy[] = {
    {"potacc-hls-kv260-apot", 0x1260ca9fd1646000ull, 0xeee2884004034782ull},
    {"potacc-hls-kv260-int8", 0x98751230c67fd43dull, 0x754c12ae46082da6ull},
    {"potacc-hls-kv260-msq", 0x974350a761cec0bcull, 0xd49d7fc78920590full},
    {"potacc-hls-kv260-qkeras", 0xaeac504497d40fb3ull, 0xfc793e6cb4410192ull},
    {"potacc-hls-kv260-uniform4", 0x3694fe315eb2e2c6ull, 0xadaf6b0b62d22e43ull},
    {"potacc-hls-pynq-z2-apot", 0x2bd4849715218a60ull, 0xe029ae7db1389244ull},
    {"potacc-hls-pynq-z2-int8", 0x1ad3ba445c651f87ull, 0x1a1c813166776341ull},
    {"potacc-hls-pynq-z2-msq", 0x2ee6e9a785b7785cull, 0xc92f22d881d76479ull},
    {"potacc-hls-pynq-z2-qkeras", 0x57b075b96838f7cfull, 0x9937f6df686b66a8ull},
    {"potacc-hls-pynq-z2-uniform4", 0x478e04e775014050ull, 0x5f6514b76b87d9a9ull},
    {"potacc-v12-kv260-apot", 0x51e0c725f09f29aaull, 0x9b4a6dc357f61cb7ull},
    {"potacc-v12-kv260-int8", 0x5c3c27f707a3bea1ull, 0xa9af4eb9b947ae67ull},
    {"potacc-v12-kv260-msq", 0x706e3ae242b7c87eull, 0x3721fdf8023705aeull},
    {"potacc-v12-kv260-qkeras", 0x038412af805e9eefull, 0x86c2403eaa770d95ull},
    {"potacc-v12-kv260-uniform4", 0xcb1a5077d6798fc2ull, 0x71747eee7c364534ull},
    {"potacc-v12-pynq-z2-apot", 0xdf90df91a184cfbaull, 0xa54196484be81053ull},
    {"potacc-v12-pynq-z2-int8", 0x36f5e61b106f5c83ull, 0x2596a35711c7c290ull},
    {"potacc-v12-pynq-z2-msq", 0x3bbc25a0b23b010aull, 0x83cc8795a8417d94ull},
    {"potacc-v12-pynq-z2-qkeras", 0x578d0d1ece61be87ull, 0xd7a7826d017466bfull},
    {"potacc-v12-pynq-z2-uniform4", 0x3670842d710d6d3cull, 0xdb1ae88c2c6a5b3eull},
    {"potacc-v12released-kv260-apot", 0x03b5c1f445fe9647ull, 0xa3926b3c4b55ccd8ull},
    {"potacc-v12released-kv260-int8", 0x0a92376932d10236ull, 0xb0462d7a13edad2full},
    {"potacc-v12released-kv260-msq", 0xf0ecec738b2f979full, 0xe653406e6d3d4ca9ull},
    {"potacc-v12released-kv260-qkeras", 0x7cb1acf2a1aa0c74ull, 0x925edaa0045be187ull},
    {"potacc-v12released-kv260-uniform4", 0x919aa962b682f7f1ull, 0x4e4fff9715fb69b7ull},
    {"potacc-v12released-pynq-z2-apot", 0x23e03a5d9ef07667ull, 0x73a8c31a66709866ull},
    {"potacc-v12released-pynq-z2-int8", 0xf8acbc42b5568e10ull, 0x3b24f8d4715957a8ull},
    {"potacc-v12released-pynq-z2-msq", 0x0615ad7393fd8077ull, 0x0966ef3a3bdfaed3ull},
    {"potacc-v12released-pynq-z2-qkeras", 0xa952852a6f7b1dccull, 0xf1916ce028eca338ull},
    {"potacc-v12released-pynq-z2-uniform4", 0xfecea8c8145c717full, 0x98d3a1a506c06831ull},
};

TEST(Compose, EveryOldNameResolvesToTheSameValuesAndBehaviour) {
  const bool print = std::getenv("POTACC_PRINT_FINGERPRINTS") != nullptr;
  std::vector<std::string> legacy_names;
  for (const Legacy& l : kLegacy) {
    SCOPED_TRACE(l.name);
    legacy_names.push_back(l.name);
    const AcceleratorConfig c = ResolveAcceleratorConfig(l.name);
    EXPECT_EQ(c.name, l.name);
    const uint64_t config = ConfigFingerprint(c), behaviour = BehaviourFingerprint(c);
    if (print)
      std::printf("    {\"%s\", 0x%016llxull, 0x%016llxull},\n", l.name, static_cast<unsigned long long>(config),
                  static_cast<unsigned long long>(behaviour));
    EXPECT_EQ(config, l.config) << AcceleratorConfigToJson(c);
    EXPECT_EQ(behaviour, l.behaviour);
  }
  // The shipped compositions are these 30 names, the icecs-v2 family's two
  // (PYNQ-Z2 only) and the potacc-x family (issue 13: beyond the reference) on
  // both boards with every method.
  std::vector<std::string> expected = legacy_names, x_names;
  expected.insert(expected.end(), {"icecs-v2-pynq-z2-int8", "icecs-v2-pynq-z2-qkeras"});
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> others;
  for (const std::string& n : ShippedConfigNames()) (n.rfind("potacc-x-", 0) == 0 ? x_names : others).push_back(n);
  EXPECT_EQ(others, expected);
  EXPECT_EQ(x_names.size(), 10u);
}

TEST(Compose, MethodBoardAndFamilyComposeLikeTheFullName) {
  for (const std::string& name : ShippedConfigNames()) {
    const AcceleratorConfig c = ResolveAcceleratorConfig(name);
    const std::string method(c.method->name);
    const std::string family = name.substr(0, name.size() - c.board.size() - method.size() - 2);
    const AcceleratorConfig composed = ResolveAcceleratorConfig(method, c.board, family);
    EXPECT_EQ(AcceleratorConfigToJson(composed), AcceleratorConfigToJson(c)) << name;
  }
}

TEST(Compose, UserFileOverridesAnyFieldOfAComposition) {
  const auto dir = testing::TempDir("compose_user");
  const std::string file = Write(dir / "slow-ppu.json", R"({
    "family": "potacc-hls", "board": "kv260", "method": "apot",
    "timing": {"ppu_occupancy": 40, "ppu_output_latency": 39},
    "buffers": {"gib_addresses": 4096},
    "_why": "notes are allowed"
  })");
  const AcceleratorConfig c = ResolveAcceleratorConfig(file);
  const AcceleratorConfig base = ResolveAcceleratorConfig("potacc-hls-kv260-apot");
  EXPECT_EQ(c.name, "potacc-hls-kv260-apot+slow-ppu");
  EXPECT_EQ(c.source_path, file);
  EXPECT_EQ(c.timing.ppu_occupancy, 40);
  EXPECT_EQ(c.timing.ppu_output_latency, 39);
  EXPECT_EQ(c.buffers.gib_addresses, 4096);
  // Everything else is the composition's.
  AcceleratorConfig expect = base;
  expect.name = c.name;
  expect.source_path = c.source_path;
  expect.timing.ppu_occupancy = 40;
  expect.timing.ppu_output_latency = 39;
  expect.buffers.gib_addresses = 4096;
  EXPECT_EQ(AcceleratorConfigToJson(c), AcceleratorConfigToJson(expect));

  // A file that leaves family/board/method open takes them from the choice.
  const std::string open = Write(dir / "open.json", R"({"method": "int8", "timing": {"nop_cycles": 5}})");
  const AcceleratorConfig o = ResolveAcceleratorConfig(open, AcceleratorChoice{"kv260", "potacc-v12released", true});
  EXPECT_EQ(o.name, "potacc-v12released-kv260-int8+open");
  EXPECT_EQ(o.timing.nop_cycles, 5);
  EXPECT_EQ(o.units, 8);
  EXPECT_EQ(o.encoding, WeightEncoding::kReleased);
  // ... but an explicit choice that contradicts the file is refused, not ignored.
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig(file, AcceleratorChoice{"pynq-z2", "", true}); })
                .find("--board applies only to a method name"),
            std::string::npos);
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("potacc-hls-kv260-apot", AcceleratorChoice{"", "potacc-v12", true}); })
                .find("--family applies only to a method name"),
            std::string::npos);
  // A user layer names its own file in errors.
  const std::string bad = Write(dir / "bad.json", R"({"method": "apot", "timing": {"ppu": 3}})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig(bad); }).find(bad + ": field 'timing.ppu' is not a known field"),
            std::string::npos);
  const std::string pe = Write(dir / "pe.json", R"({"method": "apot", "pe_method": "msq"})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig(pe); }).find("'pe_method' cannot be overridden"), std::string::npos);
}

TEST(Compose, TheBoardFileHoldsClockAndUnits) {
  // A board file with another clock and unit count: the composition takes
  // both from it (one place for each fact), and derives WSUMS_BUF_LEN.
  const auto dir = testing::TempDir("compose_board");
  nlohmann::json board = nlohmann::json::parse(std::ifstream(platform::BoardsDir() / "pynq-z2.json"));
  board["name"] = "slow-z2";
  board["fpga"]["clock_hz"]["value"] = 150e6;
  board["fpga"]["accel_units"]["value"] = 2;
  const std::string file = Write(dir / "slow-z2.json", board.dump());
  const AcceleratorConfig c = ResolveAcceleratorConfig("msq", file, "potacc-v12");
  EXPECT_EQ(c.name, "potacc-v12-slow-z2-msq");
  EXPECT_EQ(c.units, 2);
  EXPECT_DOUBLE_EQ(c.clock_hz, 150e6);
  EXPECT_EQ(c.buffers.wsums_entries, 256);
  EXPECT_EQ(c.buffers.weight_addresses, 4096);  // the pynq-z2 geometry
  EXPECT_NE(c.description.find("2 GEMM units @ 150 MHz"), std::string::npos) << c.description;
  const platform::Board b = platform::LoadBoard(file);
  EXPECT_NO_THROW(platform::CheckAcceleratorFitsBoard(c, b));
  const AcceleratorConfig shipped = ResolveAcceleratorConfig("potacc-v12-pynq-z2-msq");
  EXPECT_NE(ErrorText([&] { platform::CheckAcceleratorFitsBoard(shipped, b); }).find("does not match board slow-z2"),
            std::string::npos);
  // Shipped compositions agree with their board files by construction.
  for (const char* name : {"pynq-z2", "kv260"}) {
    const platform::Board sb = platform::LoadBoard(name);
    const AcceleratorConfig sc = ResolveAcceleratorConfig("apot", name);
    EXPECT_EQ(sc.units, sb.accel_units);
    EXPECT_EQ(sc.clock_hz, sb.fpga_clock_hz);
  }
}

TEST(Compose, FamiliesExtendRestrictAndCarryModes) {
  // An ICECS-like family: its own designs, one board with its own buffer
  // geometry, one method, and family modes.
  const auto dir = testing::TempDir("compose_family");
  const std::string fam = Write(dir / "my-icecs.json", R"J({
    "family": "my-icecs",
    "description": "weights broadcast",
    "methods": {"qkeras": {"design": "VM_SHIFT_V2_0 (QKERAS)"}},
    "boards": {"pynq-z2": {"config": {"buffers": {"weight_words": 16384}}}},
    "config": {"modes": {"test_broadcast": true, "test_epilogue_words": 9}, "ppu_rounding": "single"}
  })J");
  const AcceleratorConfig c = ResolveAcceleratorConfig("qkeras", "pynq-z2", fam);
  EXPECT_EQ(c.name, "my-icecs-pynq-z2-qkeras");
  EXPECT_EQ(c.description, "VM_SHIFT_V2_0 (QKERAS); PYNQ-Z2 (xc7z020-1), 4 GEMM units @ 200 MHz; weights broadcast");
  EXPECT_EQ(c.buffers.weight_addresses, 16384);
  EXPECT_TRUE(c.Flag("test_broadcast"));
  EXPECT_EQ(c.Mode("test_epilogue_words"), 9);
  EXPECT_EQ(ResolveAcceleratorConfig("qkeras").Mode("test_epilogue_words"), 3);  // the registered default
  EXPECT_THROW(c.Mode("no_such_mode"), Error);
  // Modes survive the flat JSON form.
  EXPECT_EQ(AcceleratorConfigToJson(ParseAcceleratorConfig(AcceleratorConfigToJson(c), "round trip")),
            AcceleratorConfigToJson(c));
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("qkeras", "kv260", fam); })
                .find("family my-icecs exists only for board(s) pynq-z2, not kv260"),
            std::string::npos);
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", fam); }).find("has no 'apot' design"),
            std::string::npos);

  // A family extending a shipped one; null removes an inherited method.
  const std::string child = Write(dir / "child.json", R"({
    "extends": "potacc-hls", "methods": {"uniform4": null}, "config": {"timing": {"dispatch_gap": 8}}
  })");
  const AcceleratorConfig k = ResolveAcceleratorConfig("apot", "kv260", child);
  EXPECT_EQ(k.name, "child-kv260-apot");
  EXPECT_EQ(k.timing.dispatch_gap, 8);
  EXPECT_EQ(k.timing.ppu_occupancy, 29);  // from potacc-hls
  EXPECT_TRUE(k.first_conv_on_cpu);      // from potacc-v12's apot entry
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("uniform4", "kv260", child); }).find("has no 'uniform4' design"),
            std::string::npos);

  // Errors name the family file and the field in it.
  const std::string loop = Write(dir / "loop.json", R"({"extends": "loop.json"})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", loop); }).find("forms a loop"),
            std::string::npos);
  const std::string units = Write(dir / "units.json", R"({"config": {"units": 16}})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", units); })
                .find(units + ": field 'config.units' cannot be set here; it comes from the board file"),
            std::string::npos);
  const std::string typo = Write(dir / "typo.json", R"({"methods": {"apot": {"config": {"timing": {"pe_overhed": 3}}}}})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", typo); })
                .find(typo + ": field 'methods.apot.config.timing.pe_overhed' is not a known field"),
            std::string::npos);
  const std::string mode = Write(dir / "mode.json", R"({"config": {"modes": {"no_such_mode": true}}})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", mode); })
                .find("'config.modes.no_such_mode' is not a mode any code implements"),
            std::string::npos);
  const std::string range = Write(dir / "range.json", R"({"config": {"modes": {"test_epilogue_words": 99}}})");
  EXPECT_NE(ErrorText([&] { ResolveAcceleratorConfig("apot", "pynq-z2", range); }).find("must be in [1, 16]"),
            std::string::npos);
  EXPECT_NE(ErrorText([] { ResolveAcceleratorConfig("apot", "pynq-z2", "potacc-nope"); })
                .find("unknown accelerator family 'potacc-nope'"),
            std::string::npos);
}

TEST(Compose, ShippedFamiliesAreNamedLikeTheirFiles) {
  const std::vector<std::string> families = ShippedFamilies();
  EXPECT_EQ(families, (std::vector<std::string>{"icecs-v2", "potacc-hls", "potacc-v12", "potacc-v12released", "potacc-x"}));
  for (const std::string& f : families) {
    const nlohmann::json doc =
        nlohmann::json::parse(std::ifstream(ShippedConfigDir() + "/families/" + f + ".json"));
    EXPECT_EQ(doc.value("family", ""), f);
  }
}

}  // namespace
}  // namespace potacc::accel
