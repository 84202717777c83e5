// Design-space exploration (`potacc explore`): which accelerator design point
// should I build for my models and my board?
//
// A grid (small JSON or command-line lists) spans boards, families, PE
// methods, units, clock, buffer depths and the potacc-x modes. Every point is
// a configuration: the family's design on the board for the method
// (accel/config.h) with the grid's overrides. Per point:
//   * resources from the resource model, and the device-fit check (points
//     that do not fit are recorded but not timed);
//   * per model, latency and energy of one inference on the board from the
//     data-free timing (accel::EstimateAccelRun, the simulator's own counts
//     without data) and the board timeline;
//   * the Pareto front over (latency, LUTs, energy), all minimised, among the
//     points that fit; the shipped reference designs are evaluated alongside.
// Deterministic: the same grid gives byte-identical results, however many
// threads or shards computed them and whether the sweep was resumed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/accel/config.h"
#include "potacc/model.h"
#include "potacc/platform/board.h"
#include "potacc/platform/resource_model.h"
#include "potacc/report/svg_scatter.h"

namespace potacc::platform {

// One axis value: a number / flag, or "the family's value" (nullopt).
using IntAxis = std::vector<std::optional<int64_t>>;
using BoolAxis = std::vector<std::optional<bool>>;

struct ExploreGrid {
  std::vector<std::string> boards = {"pynq-z2"};
  std::vector<std::string> families = {"potacc-v12"};
  std::vector<std::string> methods = {"qkeras"};
  IntAxis units = {std::nullopt};
  IntAxis clock_mhz = {std::nullopt};
  IntAxis weight_addresses = {std::nullopt};
  IntAxis local_input_addresses = {std::nullopt};
  IntAxis gib_addresses = {std::nullopt};
  IntAxis psum_entries = {std::nullopt};
  BoolAxis depthwise = {std::nullopt};
  BoolAxis depth_split = {std::nullopt};
  BoolAxis host_overlap = {std::nullopt};
  BoolAxis weight_preload = {std::nullopt};
  BoolAxis fc_offload = {std::nullopt};
  // Models: generator names (mobilenetv2, resnet18, ...) or .tflite paths.
  std::vector<std::string> models = {"mobilenetv2", "resnet18", "inceptionv1"};
  int threads = 0;     // board CPU threads for the CPU nodes (0 = all cores)
  uint64_t seed = 1;   // generated models
};

// Parses a grid document ({"units": [1, 2, 4], "depthwise": [false, true], ...};
// a scalar is a one-value axis, null = the family's value). Unknown keys and
// bad values throw potacc::Error naming the key and `where`.
ExploreGrid ParseExploreGrid(const nlohmann::json& doc, const std::string& where);
ExploreGrid LoadExploreGrid(const std::string& path);
// The canonical JSON of a grid (what result files carry) and its hash.
nlohmann::json ExploreGridToJson(const ExploreGrid& grid);
std::string ExploreGridHash(const ExploreGrid& grid);

// One design point of a grid.
struct DesignPoint {
  int64_t id = 0;            // position in the grid's enumeration (unique points only)
  std::string board, family, method;
  accel::AcceleratorConfig config;  // the resolved configuration (named after the point)
  std::string name;          // "potacc-v12-pynq-z2-qkeras u4 200MHz w4096 l2048 g8192 +dw ..."
};

// Every distinct point of the grid, in a fixed order (points whose resolved
// configurations coincide, e.g. psum depths without depth splitting, appear
// once). Throws potacc::Error for a family/board/method that does not resolve.
std::vector<DesignPoint> EnumeratePoints(const ExploreGrid& grid);

// Every point resolves and every model names a generator or an existing
// file (nothing is loaded). Throws potacc::Error otherwise; the CLI checks
// before it starts a journal.
void ValidateExploreGrid(const ExploreGrid& grid);

struct ModelOutcome {
  std::string model;
  double latency_ms = 0, energy_mj = 0;
  double cpu_latency_ms = 0, cpu_energy_mj = 0;  // CPU-only on the same board
  int accel_layers = 0, nodes = 0;
};

struct PointResult {
  int64_t id = 0;
  std::string name, board, family, method;
  nlohmann::json config;     // the point's settings (units, clock, buffers, modes)
  Resources ip, total;       // resource model: accelerator IP, IP + DMA platform
  FitCheck fit;
  std::vector<ModelOutcome> models;  // empty when the point does not fit
  // Aggregates over models (geometric means; speed-up: arithmetic mean of the per-model ratios).
  double latency_ms = 0, energy_mj = 0, speedup_vs_cpu = 0;
  bool reference = false;    // a shipped reference design (potacc-v12-<board>-<method>)
};

struct ExploreOptions {
  int jobs = 0;                      // worker threads (0 = all cores)
  int shard_index = 0, shard_count = 1;  // evaluate ids with id % count == index
  int64_t max_new_points = -1;       // stop after this many evaluated points (tests: an interruption)
  // Progress: points done (including resumed ones) and total, from the calling thread.
  std::function<void(int64_t done, int64_t total)> progress;
  // Called (on the calling thread) with each new result, e.g. to append it to a journal.
  std::function<void(const PointResult&)> on_result;
};

struct ExploreResult {
  ExploreGrid grid;
  std::vector<PointResult> points;      // sorted by id
  std::vector<PointResult> references;  // shipped reference designs, per board and method of the grid
  std::vector<int64_t> front;           // ids on the Pareto front, by latency
  int64_t grid_points = 0;              // points in the whole grid
};

// Evaluates the grid's points of this shard that are not in `done` (results
// of an interrupted run), plus the reference designs, and computes the front.
ExploreResult RunExplore(const ExploreGrid& grid, const ExploreOptions& options,
                         const std::vector<PointResult>& done = {});

// Ids of the non-dominated points among those that fit (latency, ip LUTs,
// energy; all minimised; equal points keep the lowest id), by latency.
std::vector<int64_t> ParetoFront(const std::vector<PointResult>& points);

// The best fitting point by mean speed-up over the board's reference design
// of `method` (potacc-v12-<board>-<method>); nullopt if none.
struct BestPoint {
  int64_t id = -1;
  double speedup_vs_reference = 0;                 // arithmetic mean over models
  std::map<std::string, double> per_model;         // model -> reference latency / point latency
};
std::optional<BestPoint> BestVersusReference(const ExploreResult& result, const std::string& board,
                                             const std::string& method, const std::string& family = "");

// Serialisation. Points round-trip exactly through JSON (resume, merge).
nlohmann::json PointToJson(const PointResult& p);
PointResult PointFromJson(const nlohmann::json& j);
nlohmann::json ExploreToJson(const ExploreResult& r);
std::string ExplorePointsCsv(const ExploreResult& r);
std::string ExploreFrontCsv(const ExploreResult& r);
std::string ExploreFrontText(const ExploreResult& r, size_t max_rows = 40);
report::ScatterChart ExploreChart(const ExploreResult& r);

// Result files of a sweep in a folder (`--out DIR`):
//   points.jsonl   journal: a header line {grid hash, shard}, then one point
//                  per line, appended as points finish (resume reads it);
//   explore.json   grid, points, references, front (written whole at the end);
//   points.csv, front.csv, front.svg.
struct ExploreJournal {
  std::string grid_hash;
  int shard_index = 0, shard_count = 1;
  std::vector<PointResult> points;
};
// Reads DIR/points.jsonl (a torn last line is ignored); nullopt if absent.
std::optional<ExploreJournal> ReadExploreJournal(const std::string& dir);
// Starts DIR/points.jsonl (header) unless it exists; throws when it belongs
// to another grid or shard.
void OpenExploreJournal(const std::string& dir, const std::string& grid_hash, int shard_index, int shard_count);
void AppendExploreJournal(const std::string& dir, const PointResult& p);
void WriteExploreOutputs(const std::string& dir, const ExploreResult& r);

// Merges the journals of shard folders into the single-machine result
// (throws when they disagree on the grid, overlap, or miss points).
ExploreResult MergeExploreShards(const std::vector<std::string>& dirs);

// A Slurm job array running `count` shards of the grid in DIR: writes
// DIR/grid.json and DIR/explore.sbatch (returns its path). `potacc` = the
// binary the jobs run.
std::string WriteSlurmScript(const std::string& dir, const ExploreGrid& grid, int count, const std::string& potacc,
                             int cpus_per_task);

}  // namespace potacc::platform
