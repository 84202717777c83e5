// The explore grid: parsing, canonical form, and the enumeration of its
// design points into configurations.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "potacc/error.h"
#include "potacc/platform/explore.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

constexpr int64_t kMaxAxisValues = 64;
constexpr int64_t kMaxGridPoints = int64_t{1} << 22;  // enumeration bound (~4M)

[[noreturn]] void Fail(const std::string& where, const std::string& key, const std::string& what) {
  throw Error(where + ": grid field '" + key + "' " + what);
}

// A scalar or an array of them; null = the family's value.
std::vector<json> AxisValues(const json& v, const std::string& where, const std::string& key) {
  std::vector<json> values = v.is_array() ? std::vector<json>(v.begin(), v.end()) : std::vector<json>{v};
  if (values.empty()) Fail(where, key, "is an empty list");
  if (static_cast<int64_t>(values.size()) > kMaxAxisValues)
    Fail(where, key, "has more than " + std::to_string(kMaxAxisValues) + " values");
  return values;
}

IntAxis ParseIntAxis(const json& v, const std::string& where, const std::string& key, int64_t lo, int64_t hi) {
  IntAxis axis;
  for (const json& x : AxisValues(v, where, key)) {
    if (x.is_null()) {
      axis.push_back(std::nullopt);
      continue;
    }
    if (!x.is_number_integer()) Fail(where, key, "must hold integers (or null for the family's value)");
    const int64_t n = x.get<int64_t>();
    if (n < lo || n > hi)
      Fail(where, key, "value " + std::to_string(n) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    axis.push_back(n);
  }
  return axis;
}

BoolAxis ParseBoolAxis(const json& v, const std::string& where, const std::string& key) {
  BoolAxis axis;
  for (const json& x : AxisValues(v, where, key)) {
    if (x.is_null())
      axis.push_back(std::nullopt);
    else if (x.is_boolean())
      axis.push_back(x.get<bool>());
    else
      Fail(where, key, "must hold true/false (or null for the family's value)");
  }
  return axis;
}

std::vector<std::string> ParseNames(const json& v, const std::string& where, const std::string& key) {
  std::vector<std::string> names;
  for (const json& x : AxisValues(v, where, key)) {
    if (!x.is_string() || x.get<std::string>().empty()) Fail(where, key, "must hold non-empty strings");
    names.push_back(x.get<std::string>());
  }
  return names;
}

template <class T>
json AxisJson(const std::vector<std::optional<T>>& axis) {
  json a = json::array();
  for (const auto& v : axis) a.push_back(v ? json(*v) : json(nullptr));
  return a;
}

// The family's design on the board for the method (configs compose, accel/config.h).
accel::AcceleratorConfig BaseConfig(const std::string& family, const std::string& board, const std::string& method) {
  return accel::ComposeAcceleratorConfig(family, accel::LoadAccelBoard(board), method);
}

void SetOp(accel::AcceleratorConfig& c, BuiltinOp op, bool on) {
  auto& ops = c.accepted_ops;
  ops.erase(std::remove(ops.begin(), ops.end(), op), ops.end());
  if (on) ops.push_back(op);
  std::sort(ops.begin(), ops.end());
}

struct Choice {
  std::optional<int64_t> units, clock, wbuf, lbuf, gbuf, psum;
  std::optional<bool> dw, split, overlap, preload, fc;
};

// The point's configuration: the base with the grid's overrides.
accel::AcceleratorConfig Apply(accel::AcceleratorConfig c, const Choice& x, const std::string& what) {
  if (x.units) {
    // WSUMS_BUF_LEN = 512 / V in the reference: keep that rule if the family follows it.
    if (c.buffers.wsums_entries == std::max(1, 512 / c.units)) c.buffers.wsums_entries = std::max<int64_t>(1, 512 / *x.units);
    c.units = static_cast<int>(*x.units);
  }
  if (x.clock) c.clock_hz = static_cast<double>(*x.clock) * 1e6;
  if (x.wbuf) c.buffers.weight_addresses = *x.wbuf;
  if (x.lbuf) c.buffers.local_input_addresses = *x.lbuf;
  if (x.gbuf) c.buffers.gib_addresses = *x.gbuf;
  if (x.dw) SetOp(c, BuiltinOp::kDepthwiseConv2D, *x.dw);
  if (x.fc) SetOp(c, BuiltinOp::kFullyConnected, *x.fc);
  if (x.split) c.modes[accel::kModeDepthSplit] = *x.split ? 1 : 0;
  if (x.overlap) c.modes[accel::kModeHostOverlap] = *x.overlap ? 1 : 0;
  if (x.preload) c.modes[accel::kModeWeightPreload] = *x.preload ? 1 : 0;
  if (c.depth_split()) {
    if (x.psum) c.buffers.psum_entries = *x.psum;
    if (c.buffers.psum_entries < 1)
      throw Error(what + ": depth_split needs a partial-sum buffer; give the grid a psum_entries axis");
  } else {
    c.buffers.psum_entries = 0;  // no buffer without the mode
  }
  return c;
}

std::string PointName(const accel::AcceleratorConfig& c, const std::string& base) {
  char buf[160];
  std::snprintf(buf, sizeof buf, " u%d %.0fMHz w%lld l%lld g%lld", c.units, c.clock_hz / 1e6,
                static_cast<long long>(c.buffers.weight_addresses), static_cast<long long>(c.buffers.local_input_addresses),
                static_cast<long long>(c.buffers.gib_addresses));
  std::string name = base + buf;
  if (c.depth_split()) name += " p" + std::to_string(c.buffers.psum_entries);
  if (c.depthwise_mode()) name += " +dw";
  if (c.Accepts(static_cast<int32_t>(BuiltinOp::kFullyConnected))) name += " +fc";
  if (c.depth_split()) name += " +split";
  if (c.host_overlap()) name += " +overlap";
  if (!c.weight_preload()) name += " -preload";
  return name;
}

// The configuration without its name: two points with the same key are the same design.
std::string DesignKey(accel::AcceleratorConfig c) {
  for (const accel::ModeSpec& m : accel::AcceleratorModes()) c.modes[m.name] = c.Mode(m.name);  // defaults explicit
  json j = json::parse(accel::AcceleratorConfigToJson(c));
  j.erase("name");
  j.erase("description");
  return j.dump();
}

}  // namespace

ExploreGrid ParseExploreGrid(const json& doc, const std::string& where) {
  if (!doc.is_object()) throw Error(where + ": an explore grid must be a JSON object");
  ExploreGrid g;
  for (const auto& [key, v] : doc.items()) {
    if (key.rfind('_', 0) == 0 || key.rfind("comment", 0) == 0) continue;
    if (key == "boards") g.boards = ParseNames(v, where, key);
    else if (key == "families") g.families = ParseNames(v, where, key);
    else if (key == "methods") g.methods = ParseNames(v, where, key);
    else if (key == "models") g.models = ParseNames(v, where, key);
    else if (key == "units") g.units = ParseIntAxis(v, where, key, 1, 64);
    else if (key == "clock_mhz") g.clock_mhz = ParseIntAxis(v, where, key, 1, 2000);
    else if (key == "weight_addresses") g.weight_addresses = ParseIntAxis(v, where, key, 4, int64_t{1} << 24);
    else if (key == "local_input_addresses") g.local_input_addresses = ParseIntAxis(v, where, key, 4, int64_t{1} << 24);
    else if (key == "gib_addresses") g.gib_addresses = ParseIntAxis(v, where, key, 4, int64_t{1} << 26);
    else if (key == "psum_entries") g.psum_entries = ParseIntAxis(v, where, key, 1, int64_t{1} << 20);
    else if (key == "depthwise") g.depthwise = ParseBoolAxis(v, where, key);
    else if (key == "depth_split") g.depth_split = ParseBoolAxis(v, where, key);
    else if (key == "host_overlap") g.host_overlap = ParseBoolAxis(v, where, key);
    else if (key == "weight_preload") g.weight_preload = ParseBoolAxis(v, where, key);
    else if (key == "fc_offload") g.fc_offload = ParseBoolAxis(v, where, key);
    else if (key == "threads") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 64) Fail(where, key, "must be 0..64");
      g.threads = v.get<int>();
    } else if (key == "seed") {
      if (!v.is_number_unsigned()) Fail(where, key, "must be a non-negative integer");
      g.seed = v.get<uint64_t>();
    } else {
      Fail(where, key, "is not a known field (boards, families, methods, models, units, clock_mhz, weight_addresses, "
                       "local_input_addresses, gib_addresses, psum_entries, depthwise, depth_split, host_overlap, "
                       "weight_preload, fc_offload, threads, seed)");
    }
  }
  for (const auto& m : g.methods)
    if (!quant::FindMethod(m)) Fail(where, "methods", "names unknown method '" + m + "'");
  return g;
}

ExploreGrid LoadExploreGrid(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read the explore grid");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  return ParseExploreGrid(doc, path);
}

json ExploreGridToJson(const ExploreGrid& g) {
  return {{"boards", g.boards},
          {"families", g.families},
          {"methods", g.methods},
          {"models", g.models},
          {"units", AxisJson(g.units)},
          {"clock_mhz", AxisJson(g.clock_mhz)},
          {"weight_addresses", AxisJson(g.weight_addresses)},
          {"local_input_addresses", AxisJson(g.local_input_addresses)},
          {"gib_addresses", AxisJson(g.gib_addresses)},
          {"psum_entries", AxisJson(g.psum_entries)},
          {"depthwise", AxisJson(g.depthwise)},
          {"depth_split", AxisJson(g.depth_split)},
          {"host_overlap", AxisJson(g.host_overlap)},
          {"weight_preload", AxisJson(g.weight_preload)},
          {"fc_offload", AxisJson(g.fc_offload)},
          {"threads", g.threads},
          {"seed", g.seed}};
}

std::string ExploreGridHash(const ExploreGrid& g) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : ExploreGridToJson(g).dump()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<DesignPoint> EnumeratePoints(const ExploreGrid& g) {
  int64_t total = 1;
  for (size_t n : {g.boards.size(), g.families.size(), g.methods.size(), g.units.size(), g.clock_mhz.size(),
                   g.weight_addresses.size(), g.local_input_addresses.size(), g.gib_addresses.size(),
                   g.psum_entries.size(), g.depthwise.size(), g.depth_split.size(), g.host_overlap.size(),
                   g.weight_preload.size(), g.fc_offload.size()}) {
    total *= static_cast<int64_t>(n);
    if (total > kMaxGridPoints)
      throw Error("explore grid has more than " + std::to_string(kMaxGridPoints) + " points; split it");
  }
  std::vector<DesignPoint> points;
  std::set<std::string> seen;
  for (const auto& board : g.boards)
    for (const auto& family : g.families)
      for (const auto& method : g.methods) {
        const accel::AcceleratorConfig base = BaseConfig(family, board, method);
        const std::string base_name = family + "-" + board + "-" + method;
        Choice x;
        for (const auto& u : g.units)
          for (const auto& w : g.weight_addresses)
            for (const auto& l : g.local_input_addresses)
              for (const auto& gb : g.gib_addresses)
                for (const auto& ps : g.psum_entries)
                  for (const auto& dw : g.depthwise)
                    for (const auto& sp : g.depth_split)
                      for (const auto& ov : g.host_overlap)
                        for (const auto& pl : g.weight_preload)
                          for (const auto& fc : g.fc_offload)
                            for (const auto& clk : g.clock_mhz) {
                              x = {u, clk, w, l, gb, ps, dw, sp, ov, pl, fc};
                              DesignPoint p;
                              p.config = Apply(base, x, base_name);
                              if (!seen.insert(board + "|" + DesignKey(p.config)).second) continue;
                              p.id = static_cast<int64_t>(points.size());
                              p.board = board;
                              p.family = family;
                              p.method = method;
                              p.name = PointName(p.config, base_name);
                              p.config.name = p.name;
                              points.push_back(std::move(p));
                            }
      }
  return points;
}

}  // namespace potacc::platform
