#include "potacc/accel/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "potacc/accel/timing.h"
#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "potacc/util/json_text.h"
#include "potacc/util/source_tree.h"

namespace potacc::accel {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Configuration files are small; anything larger is not one.
constexpr int64_t kMaxConfigFileBytes = int64_t{1} << 20;

// Reads the fields of one JSON object, remembering which were used so that
// misspelt or unknown fields are reported instead of silently ignored.
class FieldReader {
 public:
  FieldReader(const json& obj, std::string path, std::string where)
      : obj_(obj), path_(std::move(path)), where_(std::move(where)) {
    if (!obj_.is_object()) Fail(path_.empty() ? "top level must be a JSON object" : "must be an object");
  }

  [[noreturn]] void Fail(const std::string& what, const std::string& field = "") const {
    std::string name = path_;
    if (!field.empty()) name += (name.empty() ? "" : ".") + field;
    throw Error(where_ + ": " + (name.empty() ? "" : "field '" + name + "' ") + what);
  }

  bool Has(const std::string& key) const { return obj_.contains(key); }

  const json* Get(const std::string& key) {
    used_.insert(key);
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  int64_t Int(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_number_integer()) Fail("must be an integer", key);
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
      Fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v->dump(), key);
    const int64_t x = v->get<int64_t>();
    if (x < lo || x > hi)
      Fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(x), key);
    return x;
  }
  double Number(const std::string& key, double def, double lo, double hi) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_number()) Fail("must be a number", key);
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi)) Fail("is out of range", key);
    return x;
  }
  bool Bool(const std::string& key, bool def) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_boolean()) Fail("must be true or false", key);
    return v->get<bool>();
  }
  std::string String(const std::string& key, const std::string& def) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_string()) Fail("must be a string", key);
    return v->get<std::string>();
  }
  std::string RequiredString(const std::string& key) {
    if (!Has(key)) Fail("is required", key);
    return String(key, "");
  }
  FieldReader Object(const std::string& key) {
    const json* v = Get(key);
    static const json kEmpty = json::object();
    return FieldReader(v ? *v : kEmpty, Sub(key), where_);
  }
  std::string Sub(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json& object() const { return obj_; }

  // Every field not read is an error (keys starting with '_' or "comment" are notes).
  void Finish() const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      const std::string& k = it.key();
      if (used_.count(k) || IsNote(k)) continue;
      Fail("is not a known field", k);
    }
  }
  static bool IsNote(const std::string& k) { return k.rfind('_', 0) == 0 || k.rfind("comment", 0) == 0; }

 private:
  const json& obj_;
  std::string path_, where_;
  std::set<std::string> used_;
};

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
  r.Fail("lists '" + name + "'; the driver lowers only CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D",
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

// Every field of the flat form, each checked on its own (ranges, types,
// unknown names); ValidateAcceleratorConfig checks how they combine.
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
    if (rounding == "double") c.ppu_rounding = fixed_point::Rounding::kDouble;
    else if (rounding == "single") c.ppu_rounding = fixed_point::Rounding::kSingle;
    else r.Fail("must be \"double\" (TFLite) or \"single\" (reference PPU)", "ppu_rounding");
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

std::string EnvOr(const char* name, const std::string& def) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : def;
}

std::string Join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string s;
  for (const auto& x : items) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string MethodNames() {
  std::vector<std::string> names;
  for (const auto* m : quant::AllMethods()) names.emplace_back(m->name);
  return Join(names);
}

// A name written as a file: a path with a folder, or a .json file.
bool LooksLikeFileName(const std::string& spec) {
  return spec.find('/') != std::string::npos ||
         (spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".json") == 0);
}

// What the user typed after --accel names a file (not a shipped
// description): a file name, or anything that exists (a directory, a device).
bool LooksLikePath(const std::string& spec) {
  std::error_code ec;
  return LooksLikeFileName(spec) || fs::exists(fs::symlink_status(spec, ec));
}

// A path written inside a description file is relative to that file.
std::string RelativeTo(const std::string& file, const std::string& path) {
  if (fs::path(path).is_absolute() || file.empty()) return path;
  return (fs::path(file).parent_path() / path).string();
}

// ---- the composition layers

// One file of a family (a family may extend another).
struct FamilyFile {
  std::string where;
  json doc;
};

struct Family {
  std::string name;
  std::vector<FamilyFile> chain;  // root first
  json merged;                    // the chain merged (JSON merge patch)
  std::string where() const {
    std::vector<std::string> files;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) files.push_back(it->where);
    return Join(files, " extending ");
  }
};

std::string FamilyPath(const std::string& spec, const std::string& from_file) {
  if (LooksLikeFileName(spec)) return RelativeTo(from_file, spec);
  return ShippedConfigDir() + "/families/" + spec + ".json";
}

// Checks the keys of a family file; its config fragments are checked when a
// composition uses them (they need the board and the method).
void CheckFamilyKeys(const json& doc, const std::string& where) {
  FieldReader r(doc, "", where);
  for (const char* k : {"family", "extends", "summary", "description"}) r.String(k, "");
  for (const char* section : {"methods", "boards"}) {
    FieldReader s = r.Object(section);
    for (auto it = s.object().begin(); it != s.object().end(); ++it) {
      if (FieldReader::IsNote(it.key())) continue;
      if (it->is_null()) {  // null: removes an inherited entry
        s.Get(it.key());
        continue;
      }
      FieldReader e = s.Object(it.key());
      if (std::string(section) == "methods") {
        if (!quant::FindMethod(it.key())) s.Fail("is not a method (" + MethodNames() + ")", it.key());
        e.String("design", "");
      }
      e.Object("config");
      e.Finish();
    }
    s.Finish();
  }
  r.Object("config");
  r.Finish();
}

Family LoadFamily(const std::string& spec) {
  constexpr int kMaxDepth = 8;
  Family f;
  std::string next = spec, from;
  std::set<std::string> seen;
  for (int depth = 0; !next.empty(); ++depth) {
    const std::string path = FamilyPath(next, from);
    std::error_code canon_ec;
    const std::string canonical = fs::weakly_canonical(path, canon_ec).string();
    if (depth == kMaxDepth || !seen.insert(canon_ec ? path : canonical).second)
      throw Error(path + ": 'extends' forms a loop or a chain deeper than " + std::to_string(kMaxDepth));
    std::error_code ec;
    if (!LooksLikeFileName(next) && !fs::exists(path, ec)) {
      throw Error("unknown accelerator family '" + next + "' (" + path + " not found; shipped families: " +
                  Join(ShippedFamilies()) + "; or give a family .json file); " + ConfigDirHint());
    }
    json doc = ReadJsonFile(path, kMaxConfigFileBytes);
    CheckFamilyKeys(doc, path);
    if (depth == 0) f.name = doc.value("family", fs::path(path).stem().string());
    next = doc.value("extends", "");
    from = path;
    f.chain.insert(f.chain.begin(), {path, std::move(doc)});
  }
  f.merged = json::object();
  for (const FamilyFile& file : f.chain) f.merged.merge_patch(file.doc);
  return f;
}

struct Geometry {
  std::string where;
  std::string label;
  json config;
};

Geometry LoadGeometry(const AccelBoard& board) {
  Geometry g;
  g.where = ShippedConfigDir() + "/boards/" + board.geometry + ".json";
  std::error_code ec;
  if (!fs::exists(g.where, ec))
    throw Error(board.where + ": fpga.accel_board '" + board.geometry + "' has no accelerator geometry (" + g.where +
                " not found); " + ConfigDirHint());
  const json doc = ReadJsonFile(g.where, kMaxConfigFileBytes);
  FieldReader r(doc, "", g.where);
  g.label = r.String("label", board.geometry);
  r.Object("config");
  r.Finish();
  g.config = doc.value("config", json::object());
  return g;
}

// Fields a layer may not set, and where their value comes from instead.
const std::map<std::string, std::string>& OwnedFields() {
  static const std::map<std::string, std::string> owned = {
      {"name", "the composition (<family>-<board>-<method>)"},
      {"board", "the board the configuration is composed for"},
      {"pe_method", "the method the configuration is composed for"},
      {"units", "the board file (fpga.accel_units)"},
      {"clock_mhz", "the board file (fpga.clock_hz)"},
      {"description", "the family's \"description\" and its methods' \"design\""},
  };
  return owned;
}

// A partial configuration from a family or geometry file, checked field by
// field on top of `base` (the layers below it); errors name `where` and the
// fragment's path in that file.
void CheckFragment(const json& fragment, const std::string& path, const json& base, const std::string& where) {
  if (!fragment.is_object()) throw Error(where + ": field '" + path + "' must be an object");
  for (const auto& [key, from] : OwnedFields())
    if (fragment.contains(key))
      throw Error(where + ": field '" + path + "." + key + "' cannot be set here; it comes from " + from);
  json merged = base;
  merged.merge_patch(fragment);
  try {
    ParseFields(merged, where);
  } catch (const Error& e) {
    // ParseFields names fields from the top of the configuration; in this
    // file they sit under `path`.
    std::string msg = e.what();
    const std::string field = where + ": field '";
    if (msg.rfind(field, 0) == 0) msg.insert(field.size(), path + ".");
    throw Error(msg);
  }
}

std::string MhzText(double hz) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", hz / 1e6);
  return buf;
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
  const std::string base = EnvOr(kConfigDirEnv, std::string(CompiledSourceDir()) + "/configs");
  return base + "/accel";
}

std::string ConfigDirHint() {
  const char* env = std::getenv(kConfigDirEnv);
  const std::string origin = env && *env ? std::string("from ") + kConfigDirEnv : "compiled-in source tree";
  return "shipped configs in " + ShippedConfigDir() + " (" + origin + "); set " + kConfigDirEnv +
         " to a folder holding accel/ and boards/";
}

AccelBoard AccelBoardOf(const platform::Board& board) {
  AccelBoard b;
  b.name = board.name;
  b.geometry = board.accel_board;
  b.clock_hz = board.fpga_clock_hz;
  b.units = board.accel_units;
  b.where = board.file.empty() ? "board " + board.name : board.file.string();
  if (!(b.clock_hz >= 1e6 && b.clock_hz <= 2e9))
    throw Error(b.where + ": fpga.clock_hz must be in [1e6, 2e9] for an accelerator clock");
  if (b.units < 1 || b.units > 64) throw Error(b.where + ": fpga.accel_units must be in [1, 64]");
  if (b.geometry.empty() || LooksLikeFileName(b.geometry) || b.geometry.find("..") != std::string::npos)
    throw Error(b.where + ": fpga.accel_board must name a geometry in " + ShippedConfigDir() + "/boards");
  return b;
}

AccelBoard LoadAccelBoard(const std::string& name_or_path) { return AccelBoardOf(platform::LoadBoard(name_or_path)); }

AcceleratorConfig ComposeAcceleratorConfig(const std::string& family_spec, const AccelBoard& board,
                                           const std::string& method_name, const ConfigOverrides* overrides) {
  const Family family = LoadFamily(family_spec);
  const json& fam = family.merged;
  const quant::Method* method = quant::FindMethod(method_name);
  if (!method) throw Error("unknown method '" + method_name + "' (valid: " + MethodNames() + ")");
  auto keys = [](const json& obj) {
    std::vector<std::string> k;
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (!FieldReader::IsNote(it.key())) k.push_back(it.key());
    return k;
  };
  if (fam.contains("methods") && !fam["methods"].contains(method_name))
    throw Error("family " + family.name + " has no '" + method_name + "' design (methods: " +
                Join(keys(fam["methods"])) + "; " + family.where() + ")");
  if (fam.contains("boards") && !fam["boards"].contains(board.geometry))
    throw Error("family " + family.name + " exists only for board(s) " + Join(keys(fam["boards"])) + ", not " +
                board.geometry + " (" + family.where() + ")");
  const Geometry geometry = LoadGeometry(board);

  const std::string name = family.name + "-" + board.name + "-" + method_name;
  json doc = {{"name", name},
              {"board", board.name},
              {"pe_method", method_name},
              {"units", board.units},
              {"clock_mhz", board.clock_hz / 1e6}};
  std::vector<std::string> sources = {board.where, geometry.where};
  auto layer = [&](const json& fragment, const std::string& path, const std::string& where) {
    CheckFragment(fragment, path, doc, where);
    doc.merge_patch(fragment);
  };
  layer(geometry.config, "config", geometry.where);
  for (const FamilyFile& file : family.chain) {
    const json& d = file.doc;
    if (d.contains("config")) layer(d["config"], "config", file.where);
    if (d.contains("boards") && d["boards"].contains(board.geometry) && d["boards"][board.geometry].is_object())
      layer(d["boards"][board.geometry].value("config", json::object()), "boards." + board.geometry + ".config",
            file.where);
    if (d.contains("methods") && d["methods"].contains(method_name) && d["methods"][method_name].is_object())
      layer(d["methods"][method_name].value("config", json::object()), "methods." + method_name + ".config",
            file.where);
    sources.push_back(file.where);
  }
  bool user_description = false;
  if (overrides) {
    const json user = ParseJsonText(overrides->json_text, overrides->where);
    if (!user.is_object()) throw Error(overrides->where + ": top level must be a JSON object");
    for (const char* key : {"board", "pe_method"})
      if (user.contains(key))
        throw Error(overrides->where + ": field '" + key + "' cannot be overridden; choose the " +
                    (std::string(key) == "board" ? "board" : "method") + " of the composition instead");
    user_description = user.contains("description");
    json merged = doc;
    merged.merge_patch(user);
    ParseFields(merged, overrides->where);
    doc = std::move(merged);
    sources.push_back(overrides->where);
  }
  const std::string where = doc.value("name", name) + " (composed from " + Join(sources, " + ") + ")";
  AcceleratorConfig c = ParseDocument(doc, where);
  if (!user_description) {
    std::string design;
    if (fam.contains("methods")) design = fam["methods"][method_name].value("design", "");
    if (design.empty()) design = method_name + " PE";
    const std::string extra = fam.value("description", "");
    c.description = design + "; " + geometry.label + ", " + std::to_string(c.units) + " GEMM units @ " +
                    MhzText(c.clock_hz) + " MHz" + (extra.empty() ? "" : "; " + extra);
  }
  return c;
}

std::vector<std::string> ShippedFamilies() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ShippedConfigDir() + "/families", ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> ShippedConfigNames() {
  std::vector<std::pair<std::string, AccelBoard>> boards;
  for (const std::string& b : platform::ShippedBoards()) {
    try {
      boards.emplace_back(b, LoadAccelBoard(b));
    } catch (const Error&) {  // a board without an accelerator contributes no names
    }
  }
  std::vector<std::string> names;
  for (const std::string& f : ShippedFamilies()) {
    const Family family = LoadFamily(f);
    const json& fam = family.merged;
    for (const auto& [board_name, board] : boards) {
      std::error_code ec;
      if (fam.contains("boards") && !fam["boards"].contains(board.geometry)) continue;
      if (!fs::exists(ShippedConfigDir() + "/boards/" + board.geometry + ".json", ec)) continue;
      for (const quant::Method* m : quant::AllMethods()) {
        if (fam.contains("methods") && !fam["methods"].contains(m->name)) continue;
        names.push_back(family.name + "-" + board_name + "-" + std::string(m->name));
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

struct NameParts {
  std::string family, board, method;
};

// "potacc-hls-pynq-z2-apot" -> {potacc-hls, pynq-z2, apot} when the family is
// shipped (the longest matching family name wins).
std::optional<NameParts> SplitShippedName(const std::string& spec) {
  std::vector<std::string> families = ShippedFamilies();
  std::sort(families.begin(), families.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& f : families) {
    if (spec.rfind(f + "-", 0) != 0) continue;
    const std::string rest = spec.substr(f.size() + 1);
    for (const quant::Method* m : quant::AllMethods()) {
      const std::string suffix = "-" + std::string(m->name);
      if (rest.size() > suffix.size() && rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0)
        return NameParts{f, rest.substr(0, rest.size() - suffix.size()), std::string(m->name)};
    }
  }
  return std::nullopt;
}

// A --board / --family that the spec fixes (`fixed`; a complete
// configuration fixes everything): ignore it, or refuse it.
void CheckNotIgnored(const AcceleratorChoice& choice, const char* what, const std::string& given,
                     const std::string& fixed, const std::string& spec, bool complete = false) {
  if (!choice.refuse_ignored || given.empty() || (!complete && (fixed.empty() || given == fixed))) return;
  throw Error(std::string("--") + what + " applies only to a method name (" + MethodNames() +
              ") or to a composition file that leaves it open; '" + spec + "' fixes the " + what +
              (complete ? std::string(" (a complete configuration)") : " (" + fixed + ")"));
}

std::string OrDefault(const std::string& v, const char* def) { return v.empty() ? def : v; }

AcceleratorConfig LoadConfigFile(const std::string& path, const AcceleratorChoice& choice) {
  const json doc = ReadJsonFile(path, kMaxConfigFileBytes);
  if (!doc.is_object()) throw Error(path + ": top level must be a JSON object");
  if (!doc.contains("family") && !doc.contains("method")) {
    CheckNotIgnored(choice, "board", choice.board, "", path, /*complete=*/true);
    CheckNotIgnored(choice, "family", choice.family, "", path, /*complete=*/true);
    AcceleratorConfig c = ParseDocument(doc, path);
    c.source_path = path;
    return c;
  }
  // A composition file: family / board / method select the layers below it,
  // every other field overrides them.
  FieldReader r(doc, "", path);
  const std::string method = r.RequiredString("method");
  std::string family = r.String("family", "");
  std::string board = r.String("board", "");
  CheckNotIgnored(choice, "family", choice.family, family, path);
  CheckNotIgnored(choice, "board", choice.board, board, path);
  if (LooksLikeFileName(family)) family = RelativeTo(path, family);
  if (LooksLikeFileName(board)) board = RelativeTo(path, board);
  if (family.empty()) family = OrDefault(choice.family, kDefaultFamily);
  json overrides = doc;
  for (const char* key : {"family", "board", "method"}) overrides.erase(key);
  bool has_fields = false;
  for (auto it = overrides.begin(); it != overrides.end(); ++it) has_fields |= !FieldReader::IsNote(it.key());
  const ConfigOverrides user{overrides.dump(), path};
  AcceleratorConfig c =
      ComposeAcceleratorConfig(family, LoadAccelBoard(board.empty() ? OrDefault(choice.board, kDefaultBoard) : board),
                               method, &user);
  if (has_fields && !overrides.contains("name")) c.name += "+" + fs::path(path).stem().string();
  c.source_path = path;
  return c;
}

}  // namespace

AcceleratorConfig LoadAcceleratorConfig(const std::string& path) { return LoadConfigFile(path, {}); }

AcceleratorConfig ResolveAcceleratorConfig(const std::string& spec, const AcceleratorChoice& choice) {
  if (spec.empty()) throw Error("no accelerator given: name a method (" + MethodNames() + "), a configuration or a .json file");
  if (LooksLikePath(spec)) return LoadConfigFile(spec, choice);
  if (quant::FindMethod(spec))
    return ComposeAcceleratorConfig(OrDefault(choice.family, kDefaultFamily),
                                    LoadAccelBoard(OrDefault(choice.board, kDefaultBoard)), spec);
  if (const auto parts = SplitShippedName(spec)) {
    CheckNotIgnored(choice, "board", choice.board, parts->board, spec);
    CheckNotIgnored(choice, "family", choice.family, parts->family, spec);
    return ComposeAcceleratorConfig(parts->family, LoadAccelBoard(parts->board), parts->method);
  }
  const std::vector<std::string> names = ShippedConfigNames();
  throw Error("unknown accelerator '" + spec + "': give a method (" + MethodNames() +
              ") with --board/--family, a .json file, or one of: " + (names.empty() ? "(none found)" : Join(names)) +
              "; " + ConfigDirHint());
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
  j["ppu_rounding"] = c.ppu_rounding == fixed_point::Rounding::kDouble ? "double" : "single";
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
