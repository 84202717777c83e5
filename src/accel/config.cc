#include "potacc/accel/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "potacc/error.h"
#include "potacc/util/source_tree.h"

namespace potacc::accel {
namespace {

using nlohmann::json;

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
    return FieldReader(v ? *v : kEmpty, path_.empty() ? key : path_ + "." + key, where_);
  }

  // Every field not read is an error (keys starting with '_' or "comment" are notes).
  void Finish() const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      const std::string& k = it.key();
      if (used_.count(k) || k.rfind('_', 0) == 0 || k.rfind("comment", 0) == 0) continue;
      Fail("is not a known field", k);
    }
  }

 private:
  const json& obj_;
  std::string path_, where_;
  std::set<std::string> used_;
};

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
  r.Fail("lists '" + name + "'; the driver lowers only CONV_2D and FULLY_CONNECTED", "accepted_ops");
}

std::string EnvOr(const char* name, const std::string& def) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : def;
}

}  // namespace

bool AcceleratorConfig::Accepts(int32_t builtin) const {
  return std::any_of(accepted_ops.begin(), accepted_ops.end(),
                     [&](BuiltinOp op) { return static_cast<int32_t>(op) == builtin; });
}

AcceleratorConfig ParseAcceleratorConfig(const std::string& json_text, const std::string& where) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw Error(where + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  AcceleratorConfig c;
  FieldReader r(doc, "", where);
  c.name = r.RequiredString("name");
  c.description = r.String("description", "");
  c.board = r.String("board", "");
  c.units = static_cast<int>(r.Int("units", 4, 1, 64));
  c.clock_hz = r.Number("clock_mhz", 200, 1, 2000) * 1e6;
  {
    const std::string m = r.RequiredString("pe_method");
    c.method = quant::FindMethod(m);
    if (!c.method) {
      std::string valid;
      for (const auto* x : quant::AllMethods()) valid += (valid.empty() ? "" : ", ") + std::string(x->name);
      r.Fail("names unknown method '" + m + "' (valid: " + valid + ")", "pe_method");
    }
  }
  {
    FieldReader s = r.Object("streams");
    c.streams = static_cast<int>(s.Int("count", 4, 4, 4));
    c.stream_bits = static_cast<int>(s.Int("width_bits", 32, 32, 32));
    s.Finish();
  }
  {
    FieldReader b = r.Object("buffers");
    c.buffers.weight_addresses = b.Int("weight_addresses", 4096, 4, int64_t{1} << 24);
    c.buffers.weight_banks = static_cast<int>(b.Int("weight_banks", c.method->code_bits == 8 ? 2 : 1, 1, 2));
    c.buffers.local_input_addresses = b.Int("local_input_addresses", 2048, 4, int64_t{1} << 24);
    c.buffers.gib_addresses = b.Int("gib_addresses", 8192, 4, int64_t{1} << 26);
    c.buffers.wsums_entries = b.Int("wsums_entries", std::max(1, 512 / c.units), 1, int64_t{1} << 20);
    b.Finish();
    if (c.method->code_bits == 8 && c.buffers.weight_banks != 2)
      b.Fail("must be 2 for an 8-bit PE (two 64-bit int8 banks per address)", "weight_banks");
    if (c.method->code_bits == 4 && c.buffers.weight_banks != 1)
      b.Fail("must be 1 for a 4-bit PE (one 64-bit word of codes per address)", "weight_banks");
  }
  {
    FieldReader t = r.Object("timing");
    TimingParams& p = c.timing;
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
    t.Finish();
    if (p.unit_rearm_cycles >= p.pe_overhead) t.Fail("must be smaller than pe_overhead", "unit_rearm_cycles");
  }
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
  r.Finish();
  return c;
}

AcceleratorConfig LoadAcceleratorConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read accelerator config '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  AcceleratorConfig c = ParseAcceleratorConfig(ss.str(), path);
  c.source_path = path;
  return c;
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

std::vector<std::string> ShippedConfigNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(ShippedConfigDir(), ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

AcceleratorConfig ResolveAcceleratorConfig(const std::string& spec, const std::string& board) {
  namespace fs = std::filesystem;
  if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".json") return LoadAcceleratorConfig(spec);
  const std::string dir = ShippedConfigDir();
  if (fs::exists(dir + "/" + spec + ".json")) return LoadAcceleratorConfig(dir + "/" + spec + ".json");
  if (quant::FindMethod(spec)) {
    const std::string path = dir + "/potacc-v12-" + board + "-" + spec + ".json";
    if (fs::exists(path)) return LoadAcceleratorConfig(path);
    throw Error("no shipped accelerator config for method '" + spec + "' on board '" + board +
                "' (boards: pynq-z2, kv260): " + path + " not found; " + ConfigDirHint());
  }
  std::string valid;
  for (const auto& n : ShippedConfigNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown accelerator '" + spec +
              "': give a method (qkeras, apot, msq, uniform4, int8), a .json file, or one of: " +
              (valid.empty() ? "(none found)" : valid) + "; " + ConfigDirHint());
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
  return j.dump(2);
}

}  // namespace potacc::accel
