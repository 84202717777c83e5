// potacc calibrate --board B --profile FILE --model MODEL [--threads N] -o NEW.json
// Fits the board's CPU cost model to per-operator times measured on the real
// board by TFLite's benchmark_model (--enable_op_profiling=true
// --op_profiling_output_mode=csv) and writes an updated board file.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "command.h"
#include "potacc/error.h"
#include "potacc/platform/calibrate.h"
#include "potacc/report/table.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/file.h"
#include "cli_checks.h"

namespace potacc::cli {
namespace {

struct CalibrateFlags {
  std::string board = "pynq-z2";
  std::vector<std::string> profiles;
  std::vector<std::string> models;
  std::vector<int> threads;
  std::string output;
  std::string write_profile;  // dry run: write the board's own prediction as a profile
};

Model LoadOrGenerate(const std::string& m) {
  if (std::filesystem::exists(m)) return LoadModel(m);  // LoadModel refuses FIFOs and devices
  if (FindGenerator(m)) return Generate(m, 1);
  throw Error("calibrate: --model " + m + " is neither a file nor a generator name");
}

// Files calibrate reads; an output naming one of them is refused.
std::vector<std::string> InputFiles(const CalibrateFlags& f) {
  std::vector<std::string> files = f.profiles;
  files.insert(files.end(), f.models.begin(), f.models.end());
  files.push_back(f.board);
  return files;
}

void Calibrate(const CalibrateFlags& f) {
  RequireDistinctFiles(f.output, InputFiles(f), "-o");
  RequireDistinctFiles(f.write_profile, InputFiles(f), "--write-profile");
  const platform::Board board = platform::LoadBoard(f.board);
  for (int t : f.threads)
    Check(t >= 1 && t <= board.cpu.cores, "--threads " + std::to_string(t) + ": board " + board.name + " has " +
                                              std::to_string(board.cpu.cores) + " CPU core(s)");
  if (!f.write_profile.empty()) {
    Check(f.models.size() == 1, "calibrate --write-profile needs exactly one --model");
    const Model model = LoadOrGenerate(f.models[0]);
    WriteFileAtomic(f.write_profile,
                    platform::FormatBenchmarkProfile(board, model, f.threads.empty() ? 1 : f.threads[0]));
    std::printf("wrote %s (the board's own prediction in benchmark_model CSV format)\n", f.write_profile.c_str());
    return;
  }
  Check(!f.profiles.empty(), "calibrate: give at least one --profile FILE");
  Check(f.models.size() == f.profiles.size(),
        "calibrate: give one --model per --profile (the profile names nodes; the model gives their shapes)");
  Check(f.threads.empty() || f.threads.size() == 1 || f.threads.size() == f.profiles.size(),
        "calibrate: give one --threads value, or one per --profile");
  Check(!f.output.empty(), "calibrate: give the output board file with -o NEW.json");
  std::vector<Model> models;
  models.reserve(f.models.size());
  for (const auto& m : f.models) models.push_back(LoadOrGenerate(m));
  std::vector<platform::ProfiledModel> profiles;
  for (size_t i = 0; i < f.profiles.size(); ++i) {
    platform::ProfiledModel p;
    p.name = f.profiles[i];
    p.model = &models[i];
    p.model_name = f.models[i];
    p.rows = platform::ParseBenchmarkProfile(ReadTextFile(f.profiles[i]), f.profiles[i]);
    p.threads = f.threads.empty() ? 1 : f.threads[f.threads.size() == 1 ? 0 : i];
    profiles.push_back(std::move(p));
  }
  const platform::CalibrationResult r = platform::Calibrate(board, profiles);
  report::Table t({"field", "before", "after"});
  const nlohmann::json& old_cpu = board.json.at("cpu");
  for (const auto& [field, value] : r.fitted) {
    const std::string key = field.substr(field.find('.') + 1);
    t.AddRow({field, report::Fixed(old_cpu.at(key).at("value").get<double>(), 3), report::Fixed(value, 3)});
  }
  std::printf("%zu operator timings matched\n\n%s\n", r.samples.size(), t.Render().c_str());
  std::printf("whole-model CPU time error: %.1f %% before, %.1f %% after\n", 100 * r.mean_abs_error_before,
              100 * r.mean_abs_error_after);
  for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
  WriteFileAtomic(f.output, r.board.json.dump(2) + "\n");
  std::printf("wrote %s\n", f.output.c_str());
}

}  // namespace

POTACC_REGISTER_COMMAND(61, [](CLI::App& app) {
  auto flags = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app.add_subcommand("calibrate", "fit a board's CPU cost model to a benchmark_model op profile");
  cmd->add_option("--board", flags->board, "board to start from (name or JSON file)")->capture_default_str();
  cmd->add_option("--profile", flags->profiles, "benchmark_model op-profiling CSV (repeatable)");
  cmd->add_option("--model", flags->models, "the profiled model (.tflite or generator name), one per --profile");
  cmd->add_option("--threads", flags->threads, "--num_threads of each measurement (default 1)");
  cmd->add_option("-o,--output", flags->output, "updated board JSON to write")->check(NonEmpty());
  cmd->add_option("--write-profile", flags->write_profile,
                  "instead: write the board's prediction for --model as a benchmark_model CSV (dry run)")
      ->check(NonEmpty());
  cmd->callback([flags] { Calibrate(*flags); });
});

}  // namespace potacc::cli
