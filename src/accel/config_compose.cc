// Composition of accelerator configurations: family x board x method, plus
// user overrides (docs/accelerator.md, "Configurations"), and resolving what
// the user typed after --accel.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "config_internal.h"
#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "potacc/util/json_text.h"

namespace potacc::accel {
namespace {

using config_internal::FieldReader;
using config_internal::Join;
using config_internal::MethodNames;
using config_internal::ParseDocument;
using config_internal::ParseFields;
using nlohmann::json;
namespace fs = std::filesystem;

// Configuration files are small; anything larger is not one.
constexpr int64_t kMaxConfigFileBytes = int64_t{1} << 20;

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

}  // namespace

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

namespace {

std::vector<std::string> Keys(const json& obj) {
  std::vector<std::string> k;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!FieldReader::IsNote(it.key())) k.push_back(it.key());
  return k;
}

// The family must exist for the method and the board's geometry.
void CheckFamilyCovers(const Family& family, const AccelBoard& board, const std::string& method) {
  if (!quant::FindMethod(method)) throw Error("unknown method '" + method + "' (valid: " + MethodNames() + ")");
  const json& fam = family.merged;
  if (fam.contains("methods") && !fam.at("methods").contains(method))
    throw Error("family " + family.name + " has no '" + method + "' design (methods: " + Join(Keys(fam.at("methods"))) +
                "; " + family.where() + ")");
  if (fam.contains("boards") && !fam.at("boards").contains(board.geometry))
    throw Error("family " + family.name + " exists only for board(s) " + Join(Keys(fam.at("boards"))) + ", not " +
                board.geometry + " (" + family.where() + ")");
}

// `obj.<key>.<sub>.config` if present, else null.
const json* Section(const json& obj, const std::string& key, const std::string& sub) {
  if (!obj.contains(key) || !obj.at(key).contains(sub) || !obj.at(key).at(sub).is_object()) return nullptr;
  const json& entry = obj.at(key).at(sub);
  return entry.contains("config") ? &entry.at("config") : nullptr;
}

// The layers below the user's, merged: what the board sets, the geometry,
// then per family file (root first) its config, its board's and its method's.
json ComposeLayers(const Family& family, const Geometry& geometry, const AccelBoard& board, const std::string& method,
                   std::vector<std::string>& sources) {
  json doc = {{"name", family.name + "-" + board.name + "-" + method},
              {"board", board.name},
              {"pe_method", method},
              {"units", board.units},
              {"clock_mhz", board.clock_hz / 1e6}};
  sources = {board.where, geometry.where};
  auto layer = [&](const json& fragment, const std::string& path, const std::string& where) {
    CheckFragment(fragment, path, doc, where);
    doc.merge_patch(fragment);
  };
  layer(geometry.config, "config", geometry.where);
  for (const FamilyFile& file : family.chain) {
    if (file.doc.contains("config")) layer(file.doc.at("config"), "config", file.where);
    if (const json* b = Section(file.doc, "boards", board.geometry))
      layer(*b, "boards." + board.geometry + ".config", file.where);
    if (const json* m = Section(file.doc, "methods", method)) layer(*m, "methods." + method + ".config", file.where);
    sources.push_back(file.where);
  }
  return doc;
}

// The user's layer on top: any field but the board and the method (the
// composition's). Checked field by field with the user's file in errors.
// Returns whether it sets the description.
bool ApplyOverrides(json& doc, const ConfigOverrides& overrides) {
  const json user = ParseJsonText(overrides.json_text, overrides.where);
  if (!user.is_object()) throw Error(overrides.where + ": top level must be a JSON object");
  for (const char* key : {"board", "pe_method"})
    if (user.contains(key))
      throw Error(overrides.where + ": field '" + key + "' cannot be overridden; choose the " +
                  (std::string(key) == "board" ? "board" : "method") + " of the composition instead");
  json merged = doc;
  merged.merge_patch(user);
  ParseFields(merged, overrides.where);
  doc = std::move(merged);
  return user.contains("description");
}

// "<design>; <geometry label>, <units> GEMM units @ <clock> MHz[; <family description>]"
std::string ComposedDescription(const Family& family, const Geometry& geometry, const std::string& method,
                                const AcceleratorConfig& c) {
  const json& fam = family.merged;
  std::string design;
  if (fam.contains("methods")) design = fam.at("methods").at(method).value("design", "");
  if (design.empty()) design = method + " PE";
  const std::string extra = fam.value("description", "");
  return design + "; " + geometry.label + ", " + std::to_string(c.units) + " GEMM units @ " + MhzText(c.clock_hz) +
         " MHz" + (extra.empty() ? "" : "; " + extra);
}

}  // namespace

AcceleratorConfig ComposeAcceleratorConfig(const std::string& family_spec, const AccelBoard& board,
                                           const std::string& method, const ConfigOverrides* overrides) {
  const Family family = LoadFamily(family_spec);
  CheckFamilyCovers(family, board, method);
  const Geometry geometry = LoadGeometry(board);
  std::vector<std::string> sources;
  json doc = ComposeLayers(family, geometry, board, method, sources);
  bool own_description = false;
  if (overrides) {
    own_description = ApplyOverrides(doc, *overrides);
    sources.push_back(overrides->where);
  }
  const std::string where = doc.value("name", "") + " (composed from " + Join(sources, " + ") + ")";
  AcceleratorConfig c = ParseDocument(doc, where);
  if (!own_description) c.description = ComposedDescription(family, geometry, method, c);
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
      if (fam.contains("boards") && !fam.at("boards").contains(board.geometry)) continue;
      if (!fs::exists(ShippedConfigDir() + "/boards/" + board.geometry + ".json", ec)) continue;
      for (const quant::Method* m : quant::AllMethods()) {
        if (fam.contains("methods") && !fam.at("methods").contains(m->name)) continue;
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

}  // namespace potacc::accel
