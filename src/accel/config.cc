#include "potacc/accel/config.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <nlohmann/json.hpp>

#include "config_internal.h"
#include "potacc/accel/timing.h"
#include "potacc/error.h"
#include "potacc/util/json_text.h"
#include "potacc/util/source_tree.h"

namespace potacc::accel {
namespace {

using config_internal::FieldReader;
using config_internal::ParseDocument;
using config_internal::ParseFields;
using nlohmann::json;

// ---- modes

struct ModeRegistry {
  std::mutex mu;
  std::map<std::string, ModeSpec> specs;
};
ModeRegistry& Modes() {
  static ModeRegistry r;
  return r;
}

std::string KnownModeNames() {
  std::string names;
  for (const ModeSpec& m : AcceleratorModes()) names += (names.empty() ? "" : ", ") + m.name;
  return names.empty() ? "none registered" : names;
}

std::map<std::string, int64_t> ParseModes(FieldReader m) {
  std::map<std::string, int64_t> modes;
  for (auto it = m.object().begin(); it != m.object().end(); ++it) {
    const std::string& name = it.key();
    if (FieldReader::IsNote(name)) continue;
    const auto specs = AcceleratorModes();
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const ModeSpec& s) { return s.name == name; });
    if (spec == specs.end()) m.Fail("is not a mode any code implements (known: " + KnownModeNames() + ")", name);
    int64_t value = 0;
    if (spec->is_flag() && it->is_boolean()) value = m.Bool(name, false) ? 1 : 0;
    else value = m.Int(name, spec->default_value, spec->min, spec->max);
    modes[name] = value;
  }
  m.Finish();
  return modes;
}

// ---- the flat form

const char* TimingModelName(TimingParams::Model m) {
  switch (m) {
    case TimingParams::Model::kEvent: return "event";
    case TimingParams::Model::kClosedForm: return "closed_form";
    case TimingParams::Model::kCycle: return "cycle";
  }
  return "event";
}

BuiltinOp ParseOp(const std::string& name, FieldReader& r) {
  if (name == "CONV_2D") return BuiltinOp::kConv2D;
  if (name == "FULLY_CONNECTED") return BuiltinOp::kFullyConnected;
  if (name == "DEPTHWISE_CONV_2D") return BuiltinOp::kDepthwiseConv2D;
  if (name == "BATCH_MATMUL") return BuiltinOp::kBatchMatMul;
  r.Fail("lists '" + name + "'; the driver lowers only CONV_2D, FULLY_CONNECTED, DEPTHWISE_CONV_2D and BATCH_MATMUL",
         "accepted_ops");
}

const quant::Method& ParseMethod(FieldReader& r) {
  const std::string m = r.RequiredString("pe_method");
  const quant::Method* method = quant::FindMethod(m);
  if (!method) {
    std::string valid;
    for (const auto* x : quant::AllMethods()) valid += (valid.empty() ? "" : ", ") + std::string(x->name);
    r.Fail("names unknown method '" + m + "' (valid: " + valid + ")", "pe_method");
  }
  return *method;
}

void ParseBuffers(FieldReader b, AcceleratorConfig& c) {
  BufferGeometry& g = c.buffers;
  g.weight_banks = static_cast<int>(b.Int("weight_banks", c.method->code_bits == 8 ? 2 : 1, 1, 2));
  // The weight buffer is given either per bank (weight_addresses) or as the
  // unit's 64-bit words over all banks (weight_words, a board fact that is the
  // same for 4-bit and INT8 designs, §2.2); weight_addresses wins.
  const int64_t words = b.Int("weight_words", 0, 4, int64_t{1} << 24);
  if (b.Has("weight_addresses")) {
    g.weight_addresses = b.Int("weight_addresses", g.weight_addresses, 4, int64_t{1} << 24);
  } else if (words > 0) {
    if (words % g.weight_banks != 0)
      b.Fail("(" + std::to_string(words) + ") must split evenly into " + std::to_string(g.weight_banks) + " banks",
             "weight_words");
    g.weight_addresses = words / g.weight_banks;
  }
  g.local_input_addresses = b.Int("local_input_addresses", g.local_input_addresses, 4, int64_t{1} << 24);
  g.gib_addresses = b.Int("gib_addresses", g.gib_addresses, 4, int64_t{1} << 26);
  g.wsums_entries = b.Int("wsums_entries", std::max(1, 512 / c.units), 1, int64_t{1} << 20);
  g.psum_entries = b.Int("psum_entries", 0, 0, int64_t{1} << 20);
  b.Finish();
}

void ParseTiming(FieldReader t, TimingParams& p) {
  const std::string model = t.String("model", "event");
  if (model == "event") p.model = TimingParams::Model::kEvent;
  else if (model == "closed_form") p.model = TimingParams::Model::kClosedForm;
  else if (model == "cycle") p.model = TimingParams::Model::kCycle;
  else t.Fail("must be \"event\", \"closed_form\" or \"cycle\"", "model");
  auto I = [&](const char* k, int& field, int lo, int hi) { field = static_cast<int>(t.Int(k, field, lo, hi)); };
  I("broadcast_cycles_per_beat", p.broadcast_cycles_per_beat, 1, 64);
  I("broadcast_setup_cycles", p.broadcast_setup_cycles, 0, 1000);
  I("ready_poll_cycles_per_unit", p.ready_poll_cycles_per_unit, 0, 100);
  I("scheduler_start_cycles", p.scheduler_start_cycles, 0, 1000);
  I("dispatch_gap", p.dispatch_gap, 1, 1000);
  I("dispatch_to_start", p.dispatch_to_start, 0, 1000);
  I("pe_overhead", p.pe_overhead, 1, 1000);
  I("unit_rearm_cycles", p.unit_rearm_cycles, 0, 100);
  I("ppu_occupancy", p.ppu_occupancy, 1, 10000);
  I("ppu_output_latency", p.ppu_output_latency, 1, 10000);
  I("compute_overhead", p.compute_overhead, 0, 10000);
  I("config_cycles", p.config_cycles, 0, 10000);
  I("load_input_overhead", p.load_input_overhead, 0, 10000);
  I("load_weight_overhead", p.load_weight_overhead, 0, 10000);
  I("epilogue_cycles_per_block", p.epilogue_cycles_per_block, 0, 1000);
  I("epilogue_overhead", p.epilogue_overhead, 0, 10000);
  I("nop_cycles", p.nop_cycles, 0, 10000);
  I("closed_form_drain_base", p.closed_form_drain_base, 0, 10000);
  I("arranger_fifo_depth", p.arranger_fifo_depth, 1, 1 << 20);
  I("psum_cycles", p.psum_cycles, 0, 1000);
  I("dw_strip_setup_cycles", p.dw_strip_setup_cycles, 1, 1000);  // >= 1: the Scheduler state takes a cycle
  t.Finish();
}

}  // namespace

namespace config_internal {

AcceleratorConfig ParseFields(const json& doc, const std::string& where) {
  AcceleratorConfig c;
  FieldReader r(doc, "", where);
  c.name = r.RequiredString("name");
  c.description = r.String("description", "");
  c.board = r.String("board", "");
  c.units = static_cast<int>(r.Int("units", 4, 1, 64));
  c.clock_hz = r.Number("clock_mhz", 200, 1, 2000) * 1e6;
  c.method = &ParseMethod(r);
  {
    FieldReader s = r.Object("streams");
    c.streams = static_cast<int>(s.Int("count", 4, 4, 4));
    c.stream_bits = static_cast<int>(s.Int("width_bits", 32, 32, 32));
    s.Finish();
  }
  ParseBuffers(r.Object("buffers"), c);
  ParseTiming(r.Object("timing"), c.timing);
  {
    const std::string rounding = r.String("ppu_rounding", "double");
    if (!ParseRounding(rounding, &c.ppu_rounding))
      r.Fail("must be \"double\" (TFLite), \"single\" (reference PPU) or \"icecs-v2\" (ICECS PPU as synthesized)",
             "ppu_rounding");
  }
  if (const json* ops = r.Get("accepted_ops")) {
    if (!ops->is_array()) r.Fail("must be an array of operator names", "accepted_ops");
    c.accepted_ops.clear();
    for (const auto& o : *ops) {
      if (!o.is_string()) r.Fail("must be an array of operator names", "accepted_ops");
      c.accepted_ops.push_back(ParseOp(o.get<std::string>(), r));
    }
  }
  c.first_conv_on_cpu = r.Bool("first_conv_on_cpu", false);
  c.weights_resident_nop = r.Bool("weights_resident_nop", true);
  c.host_activation_clamp = r.Bool("host_activation_clamp", true);
  {
    const std::string enc = r.String("weight_encoding", "exact");
    if (enc == "exact") c.encoding = WeightEncoding::kExact;
    else if (enc == "released") c.encoding = WeightEncoding::kReleased;
    else r.Fail("must be \"exact\" or \"released\"", "weight_encoding");
  }
  {
    FieldReader f = r.Object("compat");
    c.compat.uniform4_sign_magnitude = f.Bool("uniform4_sign_magnitude", false);
    c.compat.unchecked_local_input = f.Bool("unchecked_local_input", false);
    f.Finish();
  }
  c.modes = ParseModes(r.Object("modes"));
  r.Finish();
  return c;
}

AcceleratorConfig ParseDocument(const json& doc, const std::string& where) {
  AcceleratorConfig c = ParseFields(doc, where);
  ValidateAcceleratorConfig(c, where);
  return c;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (const auto& x : items) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string MethodNames() {
  std::vector<std::string> names;
  for (const auto* m : quant::AllMethods()) names.emplace_back(m->name);
  return Join(names);
}

}  // namespace config_internal

namespace {

std::string EnvOr(const char* name, const std::string& def) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : def;
}


// The on-chip memory the buffers describe (bytes, all units): weights (64-bit
// words), local inputs (128-bit beats), weight-sum/multiplier/shift entries
// (4 lanes x 32 + 32 + 8 bit) and the GIB (4 banks x 32 bit).
int64_t OnChipBytes(const AcceleratorConfig& c) {
  const BufferGeometry& g = c.buffers;
  const int64_t per_unit = g.weight_addresses * g.weight_banks * 8 + g.local_input_addresses * 16 + g.wsums_entries * 36;
  return c.units * per_unit + g.gib_addresses * 16;
}

// The buffers of a design a board can carry: the shipped KV260 design holds
// 2.4 MB; 64 MiB is more block and Ultra RAM than any Zynq-7000 or Zynq
// UltraScale+ device has, so a larger total is a typo (and a simulation that
// would one day fill it would need that much host memory).
constexpr int64_t kMaxOnChipBytes = int64_t{64} << 20;

void ValidateBufferTotal(const AcceleratorConfig& c, const std::string& where) {
  const int64_t bytes = OnChipBytes(c);
  if (bytes > kMaxOnChipBytes)
    throw Error(where + ": field 'buffers' describes " + std::to_string(bytes >> 20) + " MiB of on-chip buffers over " +
                std::to_string(c.units) + " units; at most " + std::to_string(kMaxOnChipBytes >> 20) +
                " MiB is accepted (the shipped KV260 design holds 2.4 MB)");
}

// The timing models re-create clocked threads whose signals and FIFO writes
// become visible one cycle later (docs/accelerator.md, "Timing model"). Values
// these threads cannot produce are refused: below them the event model and
// the clock-by-clock emulation would disagree, or the emulation would never
// finish (tests/accel/timing_test.cc shows both).
void ValidateTiming(const TimingParams& p, const std::string& where) {
  auto fail = [&](const std::string& field, const std::string& what) {
    throw Error(where + ": field 'timing." + field + "' " + what);
  };
  auto at_least = [&](const char* field, int value, int min, const std::string& why) {
    if (value < min) fail(field, "is " + std::to_string(value) + "; it must be at least " + std::to_string(min) + ": " + why);
  };
  at_least("ready_poll_cycles_per_unit", p.ready_poll_cycles_per_unit, 1,
           "the Scheduler reads one unit's ready signal per cycle");
  at_least("dispatch_to_start", p.dispatch_to_start, 1,
           "the first dispatch of a strip is a clocked step after the broadcast ends");
  constexpr int kHandshake = static_cast<int>(thread_delay::kDispatchHandshake);
  at_least("dispatch_gap", p.dispatch_gap, p.dispatch_to_start + kHandshake,
           "dispatch_to_start + " + std::to_string(kHandshake) +
               " (raise compute, see ready fall, lower compute, write the Arranger FIFO) separate two dispatches");
  at_least("unit_rearm_cycles", p.unit_rearm_cycles, 2,
           "a unit raises ready the cycle after its hand-off, visible one cycle later");
  if (p.unit_rearm_cycles >= p.pe_overhead)
    fail("unit_rearm_cycles", "(" + std::to_string(p.unit_rearm_cycles) + ") must be smaller than pe_overhead (" +
                                  std::to_string(p.pe_overhead) + "), which includes it");
  at_least("ppu_occupancy", p.ppu_occupancy, 3,
           "the PPU sees a hand-off one cycle after it is written and frees itself with a signal visible one cycle "
           "after it is raised");
  at_least("ppu_output_latency", p.ppu_output_latency, 3, "the PPU writes a tile's outputs after seeing its hand-off");
  if (p.ppu_output_latency > p.ppu_occupancy + 2)
    fail("ppu_output_latency", "(" + std::to_string(p.ppu_output_latency) + ") must be at most ppu_occupancy + 2 (" +
                                   std::to_string(p.ppu_occupancy + 2) +
                                   "): the PPU writes a tile's outputs before it returns to wait for the next one");
}

}  // namespace

// ---- public API

bool RegisterAcceleratorMode(ModeSpec spec) {
  if (spec.name.empty() || spec.min > spec.max || spec.default_value < spec.min || spec.default_value > spec.max)
    throw Error("accelerator mode '" + spec.name + "': empty name or range");
  ModeRegistry& r = Modes();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.specs.emplace(spec.name, spec).second) throw Error("accelerator mode '" + spec.name + "' registered twice");
  return true;
}

std::vector<ModeSpec> AcceleratorModes() {
  ModeRegistry& r = Modes();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<ModeSpec> out;
  for (const auto& [name, spec] : r.specs) out.push_back(spec);
  return out;
}

int64_t AcceleratorConfig::Mode(std::string_view name) const {
  if (auto it = modes.find(std::string(name)); it != modes.end()) return it->second;
  for (const ModeSpec& m : AcceleratorModes())
    if (m.name == name) return m.default_value;
  throw Error("accelerator mode '" + std::string(name) + "' is not registered (known: " + KnownModeNames() + ")");
}

const char* RoundingName(fixed_point::Rounding r) {
  switch (r) {
    case fixed_point::Rounding::kDouble: return "double";
    case fixed_point::Rounding::kSingle: return "single";
    case fixed_point::Rounding::kIcecsV2: return "icecs-v2";
  }
  return "double";
}

bool ParseRounding(const std::string& name, fixed_point::Rounding* out) {
  for (auto r : {fixed_point::Rounding::kDouble, fixed_point::Rounding::kSingle, fixed_point::Rounding::kIcecsV2})
    if (name == RoundingName(r)) {
      *out = r;
      return true;
    }
  return false;
}

bool AcceleratorConfig::Accepts(int32_t builtin) const {
  return std::any_of(accepted_ops.begin(), accepted_ops.end(),
                     [&](BuiltinOp op) { return static_cast<int32_t>(op) == builtin; });
}

bool AcceleratorConfig::depthwise_mode() const { return Accepts(static_cast<int32_t>(BuiltinOp::kDepthwiseConv2D)); }

void ValidateAcceleratorConfig(const AcceleratorConfig& c, const std::string& where) {
  auto fail = [&](const std::string& field, const std::string& what) {
    throw Error(where + ": field '" + field + "' " + what);
  };
  if (c.method == nullptr) throw Error(where + ": no PE method");
  if (c.method->code_bits == 8 && c.buffers.weight_banks != 2)
    fail("buffers.weight_banks", "must be 2 for an 8-bit PE (two 64-bit int8 banks per address)");
  if (c.method->code_bits == 4 && c.buffers.weight_banks != 1)
    fail("buffers.weight_banks", "must be 1 for a 4-bit PE (one 64-bit word of codes per address)");
  ValidateBufferTotal(c, where);
  ValidateTiming(c.timing, where);
  if (c.depth_split() && c.buffers.psum_entries < 1)
    fail("modes.depth_split", "needs buffers.psum_entries >= 1 (the on-chip partial-sum buffer)");
}

AcceleratorConfig ParseAcceleratorConfig(const std::string& json_text, const std::string& where) {
  return ParseDocument(ParseJsonText(json_text, where), where);
}

std::string ShippedConfigDir() {
  const std::string base = EnvOr(kConfigDirEnv, (SourceTreeDir() / "configs").string());
  return base + "/accel";
}

std::string ConfigDirHint() {
  const char* env = std::getenv(kConfigDirEnv);
  const std::string origin = env && *env ? std::string("from ") + kConfigDirEnv : "source tree";
  return "shipped configs in " + ShippedConfigDir() + " (" + origin + "); set " + kConfigDirEnv +
         " to a folder holding accel/ and boards/";
}

std::string AcceleratorConfigToJson(const AcceleratorConfig& c) {
  json j;
  j["name"] = c.name;
  j["description"] = c.description;
  j["board"] = c.board;
  j["units"] = c.units;
  j["clock_mhz"] = c.clock_hz / 1e6;
  j["pe_method"] = std::string(c.method->name);
  j["streams"] = {{"count", c.streams}, {"width_bits", c.stream_bits}};
  j["buffers"] = {{"weight_addresses", c.buffers.weight_addresses},
                  {"weight_banks", c.buffers.weight_banks},
                  {"local_input_addresses", c.buffers.local_input_addresses},
                  {"gib_addresses", c.buffers.gib_addresses},
                  {"wsums_entries", c.buffers.wsums_entries}};
  // The potacc-x fields appear only when set, so the reference designs print
  // exactly as before they existed (compose_test's fingerprints).
  if (c.buffers.psum_entries != 0) j["buffers"]["psum_entries"] = c.buffers.psum_entries;
  const TimingParams& p = c.timing;
  j["timing"] = {{"model", TimingModelName(p.model)},
                 {"broadcast_cycles_per_beat", p.broadcast_cycles_per_beat},
                 {"broadcast_setup_cycles", p.broadcast_setup_cycles},
                 {"ready_poll_cycles_per_unit", p.ready_poll_cycles_per_unit},
                 {"scheduler_start_cycles", p.scheduler_start_cycles},
                 {"dispatch_gap", p.dispatch_gap},
                 {"dispatch_to_start", p.dispatch_to_start},
                 {"pe_overhead", p.pe_overhead},
                 {"unit_rearm_cycles", p.unit_rearm_cycles},
                 {"ppu_occupancy", p.ppu_occupancy},
                 {"ppu_output_latency", p.ppu_output_latency},
                 {"compute_overhead", p.compute_overhead},
                 {"config_cycles", p.config_cycles},
                 {"load_input_overhead", p.load_input_overhead},
                 {"load_weight_overhead", p.load_weight_overhead},
                 {"epilogue_cycles_per_block", p.epilogue_cycles_per_block},
                 {"epilogue_overhead", p.epilogue_overhead},
                 {"nop_cycles", p.nop_cycles},
                 {"closed_form_drain_base", p.closed_form_drain_base},
                 {"arranger_fifo_depth", p.arranger_fifo_depth}};
  const TimingParams defaults;
  if (p.psum_cycles != defaults.psum_cycles) j["timing"]["psum_cycles"] = p.psum_cycles;
  if (p.dw_strip_setup_cycles != defaults.dw_strip_setup_cycles)
    j["timing"]["dw_strip_setup_cycles"] = p.dw_strip_setup_cycles;
  j["ppu_rounding"] = RoundingName(c.ppu_rounding);
  json ops = json::array();
  for (BuiltinOp op : c.accepted_ops) ops.push_back(BuiltinOpName(op));
  j["accepted_ops"] = ops;
  j["first_conv_on_cpu"] = c.first_conv_on_cpu;
  j["weights_resident_nop"] = c.weights_resident_nop;
  j["host_activation_clamp"] = c.host_activation_clamp;
  j["weight_encoding"] = c.encoding == WeightEncoding::kExact ? "exact" : "released";
  j["compat"] = {{"uniform4_sign_magnitude", c.compat.uniform4_sign_magnitude},
                 {"unchecked_local_input", c.compat.unchecked_local_input}};
  if (!c.modes.empty()) j["modes"] = c.modes;
  return j.dump(2);
}

}  // namespace potacc::accel
