// potacc explore [--grid G.json] [axis flags] [--out DIR] [--jobs N] [--shard i/n]
// potacc explore ... --slurm N        (writes DIR/explore.sbatch, a Slurm job array)
// potacc explore --merge DIR... --out DIR
// Sweeps accelerator design points over models on a board model and writes
// the Pareto front (latency, LUTs, energy); see docs/explore.md.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "command.h"
#include "progress_bar.h"
#include "potacc/error.h"
#include "potacc/platform/explore.h"
#include "potacc/util/file.h"
#include "potacc/util/progress.h"
#include "potacc/util/source_tree.h"

namespace potacc::cli {
namespace {

namespace fs = std::filesystem;
using platform::ExploreGrid;

struct ExploreFlags {
  std::string grid;
  std::string boards, families, methods, models;
  std::string units, clock, weight_addresses, local_input_addresses, gib_addresses, psum_entries;
  std::string depthwise, depth_split, host_overlap, weight_preload, fc_offload;
  int threads = -1;
  std::string out = "explore-out";
  int jobs = 0;
  std::string shard;
  int64_t limit = -1;
  int slurm = 0;
  int cpus_per_task = 2;
  std::vector<std::string> merge;
  bool quiet = false;
};

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// "1,2,family" -> [1, 2, null] as grid JSON; flags reuse the grid parser's checks.
nlohmann::json AxisFlag(const std::string& text, bool boolean) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& v : SplitList(text)) {
    if (v == "family") {
      a.push_back(nullptr);
    } else if (boolean) {
      if (v == "on" || v == "true" || v == "1") a.push_back(true);
      else if (v == "off" || v == "false" || v == "0") a.push_back(false);
      else throw Error("'" + v + "' is not on/off/family");
    } else {
      try {
        size_t used = 0;
        const long long n = std::stoll(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
        a.push_back(n);
      } catch (const std::exception&) {
        throw Error("'" + v + "' is not an integer (or family)");
      }
    }
  }
  return a;
}

std::string ShippedGridPath() {
  const char* env = std::getenv("POTACC_CONFIG_DIR");
  const std::string base = env && *env ? std::string(env) : (SourceTreeDir() / "configs").string();
  return base + "/explore/pynq-z2.json";
}

ExploreGrid GridFromFlags(const ExploreFlags& f) {
  nlohmann::json doc = platform::ExploreGridToJson(platform::LoadExploreGrid(f.grid.empty() ? ShippedGridPath() : f.grid));
  const std::pair<const std::string*, const char*> names[] = {
      {&f.boards, "boards"}, {&f.families, "families"}, {&f.methods, "methods"}, {&f.models, "models"}};
  for (const auto& [v, key] : names)
    if (!v->empty()) doc[key] = SplitList(*v);
  const std::tuple<const std::string*, const char*, bool> axes[] = {
      {&f.units, "units", false},
      {&f.clock, "clock_mhz", false},
      {&f.weight_addresses, "weight_addresses", false},
      {&f.local_input_addresses, "local_input_addresses", false},
      {&f.gib_addresses, "gib_addresses", false},
      {&f.psum_entries, "psum_entries", false},
      {&f.depthwise, "depthwise", true},
      {&f.depth_split, "depth_split", true},
      {&f.host_overlap, "host_overlap", true},
      {&f.weight_preload, "weight_preload", true},
      {&f.fc_offload, "fc_offload", true}};
  for (const auto& [v, key, boolean] : axes) {
    if (v->empty()) continue;
    try {
      doc[key] = AxisFlag(*v, boolean);
    } catch (const Error& e) {
      throw Error(std::string("--") + key + ": " + e.what());
    }
  }
  if (f.threads >= 0) doc["threads"] = f.threads;
  return platform::ParseExploreGrid(doc, "command line");
}

std::pair<int, int> ParseShard(const std::string& s) {
  int i = -1, n = -1;
  char slash = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &i, &slash, &n, &extra) != 3 || slash != '/' || n < 1 || i < 0 || i >= n)
    throw Error("--shard " + s + ": expected i/n with 0 <= i < n");
  return {i, n};
}

std::string SelfPath() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "potacc" : p.string();
}

void PrintSummary(const platform::ExploreResult& r) {
  std::fputs(platform::ExploreFrontText(r).c_str(), stdout);
  for (const auto& board : r.grid.boards) {
    for (const char* method : {"qkeras"}) {
      const auto best = platform::BestVersusReference(r, board, method);
      if (!best) continue;
      const platform::PointResult* p = nullptr;
      for (const auto& x : r.points)
        if (x.id == best->id) p = &x;
      std::printf("\nbest fitting point on %s vs potacc-v12-%s-%s: #%lld %s\n  mean speed-up %.2fx (", board.c_str(),
                  board.c_str(), method, static_cast<long long>(best->id), p ? p->name.c_str() : "?",
                  best->speedup_vs_reference);
      bool first = true;
      for (const auto& [model, s] : best->per_model) {
        std::printf("%s%s %.2fx", first ? "" : ", ", model.c_str(), s);
        first = false;
      }
      std::printf(")\n");
      if (p)
        for (const auto& m : p->models)
          std::printf("  %s: %.2f ms, %.2fx vs CPU-only (%.2f ms)\n", m.model.c_str(), m.latency_ms,
                      m.cpu_latency_ms / m.latency_ms, m.cpu_latency_ms);
    }
  }
}

void Explore(const ExploreFlags& f) {
  if (!f.merge.empty()) {
    const platform::ExploreResult r = platform::MergeExploreShards(f.merge);
    fs::create_directories(f.out);
    WriteFileAtomic((fs::path(f.out) / "grid.json").string(), platform::ExploreGridToJson(r.grid).dump(1) + "\n");
    platform::WriteExploreOutputs(f.out, r);
    if (!f.quiet) PrintSummary(r);
    std::fprintf(stderr, "merged %zu shard(s): %s/explore.json\n", f.merge.size(), f.out.c_str());
    return;
  }
  const ExploreGrid grid = GridFromFlags(f);
  if (f.slurm > 0) {
    const std::string script = platform::WriteSlurmScript(f.out, grid, f.slurm, SelfPath(), f.cpus_per_task);
    std::printf("wrote %s (%d shards)\nsubmit: sbatch %s\nmerge:  %s explore --merge %s/shard-* --out %s/merged\n",
                script.c_str(), f.slurm, script.c_str(), SelfPath().c_str(), fs::absolute(f.out).string().c_str(),
                fs::absolute(f.out).string().c_str());
    return;
  }
  platform::ExploreOptions o;
  o.jobs = f.jobs;
  if (!f.shard.empty()) std::tie(o.shard_index, o.shard_count) = ParseShard(f.shard);
  o.max_new_points = f.limit;
  platform::ValidateExploreGrid(grid);  // before a journal is started for it
  const std::string hash = platform::ExploreGridHash(grid);
  platform::OpenExploreJournal(f.out, hash, o.shard_index, o.shard_count);
  WriteFileAtomic((fs::path(f.out) / "grid.json").string(), platform::ExploreGridToJson(grid).dump(1) + "\n");
  std::vector<platform::PointResult> done;
  if (auto j = platform::ReadExploreJournal(f.out)) done = j->points;
  if (!done.empty()) std::fprintf(stderr, "resuming: %zu point(s) already in %s\n", done.size(), f.out.c_str());
  ProgressBar bar;  // the library reports, the CLI draws
  o.progress = [&](int64_t n, int64_t total) {
    if (!f.quiet) bar.Draw({"explore", n, total, {}});
  };
  o.on_result = [&](const platform::PointResult& p) { platform::AppendExploreJournal(f.out, p); };
  const platform::ExploreResult r = platform::RunExplore(grid, o, done);
  bar.Clear();
  platform::WriteExploreOutputs(f.out, r);
  if (!f.quiet) PrintSummary(r);
  const int64_t mine = static_cast<int64_t>(r.points.size());
  std::fprintf(stderr, "%s/explore.json: %lld point(s)%s\n", f.out.c_str(), static_cast<long long>(mine),
               f.limit >= 0 ? " (stopped by --limit; run again to resume)" : "");
}

}  // namespace

POTACC_REGISTER_COMMAND(65, [](CLI::App& app) {
  auto f = std::make_shared<ExploreFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explore", "design-space exploration: latency, energy and resources of accelerator design points, Pareto front");
  cmd->add_option("--grid", f->grid, "grid JSON (default: the shipped configs/explore/pynq-z2.json)");
  cmd->add_option("--boards", f->boards, "axis: boards (comma-separated)");
  cmd->add_option("--families", f->families, "axis: accelerator families (potacc-v12, potacc-hls, potacc-x, ...)");
  cmd->add_option("--methods", f->methods, "axis: PE methods");
  cmd->add_option("--models", f->models, "models: generator names or .tflite files");
  cmd->add_option("--units", f->units, "axis: GEMM units, e.g. 1,2,4,8 ('family' = the family's value)");
  cmd->add_option("--clock-mhz", f->clock, "axis: accelerator clock (MHz)");
  cmd->add_option("--weight-addresses", f->weight_addresses, "axis: weight buffer addresses per unit");
  cmd->add_option("--local-input-addresses", f->local_input_addresses, "axis: local input buffer addresses per unit");
  cmd->add_option("--gib-addresses", f->gib_addresses, "axis: global input buffer addresses per bank");
  cmd->add_option("--psum-entries", f->psum_entries, "axis: partial-sum buffer entries per unit (depth splitting)");
  cmd->add_option("--depthwise", f->depthwise, "axis: depthwise mode, e.g. on,off");
  cmd->add_option("--depth-split", f->depth_split, "axis: depth splitting (on,off)");
  cmd->add_option("--host-overlap", f->host_overlap, "axis: double-buffered host/accelerator overlap (on,off)");
  cmd->add_option("--weight-preload", f->weight_preload, "axis: weight preload (on,off)");
  cmd->add_option("--fc-offload", f->fc_offload, "axis: FULLY_CONNECTED on the accelerator (on,off)");
  cmd->add_option("--threads", f->threads, "board CPU threads for CPU nodes (0 = all cores)")->check(CLI::Range(0, 64));
  cmd->add_option("--out", f->out, "output folder (journal, explore.json, CSV, SVG); an existing journal resumes")
      ->capture_default_str();
  cmd->add_option("--jobs", f->jobs, "worker threads (default: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--shard", f->shard, "evaluate only shard i of n (i/n)");
  cmd->add_option("--limit", f->limit, "stop after this many new points (resume later)")->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_option("--slurm", f->slurm, "write a Slurm job array of this many shards to --out instead of running")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--cpus-per-task", f->cpus_per_task, "--slurm: CPUs per array task")->check(CLI::Range(1, 1024));
  cmd->add_option("--merge", f->merge, "merge these shard folders into --out");
  cmd->add_flag("-q,--quiet", f->quiet, "no progress bar or table");
  cmd->callback([f] { Explore(*f); });
});

}  // namespace potacc::cli
