#include "potacc/hw/synth_results.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "potacc/error.h"
#include "potacc/hw/hw_dir.h"

namespace potacc::hw {
namespace {

using nlohmann::json;

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

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
  return j;
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
  return f;
}

}  // namespace

std::string TopModule(SynthTarget target) { return target == SynthTarget::kPe ? "pe" : "gemm_unit"; }

std::string SectionKey(SynthSection section) {
  return TopModule(section.target) + (section.dsp ? "" : "_nodsp");
}

const SynthFigures& SynthResults::Get(SynthSection section, const std::string& method) const {
  const std::string key = SectionKey(section);
  auto s = sections.find(key);
  Check(s != sections.end(), "synthesis results have no section '" + key + "'");
  auto m = s->second.find(method);
  Check(m != s->second.end(), "synthesis results '" + key + "' have no method '" + method + "'");
  return m->second;
}

bool SynthResults::Has(SynthSection section, const std::string& method) const {
  auto s = sections.find(SectionKey(section));
  return s != sections.end() && s->second.count(method) != 0;
}

SynthFigures FiguresFromCells(const std::map<std::string, int>& cells) {
  SynthFigures f;
  f.cells = cells;
  for (const auto& [type, count] : cells) {
    if (type.size() == 4 && StartsWith(type, "LUT") && type[3] >= '1' && type[3] <= '6') {
      f.lut += count;
      f.lut_by_size[type] += count;
    } else if (type == "INV") {
      f.lut += count;
      f.lut_by_size[type] += count;
    } else if (StartsWith(type, "FD") || StartsWith(type, "LDCE") || StartsWith(type, "LDPE")) {
      f.ff += count;
    } else if (type == "CARRY4" || type == "CARRY8") {
      f.carry += count;
    } else if (StartsWith(type, "DSP48")) {
      f.dsp += count;
    } else if (StartsWith(type, "MUXF")) {
      f.muxf += count;
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
  for (const auto& [key, methods] : results.sections) {
    json section = json::object();
    for (const auto& [method, figures] : methods) section[method] = FiguresToJson(figures);
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
  for (SynthTarget target : {SynthTarget::kPe, SynthTarget::kGemmUnit}) {
    for (bool dsp : {true, false}) {
      const std::string key = SectionKey({target, dsp});
      if (!j.contains(key)) continue;
      Check(j[key].is_object(), origin + ": '" + key + "' must be an object");
      for (const auto& [method, figures] : j[key].items())
        r.sections[key][method] = FiguresFromJson(figures, origin + ": " + key + "." + method);
    }
  }
  Check(!r.sections.empty(), origin + ": no 'pe'/'gemm_unit' sections");
  return r;
}

SynthResults LoadResults(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // The default file gets the hint how to point potacc at another hw/ folder.
    const bool is_default = path == CachedResultsPath();
    throw Error("cannot open synthesis results " + path.string() +
                (is_default ? " (" + HwDirHint() + ", or give --cache-file)" : std::string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ResultsFromJson(text.str(), path.string());
}

void SaveResults(const SynthResults& results, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Check(static_cast<bool>(out), "cannot write " + path.string());
  out << ResultsToJson(results);
  out.close();
  Check(static_cast<bool>(out), "cannot write " + path.string());
}

std::filesystem::path CachedResultsPath() {
  return HwDir() / "synth" / "results.json";
}

}  // namespace potacc::hw
