// Evaluation of explore points: resources + fit, then data-free timing of
// every model on the board, on all cores; the reference designs; the front.
#include "potacc/platform/explore.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "potacc/accel/delegate.h"
#include "potacc/error.h"
#include "potacc/platform/accel_workload.h"
#include "potacc/platform/timeline.h"
#include "potacc/platform/workload.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/stats.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

struct LoadedModel {
  std::string name;
  Model model;
};

void CheckModelNames(const ExploreGrid& g) {
  if (g.models.empty()) throw Error("explore: the grid names no models");
  for (const auto& m : g.models)
    if (!FindGenerator(m) && !std::filesystem::is_regular_file(m))
      throw Error("explore: model '" + m + "' is neither a generator name (potacc gen --list) nor a file");
}

std::vector<LoadedModel> LoadModels(const ExploreGrid& g) {
  CheckModelNames(g);
  std::vector<LoadedModel> models;
  for (const auto& m : g.models) {
    if (FindGenerator(m))
      models.push_back({m, Generate(m, g.seed)});
    else
      models.push_back({std::filesystem::path(m).stem().string(), LoadModel(m)});
  }
  return models;
}

// Everything about one board that points share.
struct BoardContext {
  Board board;
  Device device;
  HwSynthResults synth;
  ResourceCalibration calibration;
  std::vector<ModelOutcome> cpu;  // CPU-only per model
};

BoardContext MakeBoardContext(const std::string& name, const std::vector<LoadedModel>& models, int threads) {
  BoardContext b;
  b.board = LoadBoard(name);
  b.device = DeviceOfBoard(b.board);
  auto synth = LoadHwSynthResults(DefaultHwSynthResultsPath());
  if (!synth) throw Error("explore: " + DefaultHwSynthResultsPath().string() + " not found (potacc hw report)");
  b.synth = *synth;
  b.calibration = CalibrateResources(b.board, b.synth);
  // The design loaded during CPU-only runs: the reference ships an INT8 accelerator in them (§8).
  const AccelPowerModel cpu_pl = AccelPowerFor(b.board, "int8", &b.synth);
  for (const auto& m : models) {
    const Timeline tl = ComputeTimeline(b.board, CpuWorkload(m.model, m.name),
                                        b.board.power.cpu_only_pl_loaded ? &cpu_pl : nullptr, {threads, false});
    ModelOutcome o;
    o.model = m.name;
    o.latency_ms = o.cpu_latency_ms = tl.latency_s * 1e3;
    o.energy_mj = o.cpu_energy_mj = tl.energy.total() * 1e3;
    o.nodes = static_cast<int>(tl.nodes.size());
    b.cpu.push_back(o);
  }
  return b;
}

json PointSettings(const accel::AcceleratorConfig& c) {
  return {{"units", c.units},
          {"clock_mhz", c.clock_hz / 1e6},
          {"weight_addresses", c.buffers.weight_addresses},
          {"local_input_addresses", c.buffers.local_input_addresses},
          {"gib_addresses", c.buffers.gib_addresses},
          {"psum_entries", c.buffers.psum_entries},
          {"depthwise", c.depthwise_mode()},
          {"fc_offload", c.Accepts(static_cast<int32_t>(BuiltinOp::kFullyConnected))},
          {"depth_split", c.depth_split()},
          {"host_overlap", c.host_overlap()},
          {"weight_preload", c.weight_preload()}};
}

// The board as the point runs it: its accelerator clock (and the streams' bandwidth with it).
Board AtClock(const Board& b, double clock_hz) {
  Board x = b;
  x.dma.stream_bandwidth_bytes_per_s *= clock_hz / b.fpga_clock_hz;
  x.fpga_clock_hz = clock_hz;
  return x;
}

// Resources and fit of a point (clock-independent).
PointResult Describe(const DesignPoint& p, const BoardContext& b) {
  PointResult r;
  r.id = p.id;
  r.name = p.name;
  r.board = p.board;
  r.family = p.family;
  r.method = p.method;
  r.config = PointSettings(p.config);
  const ResourceEstimate e = EstimateResources(p.config, b.board, b.synth, b.calibration);
  r.ip = e.ip;
  r.total = e.total;
  r.fit = CheckFit(e, b.device);
  return r;
}

// Latency and energy of every model for points that share all but the clock.
void TimeModels(const std::vector<const DesignPoint*>& group, const BoardContext& b,
                const std::vector<LoadedModel>& models, int threads, std::vector<PointResult>& out) {
  std::vector<accel::AccelRun> runs;
  for (const auto& m : models) runs.push_back(accel::EstimateAccelRun(m.model, group.front()->config));
  for (size_t i = 0; i < group.size(); ++i) {
    PointResult& r = out[i];
    const accel::AcceleratorConfig& c = group[i]->config;
    const Board board = AtClock(b.board, c.clock_hz);
    const AccelPowerModel pl = AccelPowerFromResources(board, r.method, r.ip, "resource model");
    std::vector<double> lat, energy;
    double speedup = 0;
    for (size_t k = 0; k < models.size(); ++k) {
      const Workload w = AccelWorkload(models[k].model, runs[k], models[k].name);
      const Timeline tl = ComputeTimeline(board, w, &pl, {threads, false});
      ModelOutcome o = b.cpu[k];
      o.latency_ms = tl.latency_s * 1e3;
      o.energy_mj = tl.energy.total() * 1e3;
      o.accel_layers = runs[k].accel_layers();
      lat.push_back(o.latency_ms);
      energy.push_back(o.energy_mj);
      speedup += o.cpu_latency_ms / o.latency_ms;
      r.models.push_back(o);
    }
    r.latency_ms = GeoMean(lat);
    r.energy_mj = GeoMean(energy);
    r.speedup_vs_cpu = speedup / static_cast<double>(models.size());
  }
}

// Points that differ only in their clock share one data-free timing run.
std::vector<std::vector<const DesignPoint*>> ClockGroups(const std::vector<const DesignPoint*>& points) {
  std::vector<std::vector<const DesignPoint*>> groups;
  auto same_design = [](const DesignPoint& a, const DesignPoint& b) {
    accel::AcceleratorConfig x = a.config, y = b.config;
    x.clock_hz = y.clock_hz = 0;
    x.name = y.name = "";
    return a.board == b.board && accel::AcceleratorConfigToJson(x) == accel::AcceleratorConfigToJson(y);
  };
  for (const DesignPoint* p : points) {
    if (groups.empty() || !same_design(*groups.back().front(), *p)) groups.emplace_back();
    groups.back().push_back(p);
  }
  return groups;
}

// Runs `groups` on `jobs` threads; results reach `sink` on the calling thread
// in completion order. Stops handing out work once `stop()` says so.
void RunGroups(const std::vector<std::vector<const DesignPoint*>>& groups, int jobs,
               const std::function<std::vector<PointResult>(const std::vector<const DesignPoint*>&)>& eval,
               const std::function<void(PointResult&&)>& sink, const std::function<bool()>& stop) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<PointResult> ready;
  std::atomic<size_t> next{0};
  std::atomic<bool> halt{false};
  int running = jobs;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      for (size_t i; !halt && (i = next++) < groups.size();) {
        std::vector<PointResult> rs = eval(groups[i]);
        std::lock_guard<std::mutex> lock(mu);
        for (auto& r : rs) ready.push_back(std::move(r));
        cv.notify_one();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      halt = true;
    }
    std::lock_guard<std::mutex> lock(mu);
    --running;
    cv.notify_one();
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < jobs; ++i) pool.emplace_back(worker);
  for (;;) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !ready.empty() || running == 0; });
    if (ready.empty() && running == 0) break;
    PointResult r = std::move(ready.front());
    ready.pop_front();
    lock.unlock();
    if (halt || stop()) {
      halt = true;
      continue;  // drain without reporting
    }
    sink(std::move(r));
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

void ValidateExploreGrid(const ExploreGrid& grid) {
  CheckModelNames(grid);
  EnumeratePoints(grid);
}

ExploreResult RunExplore(const ExploreGrid& grid, const ExploreOptions& options, const std::vector<PointResult>& done) {
  if (options.shard_count < 1 || options.shard_index < 0 || options.shard_index >= options.shard_count)
    throw Error("explore: shard " + std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count) +
                " is not i/n with 0 <= i < n");
  ExploreResult result;
  result.grid = grid;
  const std::vector<DesignPoint> points = EnumeratePoints(grid);
  result.grid_points = static_cast<int64_t>(points.size());
  const std::vector<LoadedModel> models = LoadModels(grid);
  std::map<std::string, BoardContext> boards;
  for (const auto& b : grid.boards) boards.emplace(b, MakeBoardContext(b, models, grid.threads));

  std::map<int64_t, PointResult> results;
  for (const auto& r : done) results[r.id] = r;
  std::vector<const DesignPoint*> todo;
  int64_t mine = 0;
  for (const DesignPoint& p : points) {
    if (p.id % options.shard_count != options.shard_index) continue;
    ++mine;
    if (!results.count(p.id)) todo.push_back(&p);
  }
  const int jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  int64_t fresh = 0, reported = mine - static_cast<int64_t>(todo.size());
  if (options.progress) options.progress(reported, mine);
  auto eval = [&](const std::vector<const DesignPoint*>& group) {
    const BoardContext& b = boards.at(group.front()->board);
    std::vector<PointResult> out;
    for (const DesignPoint* p : group) out.push_back(Describe(*p, b));
    if (out.front().fit.fits) TimeModels(group, b, models, grid.threads, out);
    return out;
  };
  if (options.max_new_points == 0) todo.clear();  // nothing new (e.g. a merge of finished shards)
  RunGroups(
      ClockGroups(todo), std::max(1, jobs), eval,
      [&](PointResult&& r) {
        ++fresh;
        if (options.on_result) options.on_result(r);
        results[r.id] = std::move(r);
        if (options.progress) options.progress(++reported, mine);
      },
      [&] { return options.max_new_points >= 0 && fresh >= options.max_new_points; });
  for (auto& [id, r] : results)
    if (id % options.shard_count == options.shard_index) result.points.push_back(std::move(r));

  // The shipped reference designs of every board and method of the grid.
  for (const auto& board : grid.boards)
    for (const auto& method : grid.methods) {
      DesignPoint ref;
      ref.id = -1;
      ref.board = board;
      ref.family = "potacc-v12";
      ref.method = method;
      ref.config = accel::ComposeAcceleratorConfig(accel::kDefaultFamily, accel::AccelBoardOf(boards.at(board).board), method);
      ref.name = ref.config.name;
      std::vector<PointResult> out = eval({&ref});
      if (!out.front().fit.fits) TimeModels({&ref}, boards.at(board), models, grid.threads, out);
      out.front().reference = true;
      result.references.push_back(std::move(out.front()));
    }
  result.front = ParetoFront(result.points);
  return result;
}

std::vector<int64_t> ParetoFront(const std::vector<PointResult>& points) {
  std::vector<const PointResult*> fit;
  for (const auto& p : points)
    if (p.fit.fits && !p.models.empty()) fit.push_back(&p);
  auto key = [](const PointResult* p) { return std::make_tuple(p->latency_ms, p->ip.lut, p->energy_mj, p->id); };
  std::sort(fit.begin(), fit.end(), [&](const PointResult* a, const PointResult* b) { return key(a) < key(b); });
  std::vector<const PointResult*> front;
  for (const PointResult* p : fit) {
    // Sorted by latency: p is dominated iff an earlier front point is no worse in LUTs and energy.
    const bool dominated = std::any_of(front.begin(), front.end(), [&](const PointResult* q) {
      return q->ip.lut <= p->ip.lut && q->energy_mj <= p->energy_mj;
    });
    if (!dominated) front.push_back(p);
  }
  std::vector<int64_t> ids;
  for (const PointResult* p : front) ids.push_back(p->id);
  return ids;
}

std::optional<BestPoint> BestVersusReference(const ExploreResult& r, const std::string& board, const std::string& method,
                                             const std::string& family) {
  const PointResult* ref = nullptr;
  for (const auto& x : r.references)
    if (x.board == board && x.method == method) ref = &x;
  if (!ref || ref->models.empty()) return std::nullopt;
  std::optional<BestPoint> best;
  for (const auto& p : r.points) {
    if (p.board != board || !p.fit.fits || p.models.empty() || (!family.empty() && p.family != family)) continue;
    BestPoint b;
    b.id = p.id;
    for (size_t k = 0; k < p.models.size(); ++k) {
      const double s = ref->models[k].latency_ms / p.models[k].latency_ms;
      b.per_model[p.models[k].model] = s;
      b.speedup_vs_reference += s / static_cast<double>(p.models.size());
    }
    if (!best || b.speedup_vs_reference > best->speedup_vs_reference) best = b;
  }
  return best;
}

}  // namespace potacc::platform
