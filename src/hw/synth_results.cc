#include "potacc/hw/synth_results.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "potacc/error.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/util/file.h"
#include "potacc/hw/hw_dir.h"

namespace potacc::hw {
namespace {

using nlohmann::json;

json FiguresToJson(const SynthFigures& f) {
  json j;
  j["lut"] = f.lut;
  j["ff"] = f.ff;
  j["carry"] = f.carry;
  j["dsp"] = f.dsp;
  j["depth"] = f.depth;
  j["muxf"] = f.muxf;
  j["lut_by_size"] = f.lut_by_size;
  j["cells"] = f.cells;
  j["seconds"] = f.seconds;
  if (!f.family.empty()) {  // whole-accelerator entries
    j["bram36"] = f.bram36;
    j["bram18"] = f.bram18;
    j["bram_tiles"] = f.bram_tiles();
    j["uram"] = f.uram;
    j["lutram"] = f.lutram;
    j["family"] = f.family;
    j["config"] = f.config;
    j["top_hash"] = f.top_hash;
  }
  return j;
}

int OptionalInt(const json& j, const char* key) { return j.contains(key) ? j[key].get<int>() : 0; }
std::string OptionalText(const json& j, const char* key) { return j.contains(key) ? j[key].get<std::string>() : ""; }

// LUTs a distributed-RAM / shift-register primitive occupies.
int LutramLuts(const std::string& type) {
  static const std::map<std::string, int> luts = {
      {"RAM32M", 4},    {"RAM32M16", 8},  {"RAM64M", 4},    {"RAM64M8", 8},   {"RAM32X1D", 2}, {"RAM64X1D", 2},
      {"RAM128X1D", 4}, {"RAM256X1D", 8}, {"RAM32X1S", 1},  {"RAM64X1S", 1},  {"RAM128X1S", 2}, {"RAM256X1S", 4},
      {"RAM512X1S", 8}, {"SRL16E", 1},    {"SRLC16E", 1},   {"SRLC32E", 1}};
  auto it = luts.find(type);
  return it == luts.end() ? 0 : it->second;
}

int RequireInt(const json& j, const char* key, const std::string& where) {
  Check(j.contains(key) && j[key].is_number_integer(), where + ": missing integer '" + key + "'");
  return j[key].get<int>();
}

SynthFigures FiguresFromJson(const json& j, const std::string& where) {
  Check(j.is_object(), where + ": expected an object");
  SynthFigures f;
  f.lut = RequireInt(j, "lut", where);
  f.ff = RequireInt(j, "ff", where);
  f.carry = RequireInt(j, "carry", where);
  f.dsp = RequireInt(j, "dsp", where);
  f.depth = RequireInt(j, "depth", where);
  if (j.contains("muxf")) f.muxf = j["muxf"].get<int>();
  if (j.contains("lut_by_size")) f.lut_by_size = j["lut_by_size"].get<std::map<std::string, int>>();
  if (j.contains("cells")) f.cells = j["cells"].get<std::map<std::string, int>>();
  if (j.contains("seconds")) f.seconds = j["seconds"].get<double>();
  f.bram36 = OptionalInt(j, "bram36");
  f.bram18 = OptionalInt(j, "bram18");
  f.uram = OptionalInt(j, "uram");
  f.lutram = OptionalInt(j, "lutram");
  f.family = OptionalText(j, "family");
  f.config = OptionalText(j, "config");
  f.top_hash = OptionalText(j, "top_hash");
  return f;
}

}  // namespace

std::string TopModule(SynthTarget target) {
  switch (target) {
    case SynthTarget::kPe: return "pe";
    case SynthTarget::kGemmUnit: return "gemm_unit";
    case SynthTarget::kAccel: return "potacc_accel_top";
  }
  return "";
}

std::string SectionKey(const SynthSection& section) {
  if (section.target == SynthTarget::kAccel) return std::string(kAccelSectionPrefix) + section.board;
  return TopModule(section.target) + (section.dsp ? "" : "_nodsp");
}

const SynthFigures& SynthResults::Get(const SynthSection& section, const std::string& method) const {
  const std::string key = SectionKey(section);
  auto s = sections.find(key);
  Check(s != sections.end(), "synthesis results have no section '" + key + "'");
  auto m = s->second.find(method);
  Check(m != s->second.end(), "synthesis results '" + key + "' have no method '" + method + "'");
  return m->second;
}

bool SynthResults::Has(const SynthSection& section, const std::string& method) const {
  auto s = sections.find(SectionKey(section));
  return s != sections.end() && s->second.count(method) != 0;
}

std::vector<std::string> SynthResults::AccelBoards() const {
  std::vector<std::string> boards;
  for (const auto& [key, methods] : sections)
    if (key.starts_with(kAccelSectionPrefix)) boards.push_back(key.substr(std::string(kAccelSectionPrefix).size()));
  return boards;
}

void SynthResults::Merge(const SynthResults& other) {
  tool = other.tool;
  family = other.family;
  rtl_hash = other.rtl_hash;
  for (const auto& [key, methods] : other.sections)
    for (const auto& [method, figures] : methods) sections[key][method] = figures;
}

std::string HashText(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// The directive and its first argument of a source line ("`ifdef", "POTACC_X"),
// empty when the line is not a preprocessor directive.
std::pair<std::string, std::string> Directive(const std::string& line) {
  std::istringstream words(line);
  std::string directive, argument;
  words >> directive >> argument;
  if (directive.empty() || directive[0] != '`') return {};
  if (argument.starts_with("//")) argument.clear();
  return {directive, argument};
}

}  // namespace

std::string WithoutExtensions(const std::string& text) {
  enum { kOutside, kExtension, kElse } region = kOutside;
  std::string out;
  size_t at = 0;
  int line_no = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    const auto [directive, argument] = Directive(line);
    auto fail = [&](const std::string& why) {
      throw Error("line " + std::to_string(line_no) + ": " + why + " (hw/rtl keeps potacc-x code in plain `ifdef " +
                  kExtensionsDefine + " / `else / `endif regions; see docs/hardware.md)");
    };
    const bool names_extensions = argument == kExtensionsDefine;
    if (region == kOutside) {
      if (directive == "`ifdef" && names_extensions) {
        region = kExtension;
        continue;
      }
      if (names_extensions) fail(directive + " " + argument + " is not supported");
      out += line;
      if (end < text.size()) out += '\n';
      continue;
    }
    if (directive == "`else" && region == kExtension) {
      region = kElse;
    } else if (directive == "`endif") {
      region = kOutside;
    } else if (!directive.empty() && directive != "`define" && directive != "`undef") {
      fail(directive + " inside a " + kExtensionsDefine + " region");
    } else if (region == kElse) {
      out += line;
      if (end < text.size()) out += '\n';
    }
  }
  if (region != kOutside) throw Error(std::string("`ifdef ") + kExtensionsDefine + " without `endif");
  return out;
}

std::string RtlSourcesHash(const std::filesystem::path& rtl_dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(rtl_dir, ec))
    if (e.path().extension() == ".v") files.push_back(e.path());
  Check(!ec && !files.empty(), "no Verilog files (*.v) in " + rtl_dir.string());
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    // The reference design's text: potacc-x regions removed, files that hold
    // only potacc-x blocks left out.
    std::string reference;
    try {
      reference = WithoutExtensions(text.str());
    } catch (const Error& e) {
      throw Error(f.string() + ": " + e.what());
    }
    if (reference.find_first_not_of(" \t\n") == std::string::npos) continue;
    all += f.filename().string() + '\0' + reference + '\0';
  }
  return HashText(all);
}

SynthFigures FiguresFromCells(const std::map<std::string, int>& cells) {
  SynthFigures f;
  f.cells = cells;
  for (const auto& [type, count] : cells) {
    if (type.size() == 4 && type.starts_with("LUT") && type[3] >= '1' && type[3] <= '6') {
      f.lut += count;
      f.lut_by_size[type] += count;
    } else if (type == "INV") {
      f.lut += count;
      f.lut_by_size[type] += count;
    } else if (type.starts_with("FD") || type.starts_with("LDCE") || type.starts_with("LDPE")) {
      f.ff += count;
    } else if (type == "CARRY4" || type == "CARRY8") {
      f.carry += count;
    } else if (type.starts_with("DSP48")) {
      f.dsp += count;
    } else if (type.starts_with("MUXF")) {
      f.muxf += count;
    } else if (type.starts_with("RAMB36")) {
      f.bram36 += count;
    } else if (type.starts_with("RAMB18")) {
      f.bram18 += count;
    } else if (type.starts_with("URAM")) {
      f.uram += count;
    } else if (LutramLuts(type) > 0) {
      f.lutram += count * LutramLuts(type);
    }
  }
  for (const char* size : {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV"}) f.lut_by_size.emplace(size, 0);
  return f;
}

SynthFigures ParseYosysStatJson(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error(std::string("cannot parse Yosys `stat -json` output: ") + e.what());
  }
  const json* stats = nullptr;
  if (j.contains("design") && j["design"].contains("num_cells_by_type")) {
    stats = &j["design"];
  } else if (j.contains("modules") && j["modules"].is_object() && j["modules"].size() == 1) {
    stats = &j["modules"].begin().value();
  }
  Check(stats != nullptr && stats->contains("num_cells_by_type"),
        "Yosys `stat -json` output has no cell counts (no 'design' and not exactly one module)");
  return FiguresFromCells((*stats)["num_cells_by_type"].get<std::map<std::string, int>>());
}

int ParseLtpLength(const std::string& log_text) {
  // "Longest topological path in <module> (length=N):"
  const std::string kLine = "Longest topological path in ";
  const std::string kLength = "(length=";
  const size_t line = log_text.find(kLine);
  const size_t at = line == std::string::npos ? line : log_text.find(kLength, line);
  const size_t eol = line == std::string::npos ? line : log_text.find('\n', line);
  Check(at != std::string::npos && at < eol,
        "Yosys log has no 'Longest topological path ... (length=N)' line (did `ltp` run?)");
  try {
    return std::stoi(log_text.substr(at + kLength.size()));
  } catch (const std::exception&) {
    throw Error("Yosys log: unreadable ltp length");
  }
}

std::string ResultsToJson(const SynthResults& results) {
  json j;
  j["tool"] = results.tool;
  j["family"] = results.family;
  if (!results.rtl_hash.empty()) j["rtl_hash"] = results.rtl_hash;
  for (const auto& [key, methods] : results.sections) {
    json section = json::object();
    for (const auto& [method, figures] : methods) section[method] = FiguresToJson(figures);
    if (key.starts_with(kAccelSectionPrefix))
      j["accel"][key.substr(std::string(kAccelSectionPrefix).size())] = section;
    else
      j[key] = section;
  }
  return j.dump(2) + "\n";
}

SynthResults ResultsFromJson(const std::string& json_text, const std::string& origin) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error(origin + ": not valid JSON: " + e.what());
  }
  Check(j.is_object(), origin + ": expected a JSON object");
  SynthResults r;
  if (j.contains("tool")) r.tool = j["tool"].get<std::string>();
  if (j.contains("family")) r.family = j["family"].get<std::string>();
  if (j.contains("rtl_hash")) r.rtl_hash = j["rtl_hash"].get<std::string>();
  if (j.contains("accel")) {
    Check(j["accel"].is_object(), origin + ": 'accel' must be an object of boards");
    for (const auto& [board, methods] : j["accel"].items()) {
      Check(methods.is_object(), origin + ": accel." + board + " must be an object");
      for (const auto& [method, figures] : methods.items())
        r.sections[kAccelSectionPrefix + board][method] = FiguresFromJson(figures, origin + ": accel." + board + "." + method);
    }
  }
  for (SynthTarget target : {SynthTarget::kPe, SynthTarget::kGemmUnit}) {
    for (bool dsp : {true, false}) {
      const std::string key = SectionKey({target, dsp});
      if (!j.contains(key)) continue;
      Check(j[key].is_object(), origin + ": '" + key + "' must be an object");
      for (const auto& [method, figures] : j[key].items())
        r.sections[key][method] = FiguresFromJson(figures, origin + ": " + key + "." + method);
    }
  }
  Check(!r.sections.empty(), origin + ": no 'pe'/'gemm_unit'/'accel' sections");
  return r;
}

SynthResults LoadResults(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    // The default file gets the hint how to point potacc at another hw/ folder.
    const bool is_default = path == CachedResultsPath();
    throw Error("cannot open synthesis results " + path.string() +
                (is_default ? " (" + HwDirHint() + ", or give --cache-file)" : std::string()));
  }
  return ResultsFromJson(ReadTextFile(path.string()), path.string());  // refuses devices, FIFOs, folders
}

void SaveResults(const SynthResults& results, const std::filesystem::path& path) {
  WriteFileIfChanged(path, ResultsToJson(results));  // temp file + rename: whole or not at all
}

std::filesystem::path CachedResultsPath() {
  return HwDir() / "synth" / "results.json";
}

}  // namespace potacc::hw
