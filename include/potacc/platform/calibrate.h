// Fitting a board's CPU cost model to a per-operator timing profile measured
// on the real board with TFLite's benchmark tool:
//
//   benchmark_model --graph=model.tflite --num_threads=N --enable_op_profiling=true
//                   --op_profiling_output_mode=csv --op_profiling_output_file=prof.csv
//
// The CSV holds sections ("============================== Run Order ====...")
// with the header "node type, [start,] first, avg_ms, %, cdf%, mem KB,
// times called, name"; names end in ":<node index>". potacc matches each row
// to the model's node (by index, else by operator order), computes its work
// (MACs or bytes) and fits, per operator class, time = overhead + work / rate.
//
// A profile of another model must not produce a board: Calibrate refuses
// (potacc::Error naming the profile, the model and the first mismatch) when
// more than kMaxMismatchedRowShare of the rows name an operator other than the
// model's node at that index (or find no node), or when more than
// kMaxUnmatchedNodeShare of the model's nodes have no row; and it refuses
// fitted values outside the plausible ranges below.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "potacc/model.h"
#include "potacc/platform/board.h"

namespace potacc::platform {

struct ProfileRow {
  std::string node_type;  // "CONV_2D"
  double avg_ms = 0;
  std::string name;       // "[tensor]:12"
  int node = -1;          // parsed from the name, -1 if absent
  // Optional "device" column (potacc board-bench): "accel" rows time an
  // accelerator call; they match their node but stay out of the CPU fit.
  std::string device;
  bool accelerated() const { return device == "accel"; }
};

// Parses benchmark_model's op-profiling CSV (the run-order section of the
// regular runs; falls back to any per-node section). Throws potacc::Error
// naming the file when no per-node rows are found.
std::vector<ProfileRow> ParseBenchmarkProfile(const std::string& text, const std::string& where);

struct CalibrationSample {
  std::string model;
  int node = -1;
  std::string op;
  std::string op_class;
  double measured_ms = 0;
  double work = 0;        // MACs or bytes
  double predicted_before_ms = 0;
  double predicted_after_ms = 0;
};

struct CalibrationResult {
  Board board;                                // the updated board
  std::map<std::string, double> fitted;       // field -> new value
  std::vector<CalibrationSample> samples;
  double mean_abs_error_before = 0;           // relative error of total model time
  double mean_abs_error_after = 0;
  std::vector<std::string> notes;             // classes without samples, skipped rows
};

struct ProfiledModel {
  std::string name;                           // the profile (file name)
  const Model* model = nullptr;
  std::vector<ProfileRow> rows;
  int threads = 1;                            // --num_threads of the measurement
  std::string model_name;                     // for messages ("resnet18", "model.tflite"); may be empty
};

// Limits of a profile that fits its model (see the top of this file).
inline constexpr double kMaxMismatchedRowShare = 0.10;
inline constexpr double kMaxUnmatchedNodeShare = 0.10;
// Plausible fitted values: rates in MACs or bytes per cycle, overhead in cycles.
inline constexpr double kMinPlausibleRate = 1e-3;
inline constexpr double kMaxPlausibleRate = 1000;
inline constexpr double kMaxPlausibleOverheadCycles = 1e6;

// Fits op_overhead_cycles and the per-class rates (classes without samples keep
// their values). The returned board's JSON records "calibrated from ..." sources.
// Throws potacc::Error when a profile does not fit its model or the fit is
// implausible (see above).
CalibrationResult Calibrate(const Board& board, const std::vector<ProfiledModel>& profiles);

// benchmark_model-style CSV of per-node times (for tests and for a dry run
// of the procedure): the board's own predictions for `model`.
std::string FormatBenchmarkProfile(const Board& board, const Model& model, int threads);

// One row of the per-operator CSV that ParseBenchmarkProfile reads.
struct ProfileCsvRow {
  std::string node_type;
  double first_ms = 0, avg_ms = 0;
  int times_called = 1;
  std::string device;  // written as a "device" column when any row has one
  std::string name;    // "[tensor]:node"
};
// The "Run Order" section (and the empty summary header benchmark_model writes).
std::string FormatProfileCsv(const std::vector<ProfileCsvRow>& rows);

}  // namespace potacc::platform
