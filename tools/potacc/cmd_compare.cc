// potacc compare [MODEL...] --board B [--family F] [--threads N] [--overlap] [--json F] [--csv F] [--svg F]
//                [--uncertainty] [--uncertainty-method mc|corners] [--samples N] [--tornado F.svg]
// potacc compare --synthetic --board B [...]
// Each model runs CPU-only, on the INT8 multiplier accelerator and on each
// shift accelerator; the board model turns the runs into latency and energy.
// MODEL is a .tflite file or a generator name (mobilenetv2, resnet18, ...);
// without models the reference evaluation's three ImageNet networks are generated.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "command.h"
#include "potacc/error.h"
#include "potacc/platform/compare.h"
#include "potacc/platform/published.h"
#include "potacc/platform/synthetic.h"
#include "potacc/platform/uncertainty.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"

namespace potacc::cli {
namespace {

struct CompareFlags {
  std::vector<std::string> models;
  std::string board = "pynq-z2";
  int threads = 0;
  bool overlap = false;
  bool synthetic = false;
  bool no_check = false;
  std::string methods;  // default: the shift designs the family has (of qkeras, apot, msq)
  std::string family = accel::kDefaultFamily;
  std::string json, csv, svg;
  uint64_t seed = 1;
  bool uncertainty = false;
  std::string uncertainty_method = "mc";
  int samples = 1000;
  uint64_t uncertainty_seed = 1;
  std::string tornado, tornado_figure;
};

// "qkeras,apot": an empty list or entry is an error.
std::vector<std::string> SplitList(const std::string& s, const std::string& flag) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    Check(!item.empty(), flag + ": empty entry in '" + s + "'");
    out.push_back(item);
  }
  Check(!out.empty() && s.back() != ',', flag + ": give a comma-separated list, got '" + s + "'");
  return out;
}

// The files compare reads (models given as files, a board file).
std::vector<std::string> InputFiles(const CompareFlags& f) {
  std::vector<std::string> files = f.models;
  files.push_back(f.board);
  return files;
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

// The shift designs of a family on a board: those of qkeras, apot, msq it composes with.
std::vector<std::string> FamilyMethods(const std::string& family, const platform::Board& board) {
  const accel::AccelBoard accel_board = accel::AccelBoardOf(board);
  std::vector<std::string> out;
  for (const char* m : {"qkeras", "apot", "msq"}) {
    try {
      accel::ComposeAcceleratorConfig(family, accel_board, m);
      out.push_back(m);
    } catch (const Error&) {
    }
  }
  // A family that composes with none of them: let the INT8 composition say why.
  if (out.empty()) accel::ComposeAcceleratorConfig(family, accel_board, "int8");
  return out;
}

void WriteOutputs(const CompareFlags& f, const platform::CompareReport& r, const platform::Board& board,
                  const platform::UncertaintyResult* u, const std::vector<platform::PublishedCheck>& published) {
  OutputFiles outputs;
  if (!f.json.empty()) {
    nlohmann::json j = platform::CompareToJson(r);
    j["energy_accountings"] = {{"energy_mj", platform::kWholeBoardAccounting},
                               {"energy_above_idle_mj", platform::kAboveIdleAccounting}};
    if (u) j["uncertainty"] = platform::UncertaintyToJson(*u);
    j["published"] = platform::PublishedToJson(published);
    outputs.Add(f.json, j.dump(2) + "\n");
  }
  if (!f.csv.empty()) outputs.Add(f.csv, platform::CompareToCsv(r));
  if (!f.svg.empty()) outputs.Add(f.svg, report::RenderSvg(platform::CompareChart(r)));
  if (!f.tornado.empty() && u) {
    report::TornadoChart chart = platform::TornadoChartOf(*u, board.name);
    for (const auto& c : published)
      if (c.predicted == u->tornado_figure) {
        chart.reference_line = c.figure->value;
        chart.reference_label = c.figure->paper + ": " + c.figure->text;
      }
    outputs.Add(f.tornado, report::RenderTornadoSvg(chart));
  }
  outputs.Commit();
}

void Compare(const CompareFlags& f) {
  for (const std::string* out : {&f.json, &f.csv, &f.svg, &f.tornado})
    RequireDistinctFiles(*out, InputFiles(f), "output");
  RequireDistinctFiles(f.csv, {f.json}, "--csv");
  RequireDistinctFiles(f.svg, {f.json, f.csv}, "--svg");
  RequireDistinctFiles(f.tornado, {f.json, f.csv, f.svg}, "--tornado");
  platform::CompareOptions o;
  o.board = platform::LoadBoard(f.board);
  // The board model cannot run more threads than the board has cores; saying so
  // beats silently timing a different configuration.
  if (f.threads > o.board.cpu.cores)
    throw Error("--threads " + std::to_string(f.threads) + ": board " + f.board + " has " +
                std::to_string(o.board.cpu.cores) + " CPU core(s)");
  o.timeline.threads = f.threads;
  o.timeline.overlap = f.overlap;
  o.methods = f.methods.empty() ? FamilyMethods(f.family, o.board) : SplitList(f.methods, "--methods");
  o.accel_family = f.family;
  o.check_outputs = !f.no_check;
  ProgressBar bar;
  o.progress = bar.Callback();
  if (f.synthetic) {
    Check(f.models.empty(), "compare --synthetic takes no models");
    platform::SyntheticOptions so;
    so.compare = o;
    const auto rows = platform::RunSynthetic(so);
    bar.Clear();
    std::fputs(platform::SyntheticToText(rows, o.board.name).c_str(), stdout);
    OutputFiles outputs;
    if (!f.json.empty()) outputs.Add(f.json, platform::SyntheticToJson(rows, o.board.name).dump(2) + "\n");
    if (!f.csv.empty()) outputs.Add(f.csv, platform::SyntheticToCsv(rows));
    if (!f.svg.empty()) outputs.Add(f.svg, report::RenderSvg(platform::SyntheticChart(rows, o.board.name)));
    outputs.Commit();
    return;
  }
  platform::UncertaintyOptions uo;
  if (f.uncertainty_method == "corners") uo.method = platform::UncertaintyMethod::kCorners;
  else if (f.uncertainty_method != "mc") throw Error("--uncertainty-method must be 'mc' or 'corners'");
  uo.samples = f.samples;
  uo.seed = f.uncertainty_seed;
  uo.tornado_figure = f.tornado_figure;
  const std::vector<platform::PublishedFigure> figures = platform::LoadPublishedFigures();
  const auto models = LoadModels(f);
  const platform::CompareReport r = platform::RunCompare(models, o);
  std::optional<platform::UncertaintyResult> u;
  if (f.uncertainty || !f.tornado.empty()) u = platform::PropagateUncertainty(r, o.board, uo);
  const auto published = platform::CheckPublished(r, figures, u ? &*u : nullptr);
  std::string text = platform::CompareToText(r);
  text += "\nenergy accountings:\n  " + std::string(platform::kWholeBoardAccounting) + "\n  " +
          platform::kAboveIdleAccounting + "\n";
  if (u) text += "\n" + platform::UncertaintyToText(r, *u);
  text += platform::PublishedToText(published);
  bar.Clear();
  std::fputs(text.c_str(), stdout);
  WriteOutputs(f, r, o.board, u ? &*u : nullptr, published);
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
  cmd->add_option("--methods", flags->methods,
                  "shift accelerators to compare (comma-separated; default: those of the family among qkeras, apot, msq)")
      ->check(NonEmpty());
  cmd->add_option("--family,--accel-family", flags->family,
                  "accelerator family composed with the board and each method (configs/accel/families: "
                  "potacc-v12 (TCASAI design, default), icecs-v2 (the ICECS 2024 design), potacc-v12released, potacc-hls; "
                  "or a family .json file)")
      ->capture_default_str();
  cmd->add_option("--json", flags->json, "write the results as JSON")->check(NonEmpty());
  cmd->add_option("--csv", flags->csv, "write the results as CSV")->check(NonEmpty());
  cmd->add_option("--svg", flags->svg, "write a grouped bar chart (SVG)")->check(NonEmpty());
  cmd->add_option("--seed", flags->seed, "seed of generated models")->capture_default_str();
  cmd->add_flag("--uncertainty", flags->uncertainty,
                "propagate the board numbers' plausible ranges: central value and interval of every figure");
  cmd->add_option("--uncertainty-method", flags->uncertainty_method,
                  "mc (Monte Carlo, fixed seed) or corners (per figure, the corner of the ranges that moves it most)")
      ->capture_default_str();
  cmd->add_option("--samples", flags->samples, "Monte Carlo boards")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--uncertainty-seed", flags->uncertainty_seed, "Monte Carlo seed")->capture_default_str();
  cmd->add_option("--tornado", flags->tornado,
                  "write a tornado chart (SVG) of what moves the mean speed-up (implies the uncertainty study)")
      ->check(NonEmpty());
  cmd->add_option("--tornado-figure", flags->tornado_figure,
                  "figure of the tornado (default mean/<first shift design>/speedup_vs_cpu; any name of the JSON's "
                  "uncertainty.figures)");
  cmd->callback([flags] { Compare(*flags); });
});

}  // namespace potacc::cli
