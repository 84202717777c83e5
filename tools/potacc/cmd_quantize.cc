// potacc quantize MODEL --method M -o OUT.tflite: requantize an int8 model's
// conv/FC weights onto a PoT grid (see docs/quantization.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "command.h"
#include "exec_flags.h"
#include "input_flags.h"
#include "potacc/error.h"
#include "potacc/quant/calibrate.h"
#include "potacc/quant/requantize.h"
#include "potacc/runtime/evaluate.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "potacc/util/thread_pool.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"

namespace potacc::cli {
namespace {

struct QuantizeFlags {
  std::string model;
  std::string method;
  std::string output;
  std::string report;
  bool skip_first_conv = false;
  bool skip_last_fc = false;
  bool all_layers = false;
  bool depthwise = false;
  std::vector<std::string> layers;
  std::string top_level = "keep";
  int scan_points = 192;
  std::string scale_rule = "mse";
  // auto
  std::vector<std::string> auto_candidates;
  bool auto_per_channel = false;
  double auto_min_sqnr = 0;
  int auto_max_int8_layers = 0;
  // activation-aware search
  std::string calib_data;
  size_t calib_first = 0;
  size_t calib_count = 64;
  std::string calib_labels;
  std::string calib_mode = "both";
  // eval
  std::string eval_data;
  size_t limit = 0;
  ExecFlags exec;
  InputFlags input;
  bool quiet = false;
};

std::string Db(double db) {
  if (std::isinf(db)) return "exact";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", db);
  return buf;
}

std::string Shape(const std::vector<int32_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

void PrintReport(const quant::RequantizeResult& r) {
  std::printf("%5s  %-17s %-14s %-8s %6s %7s %8s %8s  %s\n", "node", "op", "weights", "method", "chans", "on-grid",
              "searched", "SQNR dB", "notes");
  int chans = 0, grid = 0, kept = 0, halved = 0;
  for (const auto& l : r.layers) {
    if (!l.quantized) {
      std::printf("%5d  %-17s %-14s %-8s %6s %7s %8s %8s  %s\n", l.node, l.op.c_str(), Shape(l.shape).c_str(), "int8",
                  "-", "-", "-", "-", l.skip_reason.c_str());
      continue;
    }
    chans += l.channels;
    grid += l.on_grid;
    kept += l.kept_top_level;
    halved += l.halved;
    std::string notes;
    if (l.halved) notes += std::to_string(l.halved) + " halved (2^7 as 64, scale x2) ";
    if (l.kept_top_level) notes += std::to_string(l.kept_top_level) + " kept (127 = 2^7) ";
    if (l.merged_bottom) notes += std::to_string(l.merged_bottom) + " merged (2^0 -> 2^1) ";
    if (l.bias_saturated) notes += std::to_string(l.bias_saturated) + " bias saturated ";
    if (!l.channel_methods.empty()) {
      for (auto& [m, n] : l.channel_methods) notes += m + ":" + std::to_string(n) + " ";
    } else if (!l.candidate_sqnr_db.empty()) {
      notes += "candidates";
      for (auto& [m, db] : l.candidate_sqnr_db) notes += " " + m + "=" + Db(db);
    }
    std::printf("%5d  %-17s %-14s %-8s %6d %7d %8d %8s  %s\n", l.node, l.op.c_str(), Shape(l.shape).c_str(),
                l.method.c_str(), l.channels, l.on_grid, l.searched, Db(l.sqnr_db).c_str(), notes.c_str());
  }
  std::printf("%d of %zu conv/FC layers quantized (%s); %d of %d channels on grid (lossless)", r.quantized_layers(),
              r.layers.size(), r.method.c_str(), grid, chans);
  if (halved) std::printf(", %d halved", halved);
  if (kept)
    std::printf(", %d kept with 127 standing for 2^7 = 128 (the CPU runs 127, the accelerator 128)", kept);
  std::printf("\n");
}

EvalResult EvalModel(const Model& model, const QuantizeFlags& f) {
  Check(model.main().inputs.size() == 1, "--eval needs a single-input model");
  const Tensor& in = model.main().tensors.at(model.main().inputs[0]);
  const io::InputGeometry g = io::ImageInputGeometry(in);
  const auto data = io::OpenDataset(f.eval_data, f.input.dataset_options(g.height, g.width));
  EvalOptions opt;
  opt.preprocess = f.input.preprocess();
  opt.limit = f.limit;
  opt.threads = f.exec.Threads(HardwareThreads());
  ProgressBar bar;
  opt.progress = bar.Callback();
  return Evaluate(model, *data, opt);
}

// Every file quantize reads; an output naming one of them is refused.
std::vector<std::string> InputFiles(const QuantizeFlags& f) {
  return {f.model, f.eval_data, f.calib_data, f.calib_labels, f.input.labels_file};
}

// "--layers 1,2,conv3" and repeated flags; an empty entry is an error.
std::vector<std::string> LayerFilter(const std::vector<std::string>& entries) {
  std::vector<std::string> layers;
  for (const auto& entry : entries) {
    std::stringstream ss(entry);
    std::string item;
    while (std::getline(ss, item, ',')) {
      Check(!item.empty(), "--layers: empty entry in '" + entry + "' (node indices or tensor names, comma-separated)");
      layers.push_back(item);
    }
    Check(!entry.empty() && entry.back() != ',',
          "--layers: empty entry in '" + entry + "' (node indices or tensor names, comma-separated)");
  }
  return layers;
}

void RunQuantize(const QuantizeFlags& f) {
  RequireDistinctFiles(f.output, InputFiles(f), "-o");
  RequireDistinctFiles(f.report, InputFiles(f), "--report");
  RequireDistinctFiles(f.report, {f.output}, "--report");
  Check(!(f.all_layers && (f.skip_first_conv || f.skip_last_fc)),
        "--all-layers cannot be combined with --skip-first-conv / --skip-last-fc");
  quant::RequantizeOptions opt;
  if (f.method == "auto") {
    if (!f.auto_candidates.empty()) {
      opt.auto_options.candidates.clear();
      for (const auto& name : f.auto_candidates) opt.auto_options.candidates.push_back(quant::MethodByName(name).id);
    }
    opt.auto_options.per_channel = f.auto_per_channel;
    opt.auto_options.min_sqnr_db = f.auto_min_sqnr;
    opt.auto_options.max_int8_layers = f.auto_max_int8_layers;
  } else {
    try {
      opt.method = &quant::MethodByName(f.method);
    } catch (const Error& e) {
      throw Error(std::string("--method: ") + e.what() + " or auto");
    }
  }
  opt.skip_first_conv = f.skip_first_conv;
  opt.skip_last_fc = f.skip_last_fc;
  opt.method_convention = !f.all_layers;
  opt.include_depthwise = f.depthwise;
  opt.layers = LayerFilter(f.layers);
  if (f.top_level == "keep") {
    opt.channel.top_level = quant::TopLevelPolicy::kKeep;
  } else if (f.top_level == "merge-bottom") {
    opt.channel.top_level = quant::TopLevelPolicy::kMergeBottom;
  } else if (f.top_level == "search") {
    opt.channel.top_level = quant::TopLevelPolicy::kSearch;
  } else {
    throw Error("--top-level: unknown policy '" + f.top_level + "' (valid: keep, merge-bottom, search)");
  }
  opt.channel.scan_points = f.scan_points;
  Check(f.scale_rule == "mse" || f.scale_rule == "max", "--scale-rule: '" + f.scale_rule + "' (valid: mse, max)");
  opt.channel.mse_search = f.scale_rule == "mse";

  const Model in = LoadModel(f.model);
  if (!f.calib_data.empty()) {
    Check(in.main().inputs.size() == 1, "--calibrate needs a single-input model");
    const io::InputGeometry g = io::ImageInputGeometry(in.main().tensors.at(in.main().inputs[0]));
    io::DatasetOptions dopt = f.input.dataset_options(g.height, g.width);
    if (!f.calib_labels.empty()) dopt.labels_file = f.calib_labels;
    const auto data = io::OpenDataset(f.calib_data, dopt);
    ProgressBar bar;
    opt.input_stats =
        quant::CollectInputStats(in, *data, f.input.preprocess(), f.calib_first, f.calib_count, bar.Callback());
    opt.activation_aware_search = f.calib_mode != "bias";
    opt.bias_correction = f.calib_mode != "search";
  }
  ProgressBar bar;
  opt.progress = bar.Callback();
  const quant::RequantizeResult r = quant::RequantizeModel(in, opt);
  bar.Clear();
  // Outputs are written last, together (nothing is left behind if --eval or
  // the report fails).
  OutputFiles outputs;
  outputs.Add(f.output, WriteModel(r.model));
  if (!f.quiet) PrintReport(r);

  nlohmann::json report = r.ToJson();
  report["model"] = f.model;
  report["output"] = f.output;
  report["activation_aware"] = !f.calib_data.empty();
  if (!f.eval_data.empty()) {
    const EvalResult before = EvalModel(in, f);
    const EvalResult after = EvalModel(r.model, f);
    std::printf("accuracy before: %s\naccuracy after:  %s\n", FormatAccuracy(before).c_str(),
                FormatAccuracy(after).c_str());
    report["eval"] = {{"data", f.eval_data},
                      {"count", after.count},
                      {"top1_before", before.top1_accuracy()},
                      {"top1_after", after.top1_accuracy()},
                      {"top5_before", before.top5_accuracy()},
                      {"top5_after", after.top5_accuracy()}};
  }
  if (!f.report.empty()) outputs.Add(f.report, report.dump(1) + "\n");
  outputs.Commit();
  std::printf("wrote %s%s\n", f.output.c_str(), f.report.empty() ? "" : (" and " + f.report).c_str());
}

POTACC_REGISTER_COMMAND(40, [](CLI::App& app) {
  auto f = std::make_shared<QuantizeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Requantize an int8 model's conv/FC weights onto a PoT grid (qkeras, apot, msq, uniform4, int8, auto)");
  cmd->add_option("model", f->model, "the int8 .tflite model")->required();
  cmd->add_option("--method,-m", f->method, "qkeras | apot | msq | uniform4 | int8 | auto")->required();
  cmd->add_option("-o,--output", f->output, "output .tflite")->required()->check(NonEmpty());
  cmd->add_option("--report", f->report, "write the per-layer report as JSON")->check(NonEmpty());
  cmd->add_flag("--skip-first-conv", f->skip_first_conv,
                "keep the first CONV_2D at int8 (the APoT convention; apot does this by default)");
  cmd->add_flag("--skip-last-fc", f->skip_last_fc,
                "keep the last FULLY_CONNECTED at int8 (the APoT convention; apot does this by default)");
  cmd->add_flag("--all-layers", f->all_layers,
                "also quantize the layers the method's convention keeps at int8 (apot: the first CONV_2D and "
                "the last FULLY_CONNECTED)");
  cmd->add_flag("--depthwise", f->depthwise, "also quantize DEPTHWISE_CONV_2D weights");
  cmd->add_option("--layers", f->layers, "only these layers: node indices or tensor names (comma-separated)");
  cmd->add_option("--top-level", f->top_level,
                  "qkeras channels using both 2^0 and 2^7 (stored 127 = 2^7): keep (source values, accelerator "
                  "runs 128) | merge-bottom (halve, 2^0 -> 2^1; CPU == accelerator) | search (lossy MSE search)");
  cmd->add_option("--scan-points", f->scan_points, "scale candidates of the MSE search per channel")
      ->check(CLI::Range(8, 100000));
  cmd->add_option("--scale-rule", f->scale_rule,
                  "off-grid channels: mse (searched MSE-optimal scale) | max (naive max|w| rule, for comparison)");
  cmd->add_option("--auto-candidates", f->auto_candidates, "auto: candidate methods (default qkeras,apot,msq,uniform4)")
      ->delimiter(',');
  cmd->add_flag("--auto-per-channel", f->auto_per_channel,
                "auto: pick per channel (model-quality study; the accelerator runs one method)");
  cmd->add_option("--auto-min-sqnr", f->auto_min_sqnr, "auto budget: layers below this SQNR (dB) may stay int8")
      ->check(FiniteNumber());
  cmd->add_option("--auto-max-int8-layers", f->auto_max_int8_layers,
                  "auto budget: at most this many layers stay int8 (worst SQNR first)")
      ->check(NonNegativeInteger());
  cmd->add_option("--calibrate", f->calib_data,
                  "activation-aware search: weight each weight's error by its input channel's mean square, "
                  "measured on these images (same formats and preprocessing flags as --eval)");
  cmd->add_option("--calib-first", f->calib_first, "--calibrate: first image index (default 0)")
      ->check(NonNegativeInteger());
  cmd->add_option("--calib-count", f->calib_count, "--calibrate: number of images (default 64)")
      ->check(PositiveInteger());
  cmd->add_option("--calib-labels", f->calib_labels, "--calibrate: labels file of the calibration images");
  cmd->add_option("--calib-mode", f->calib_mode,
                  "--calibrate: both (activation-aware search + bias correction) | search | bias")
      ->check(CLI::IsMember({"both", "search", "bias"}));
  cmd->add_option("--eval", f->eval_data, "evaluate top-1 before and after on this data set (as potacc eval --data)");
  cmd->add_option("--limit", f->limit, "--eval: only the first N images")->check(PositiveInteger());
  f->exec.Add(cmd, "--eval: threads in total (default: all processors)", /*with_isa=*/false);
  cmd->add_flag("--quiet,-q", f->quiet, "do not print the per-layer table");
  f->input.Add(cmd, true);
  cmd->callback([f]() { RunQuantize(*f); });
});

}  // namespace
}  // namespace potacc::cli
