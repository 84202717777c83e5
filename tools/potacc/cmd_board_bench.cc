// potacc board-bench MODEL [--accel M --backend device] [--runs N] -o PROFILE.csv [--json F]
// Times every operator (and accelerator call) of a model where potacc runs -
// on the board - and writes a profile `potacc calibrate` reads.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "accel_flags.h"
#include "command.h"
#include "progress_bar.h"
#include "potacc/error.h"
#include "potacc/platform/board_bench.h"
#include "potacc/report/table.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/file.h"
#include "potacc/util/progress.h"

namespace potacc::cli {
namespace {

struct BoardBenchFlags {
  std::string model;
  AccelFlags accel;
  int runs = 10;
  std::string output;
  std::string json;
};

nlohmann::json ToJson(const platform::BoardBenchResult& r) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) {
    nodes.push_back({{"node", n.node}, {"op", n.op}, {"device", n.device}, {"avg_ms", n.avg_ms},
                     {"min_ms", n.min_ms}, {"max_ms", n.max_ms}, {"first_ms", n.first_ms},
                     {"accel_cycles", n.accel_cycles}, {"cycles_measured", n.cycles_measured},
                     {"bytes_to_accel", n.bytes_to_accel}, {"bytes_from_accel", n.bytes_from_accel}});
  }
  return {{"model", r.model}, {"isa", r.isa}, {"config", r.config}, {"backend", r.backend}, {"runs", r.runs},
          {"total_avg_ms", r.total_avg_ms()}, {"nodes", nodes}};
}

void BoardBench(const BoardBenchFlags& f) {
  const Model model = LoadModel(f.model);
  platform::BoardBenchOptions o;
  o.runs = f.runs;
  if (f.accel.enabled()) {
    o.accel = f.accel.Resolve();
    o.backend = f.accel.backend;
  }
  ProgressBar bar;
  o.progress = [&](int done, int runs) { bar.Draw({"board-bench", done + 1, runs + 1, ""}); };
  const platform::BoardBenchResult r = platform::BoardBench(model, f.model, o);
  bar.Clear();
  report::Table t({"device", "operators", "avg ms per inference"});
  double cpu = 0, acc = 0;
  int cpu_n = 0, acc_n = 0;
  for (const auto& n : r.nodes) {
    const bool on_accel = n.device == "accel";
    (on_accel ? acc : cpu) += n.avg_ms;
    ++(on_accel ? acc_n : cpu_n);
  }
  t.AddRow({"cpu (" + r.isa + ")", std::to_string(cpu_n), report::Fixed(cpu, 3)});
  if (!r.config.empty()) t.AddRow({"accel (" + r.backend + ")", std::to_string(acc_n), report::Fixed(acc, 3)});
  std::printf("%s\n", t.Render().c_str());
  WriteFileAtomic(f.output, platform::FormatBoardBenchProfile(r));
  std::printf("wrote %s (calibrate with: potacc calibrate --board B --profile %s --model %s -o NEW.json)\n",
              f.output.c_str(), f.output.c_str(), f.model.c_str());
  if (!f.json.empty()) {
    WriteFileAtomic(f.json, ToJson(r).dump(2) + "\n");
    std::printf("wrote %s\n", f.json.c_str());
  }
}

}  // namespace

POTACC_REGISTER_COMMAND(62, [](CLI::App& app) {
  auto flags = std::make_shared<BoardBenchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "board-bench", "time every operator and accelerator call on this machine (the board); write a calibrate profile");
  cmd->add_option("model", flags->model, "the .tflite model")->required();
  flags->accel.Add(cmd, false);
  cmd->add_option("--runs", flags->runs, "timed inferences after one warm-up")->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "profile CSV to write (input of potacc calibrate --profile)")
      ->required();
  cmd->add_option("--json", flags->json, "also write the per-node timings as JSON");
  cmd->callback([flags] { BoardBench(*flags); });
});

}  // namespace potacc::cli
