// potacc compare [MODEL...] --board B [--threads N] [--overlap] [--json F] [--csv F] [--svg F]
// potacc compare --synthetic --board B [...]
// Each model runs CPU-only, on the INT8 multiplier accelerator and on each
// shift accelerator; the board model turns the runs into latency and energy.
// MODEL is a .tflite file or a generator name (mobilenetv2, resnet18, ...);
// without models the reference evaluation's three ImageNet networks are generated.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "command.h"
#include "potacc/error.h"
#include "potacc/platform/compare.h"
#include "potacc/platform/synthetic.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"

namespace potacc::cli {
namespace {

struct CompareFlags {
  std::vector<std::string> models;
  std::string board = "pynq-z2";
  int threads = 0;
  bool overlap = false;
  bool synthetic = false;
  bool no_check = false;
  std::string methods = "qkeras,apot,msq";
  std::string family = accel::kDefaultFamily;
  std::string json, csv, svg;
  uint64_t seed = 1;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error("cannot write " + path);
  out << text;
  if (!out) throw Error("error writing " + path);
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<platform::NamedModel> LoadModels(const CompareFlags& f) {
  if (f.models.empty()) return platform::BuiltinCompareModels(f.seed);
  std::vector<platform::NamedModel> models;
  for (const std::string& m : f.models) {
    if (std::filesystem::exists(m)) {
      models.push_back({std::filesystem::path(m).stem().string(), LoadModel(m)});
    } else if (FindGenerator(m)) {
      models.push_back({m, Generate(m, f.seed)});
    } else {
      throw Error("compare: " + m + " is neither a file nor a generator name (see potacc gen --list)");
    }
  }
  return models;
}

void Compare(const CompareFlags& f) {
  platform::CompareOptions o;
  o.board = platform::LoadBoard(f.board);
  // The board model cannot run more threads than the board has cores; saying so
  // beats silently timing a different configuration.
  if (f.threads > o.board.cpu.cores)
    throw Error("--threads " + std::to_string(f.threads) + ": board " + f.board + " has " +
                std::to_string(o.board.cpu.cores) + " CPU core(s)");
  o.timeline.threads = f.threads;
  o.timeline.overlap = f.overlap;
  o.methods = SplitList(f.methods);
  o.accel_family = f.family;
  o.check_outputs = !f.no_check;
  if (f.synthetic) {
    Check(f.models.empty(), "compare --synthetic takes no models");
    platform::SyntheticOptions so;
    so.compare = o;
    const auto rows = platform::RunSynthetic(so);
    std::fputs(platform::SyntheticToText(rows, o.board.name).c_str(), stdout);
    if (!f.json.empty()) WriteFile(f.json, platform::SyntheticToJson(rows, o.board.name).dump(2) + "\n");
    if (!f.csv.empty()) WriteFile(f.csv, platform::SyntheticToCsv(rows));
    if (!f.svg.empty()) WriteFile(f.svg, report::RenderSvg(platform::SyntheticChart(rows, o.board.name)));
    return;
  }
  const auto models = LoadModels(f);
  const platform::CompareReport r = platform::RunCompare(models, o);
  std::fputs(platform::CompareToText(r).c_str(), stdout);
  if (!f.json.empty()) WriteFile(f.json, platform::CompareToJson(r).dump(2) + "\n");
  if (!f.csv.empty()) WriteFile(f.csv, platform::CompareToCsv(r));
  if (!f.svg.empty()) WriteFile(f.svg, report::RenderSvg(platform::CompareChart(r)));
}

}  // namespace

POTACC_REGISTER_COMMAND(60, [](CLI::App& app) {
  auto flags = std::make_shared<CompareFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "latency and energy of CPU-only vs INT8 vs shift accelerators on a board model");
  cmd->add_option("models", flags->models,
                  "models (.tflite files or generator names); default: generated mobilenetv2, resnet18, inceptionv1");
  cmd->add_option("--board", flags->board, "board name (configs/boards) or board JSON file")->capture_default_str();
  cmd->add_option("--threads", flags->threads, "CPU threads, at most the board's cores (default 0: all cores)")
      ->check(CLI::Range(0, 64));
  cmd->add_flag("--overlap", flags->overlap, "overlap host work with transfers and accelerator compute");
  cmd->add_flag("--synthetic", flags->synthetic, "sweep single-GEMM layers over every PE type instead");
  cmd->add_flag("--no-check", flags->no_check, "skip the output check against the CPU reference");
  cmd->add_option("--methods", flags->methods, "shift accelerators to compare (comma-separated)")
      ->capture_default_str();
  cmd->add_option("--family,--accel-family", flags->family,
                  "accelerator family composed with the board and each method (configs/accel/families: "
                  "potacc-v12, potacc-v12released, potacc-hls; or a family .json file)")
      ->capture_default_str();
  cmd->add_option("--json", flags->json, "write the results as JSON");
  cmd->add_option("--csv", flags->csv, "write the results as CSV");
  cmd->add_option("--svg", flags->svg, "write a grouped bar chart (SVG)");
  cmd->add_option("--seed", flags->seed, "seed of generated models")->capture_default_str();
  cmd->callback([flags] { Compare(*flags); });
});

}  // namespace potacc::cli
