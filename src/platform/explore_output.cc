// Explore results as JSON / CSV / text / SVG, the resume journal, shard
// merging and the Slurm job-array script.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "potacc/error.h"
#include "potacc/platform/explore.h"
#include "potacc/report/csv.h"
#include "potacc/report/table.h"
#include "potacc/util/file.h"
#include "potacc/util/text.h"

namespace potacc::platform {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json ResourcesJson(const Resources& r) {
  return {{"lut", r.lut}, {"ff", r.ff}, {"bram", r.bram}, {"dsp", r.dsp}, {"uram", r.uram}};
}

Resources ResourcesOf(const json& j) {
  return ResourcesFrom([&](const char* k) { return j.at(k).get<double>(); });
}

const PointResult* FindPoint(const ExploreResult& r, int64_t id) {
  auto it = std::lower_bound(r.points.begin(), r.points.end(), id,
                             [](const PointResult& p, int64_t x) { return p.id < x; });
  return it != r.points.end() && it->id == id ? &*it : nullptr;
}

constexpr const char* kJournal = "points.jsonl";

}  // namespace

json PointToJson(const PointResult& p) {
  json models = json::array();
  for (const auto& m : p.models)
    models.push_back({{"model", m.model},
                      {"latency_ms", m.latency_ms},
                      {"energy_mj", m.energy_mj},
                      {"cpu_latency_ms", m.cpu_latency_ms},
                      {"cpu_energy_mj", m.cpu_energy_mj},
                      {"accel_layers", m.accel_layers},
                      {"nodes", m.nodes}});
  json util = json::object();
  for (const auto& [k, v] : p.fit.utilization) util[k] = std::isfinite(v) ? json(v) : json(nullptr);
  return {{"id", p.id},
          {"name", p.name},
          {"board", p.board},
          {"family", p.family},
          {"method", p.method},
          {"reference", p.reference},
          {"config", p.config},
          {"resources", {{"ip", ResourcesJson(p.ip)}, {"total", ResourcesJson(p.total)}}},
          {"fits", p.fit.fits},
          {"limit", p.fit.limit},
          {"worst_utilization", std::isfinite(p.fit.worst) ? json(p.fit.worst) : json(nullptr)},
          {"utilization", util},
          {"latency_ms", p.latency_ms},
          {"energy_mj", p.energy_mj},
          {"speedup_vs_cpu", p.speedup_vs_cpu},
          {"models", models}};
}

PointResult PointFromJson(const json& j) {
  PointResult p;
  p.id = j.at("id").get<int64_t>();
  p.name = j.at("name").get<std::string>();
  p.board = j.at("board").get<std::string>();
  p.family = j.at("family").get<std::string>();
  p.method = j.at("method").get<std::string>();
  p.reference = j.at("reference").get<bool>();
  p.config = j.at("config");
  p.ip = ResourcesOf(j.at("resources").at("ip"));
  p.total = ResourcesOf(j.at("resources").at("total"));
  p.fit.fits = j.at("fits").get<bool>();
  p.fit.limit = j.at("limit").get<std::string>();
  p.fit.worst = j.at("worst_utilization").is_null() ? INFINITY : j.at("worst_utilization").get<double>();
  for (const auto& [k, v] : j.at("utilization").items()) p.fit.utilization[k] = v.is_null() ? INFINITY : v.get<double>();
  p.latency_ms = j.at("latency_ms").get<double>();
  p.energy_mj = j.at("energy_mj").get<double>();
  p.speedup_vs_cpu = j.at("speedup_vs_cpu").get<double>();
  for (const auto& m : j.at("models")) {
    ModelOutcome o;
    o.model = m.at("model").get<std::string>();
    o.latency_ms = m.at("latency_ms").get<double>();
    o.energy_mj = m.at("energy_mj").get<double>();
    o.cpu_latency_ms = m.at("cpu_latency_ms").get<double>();
    o.cpu_energy_mj = m.at("cpu_energy_mj").get<double>();
    o.accel_layers = m.at("accel_layers").get<int>();
    o.nodes = m.at("nodes").get<int>();
    p.models.push_back(o);
  }
  return p;
}

json ExploreToJson(const ExploreResult& r) {
  json points = json::array(), refs = json::array();
  for (const auto& p : r.points) points.push_back(PointToJson(p));
  for (const auto& p : r.references) refs.push_back(PointToJson(p));
  int64_t fitting = 0;
  for (const auto& p : r.points) fitting += p.fit.fits;
  return {{"grid", ExploreGridToJson(r.grid)},
          {"grid_hash", ExploreGridHash(r.grid)},
          {"grid_points", r.grid_points},
          {"evaluated_points", static_cast<int64_t>(r.points.size())},
          {"fitting_points", fitting},
          {"objectives", {"latency_ms (geometric mean over models)", "resources.ip.lut",
                          "energy_mj (geometric mean over models)"}},
          {"front", r.front},
          {"references", refs},
          {"points", points}};
}

std::string ExplorePointsCsv(const ExploreResult& r) {
  std::vector<std::string> header = {"id", "name", "board", "family", "method", "units", "clock_mhz",
                                     "weight_addresses", "local_input_addresses", "gib_addresses", "psum_entries",
                                     "depthwise", "fc_offload", "depth_split", "host_overlap", "weight_preload",
                                     "fits", "limit", "lut", "ff", "bram", "dsp", "uram", "latency_ms", "energy_mj",
                                     "speedup_vs_cpu", "on_front", "reference"};
  std::vector<std::string> models;
  for (const auto& p : r.points)
    if (!p.models.empty()) {
      for (const auto& m : p.models) models.push_back(m.model);
      break;
    }
  for (const auto& m : models) header.push_back(m + "_latency_ms");
  std::string out = report::CsvLine(header);
  const std::set<int64_t> front(r.front.begin(), r.front.end());
  auto row = [&](const PointResult& p) {
    const json& c = p.config;
    std::vector<std::string> f = {p.reference ? "" : std::to_string(p.id), p.name, p.board, p.family, p.method};
    for (const char* k : {"units", "clock_mhz", "weight_addresses", "local_input_addresses", "gib_addresses",
                          "psum_entries", "depthwise", "fc_offload", "depth_split", "host_overlap", "weight_preload"})
      f.push_back(c.at(k).dump());
    f.push_back(p.fit.fits ? "true" : "false");
    f.push_back(p.fit.limit);
    for (double v : {p.ip.lut, p.ip.ff, p.ip.bram, p.ip.dsp, p.ip.uram}) f.push_back(FormatFixed(v, 1));
    const bool timed = !p.models.empty();
    f.push_back(timed ? FormatFixed(p.latency_ms, 4) : "");
    f.push_back(timed ? FormatFixed(p.energy_mj, 4) : "");
    f.push_back(timed ? FormatFixed(p.speedup_vs_cpu, 4) : "");
    f.push_back(!p.reference && front.count(p.id) ? "true" : "false");
    f.push_back(p.reference ? "true" : "false");
    for (size_t k = 0; k < models.size(); ++k) f.push_back(k < p.models.size() ? FormatFixed(p.models[k].latency_ms, 4) : "");
    out += report::CsvLine(f);
  };
  for (const auto& p : r.references) row(p);
  for (const auto& p : r.points) row(p);
  return out;
}

std::string ExploreFrontCsv(const ExploreResult& r) {
  ExploreResult front = r;
  front.points.clear();
  front.references.clear();
  for (int64_t id : r.front)
    if (const PointResult* p = FindPoint(r, id)) front.points.push_back(*p);
  return ExplorePointsCsv(front);
}

std::string ExploreFrontText(const ExploreResult& r, size_t max_rows) {
  int64_t fitting = 0;
  for (const auto& p : r.points) fitting += p.fit.fits;
  std::string out = std::to_string(r.points.size()) + " of " + std::to_string(r.grid_points) +
                    " design point(s) evaluated, " + std::to_string(fitting) + " fit the device, " +
                    std::to_string(r.front.size()) + " on the Pareto front (latency, LUTs, energy)\n\n";
  std::vector<std::string> models;
  for (const auto& p : r.references)
    for (const auto& m : p.models) {
      if (std::find(models.begin(), models.end(), m.model) == models.end()) models.push_back(m.model);
    }
  std::vector<std::string> header = {"id", "design point", "LUT", "BRAM", "DSP", "latency ms", "energy mJ", "vs CPU"};
  for (const auto& m : models) header.push_back(m + " ms");
  report::Table t(header);
  auto add = [&](const PointResult& p, const std::string& id) {
    std::vector<std::string> row = {id, p.name, FormatFixed(p.ip.lut, 0), FormatFixed(p.ip.bram, 1), FormatFixed(p.ip.dsp, 0),
                                    p.models.empty() ? "-" : FormatFixed(p.latency_ms, 2),
                                    p.models.empty() ? "-" : FormatFixed(p.energy_mj, 2),
                                    p.models.empty() ? "-" : FormatFixed(p.speedup_vs_cpu, 2) + "x"};
    for (size_t k = 0; k < models.size(); ++k) row.push_back(k < p.models.size() ? FormatFixed(p.models[k].latency_ms, 2) : "-");
    t.AddRow(row);
  };
  for (const auto& p : r.references) add(p, p.fit.fits ? "ref" : "ref!");
  t.AddSeparator();
  size_t shown = 0;
  for (int64_t id : r.front) {
    if (shown++ == max_rows) break;
    if (const PointResult* p = FindPoint(r, id)) add(*p, std::to_string(id));
  }
  out += t.Render();
  if (r.front.size() > max_rows)
    out += "(" + std::to_string(r.front.size() - max_rows) + " more front points in front.csv)\n";
  out += "latency and energy: geometric means over the models; vs CPU: mean of the per-model speed-ups; "
         "ref = shipped reference design (ref! = it does not fit by the resource model)\n";
  return out;
}

report::ScatterChart ExploreChart(const ExploreResult& r) {
  report::ScatterChart chart;
  chart.title = "Design points: latency vs accelerator LUTs (" + std::to_string(r.front.size()) + " on the front)";
  chart.x_label = "accelerator LUTs (resource model, 'ip')";
  chart.y_label = "latency, geometric mean over models (ms)";
  chart.log_y = true;
  report::ScatterSeries all{"fitting points", report::ScatterSeries::Style::kDots, {}};
  report::ScatterSeries front{"Pareto front", report::ScatterSeries::Style::kFront, {}};
  report::ScatterSeries refs{"reference designs", report::ScatterSeries::Style::kMarkers, {}};
  const std::set<int64_t> on_front(r.front.begin(), r.front.end());
  for (const auto& p : r.points) {
    if (!p.fit.fits || p.models.empty()) continue;
    (on_front.count(p.id) ? front : all).points.push_back({p.ip.lut, p.latency_ms, p.name});
  }
  std::sort(front.points.begin(), front.points.end(),
            [](const report::ScatterPoint& a, const report::ScatterPoint& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  for (const auto& p : r.references)
    if (!p.models.empty()) refs.points.push_back({p.ip.lut, p.latency_ms, p.method + " (" + p.board + ")"});
  chart.series = {all, front, refs};
  return chart;
}

// ---- journal, merge, Slurm

std::optional<ExploreJournal> ReadExploreJournal(const std::string& dir) {
  const fs::path path = fs::path(dir) / kJournal;
  if (!fs::exists(path)) return std::nullopt;
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot read");
  ExploreJournal j;
  std::string line;
  bool header = true;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    json doc;
    try {
      doc = json::parse(line);
    } catch (const json::parse_error&) {
      if (in.peek() == EOF) break;  // torn last line of an interrupted run
      throw Error(path.string() + ":" + std::to_string(number) + ": not a JSON line");
    }
    try {
      if (header) {
        j.grid_hash = doc.at("grid_hash").get<std::string>();
        j.shard_index = doc.at("shard_index").get<int>();
        j.shard_count = doc.at("shard_count").get<int>();
        header = false;
      } else {
        j.points.push_back(PointFromJson(doc));
      }
    } catch (const json::exception& e) {
      throw Error(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  if (header) throw Error(path.string() + ": no header line");
  return j;
}

void OpenExploreJournal(const std::string& dir, const std::string& grid_hash, int shard_index, int shard_count) {
  fs::create_directories(dir);
  if (auto j = ReadExploreJournal(dir)) {
    if (j->grid_hash != grid_hash || j->shard_index != shard_index || j->shard_count != shard_count)
      throw Error(dir + "/" + kJournal + " belongs to another sweep (grid " + j->grid_hash + ", shard " +
                  std::to_string(j->shard_index) + "/" + std::to_string(j->shard_count) +
                  "); use another --out folder or remove it");
    return;
  }
  const json header = {{"grid_hash", grid_hash}, {"shard_index", shard_index}, {"shard_count", shard_count}};
  WriteFileAtomic((fs::path(dir) / kJournal).string(), header.dump() + "\n");
}

void AppendExploreJournal(const std::string& dir, const PointResult& p) {
  const fs::path path = fs::path(dir) / kJournal;
  std::ofstream out(path, std::ios::app);
  out << PointToJson(p).dump() << "\n";
  out.flush();
  if (!out) throw Error(path.string() + ": cannot append");
}

void WriteExploreOutputs(const std::string& dir, const ExploreResult& r) {
  fs::create_directories(dir);
  const fs::path d(dir);
  WriteFileAtomic((d / "explore.json").string(), ExploreToJson(r).dump(1) + "\n");
  WriteFileAtomic((d / "points.csv").string(), ExplorePointsCsv(r));
  WriteFileAtomic((d / "front.csv").string(), ExploreFrontCsv(r));
  WriteFileAtomic((d / "front.svg").string(), report::RenderScatterSvg(ExploreChart(r)));
}

ExploreResult MergeExploreShards(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw Error("explore --merge: give the shard folders");
  std::optional<ExploreGrid> grid;
  std::string hash;
  int count = 0;
  std::set<int> shards;
  std::map<int64_t, PointResult> points;
  for (const auto& dir : dirs) {
    const auto journal = ReadExploreJournal(dir);
    if (!journal) throw Error(dir + ": no " + std::string(kJournal) + " (not an explore output folder)");
    if (!grid) {
      const fs::path g = fs::path(dir) / "grid.json";
      if (!fs::exists(g)) throw Error(dir + ": no grid.json");
      grid = LoadExploreGrid(g.string());
      hash = ExploreGridHash(*grid);
      count = journal->shard_count;
    }
    if (journal->grid_hash != hash) throw Error(dir + ": a shard of another grid (" + journal->grid_hash + ")");
    if (journal->shard_count != count) throw Error(dir + ": shard of a " + std::to_string(journal->shard_count) + "-way split, others " + std::to_string(count));
    if (!shards.insert(journal->shard_index).second)
      throw Error(dir + ": shard " + std::to_string(journal->shard_index) + " given twice");
    for (const auto& p : journal->points) points[p.id] = p;
  }
  if (static_cast<int>(shards.size()) != count)
    throw Error("explore --merge: " + std::to_string(shards.size()) + " of " + std::to_string(count) + " shards given");
  // Points, references and the front as the single-machine run computes them
  // (RunExplore evaluates nothing new: every point is in `done`).
  std::vector<PointResult> done;
  for (auto& [id, p] : points) done.push_back(std::move(p));
  ExploreOptions o;
  o.max_new_points = 0;
  ExploreResult r = RunExplore(*grid, o, done);
  if (static_cast<int64_t>(r.points.size()) != r.grid_points)
    throw Error("explore --merge: the shards hold " + std::to_string(r.points.size()) + " of " +
                std::to_string(r.grid_points) + " points (an unfinished shard? rerun it, it resumes)");
  return r;
}

std::string WriteSlurmScript(const std::string& dir, const ExploreGrid& grid, int count, const std::string& potacc,
                             int cpus_per_task) {
  if (count < 1) throw Error("explore --slurm: the shard count must be at least 1");
  const fs::path d = fs::absolute(dir);
  fs::create_directories(d);
  WriteFileAtomic((d / "grid.json").string(), ExploreGridToJson(grid).dump(1) + "\n");
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# potacc explore as a Slurm job array: shard i of " << count << " runs in " << d.string() << "/shard-i.\n"
    << "# Submit: sbatch " << (d / "explore.sbatch").string() << "\n"
    << "# Merge when all tasks are done:\n"
    << "#   " << potacc << " explore --merge " << (d / "shard-*").string() << " --out " << (d / "merged").string() << "\n"
    << "#SBATCH --job-name=potacc-explore\n"
    << "#SBATCH --array=0-" << count - 1 << "\n"
    << "#SBATCH --cpus-per-task=" << cpus_per_task << "\n"
    << "#SBATCH --output=" << (d / "slurm-%A_%a.out").string() << "\n"
    << "set -euo pipefail\n"
    << "out=" << d.string() << "/shard-${SLURM_ARRAY_TASK_ID}\n"
    << "mkdir -p \"$out\"\n"
    << "cp " << (d / "grid.json").string() << " \"$out/grid.json\"\n"
    << "exec " << potacc << " explore --grid " << (d / "grid.json").string()
    << " --shard ${SLURM_ARRAY_TASK_ID}/" << count << " --jobs ${SLURM_CPUS_PER_TASK:-" << cpus_per_task
    << "} --out \"$out\" --quiet\n";
  const fs::path script = d / "explore.sbatch";
  WriteFileAtomic(script.string(), s.str());
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  return script.string();
}

}  // namespace potacc::platform
