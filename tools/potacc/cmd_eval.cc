// potacc eval MODEL --data PATH: top-1 / top-5 accuracy.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "exec_flags.h"
#include "input_flags.h"
#include "potacc/error.h"
#include "potacc/io/preprocess.h"
#include "potacc/runtime/evaluate.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/thread_pool.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"

namespace potacc::cli {
namespace {

struct EvalFlags {
  std::string model;
  std::string data;
  size_t limit = 0;
  ExecFlags exec;
  InputFlags input;
  std::string json_path;
};

void RunEval(const EvalFlags& f) {
  RequireDistinctFiles(f.json_path, {f.model, f.data, f.input.labels_file}, "--json");
  const Model model = LoadModel(f.model);
  Check(model.main().inputs.size() == 1, "eval needs a single-input model");
  const Tensor& in = model.main().tensors.at(model.main().inputs[0]);
  const io::InputGeometry g = io::ImageInputGeometry(in);
  const auto data = io::OpenDataset(f.data, f.input.dataset_options(g.height, g.width));
  EvalOptions opt;
  opt.preprocess = f.input.preprocess();
  opt.limit = f.limit;
  opt.threads = f.exec.Threads(HardwareThreads());
  opt.isa = f.exec.Isa();
  ProgressBar bar;
  opt.progress = bar.Callback();
  const EvalResult r = Evaluate(model, *data, opt);
  bar.Clear();
  std::printf("%s\n", FormatAccuracy(r).c_str());
  std::fprintf(stderr, "%s, preprocessing %s, %.2f s (%.2f ms/image)\n", data->Describe().c_str(),
               opt.preprocess.Describe().c_str(), r.seconds, 1e3 * r.seconds / r.count);
  if (!f.json_path.empty()) {
    nlohmann::json j = {{"model", f.model},
                        {"data", f.data},
                        {"dataset", data->Describe()},
                        {"preprocessing", opt.preprocess.Describe()},
                        {"count", r.count},
                        {"top1_correct", r.top1},
                        {"top5_correct", r.top5},
                        {"top1", r.top1_accuracy()},
                        {"top5", r.top5_accuracy()},
                        {"seconds", r.seconds},
                        {"predictions", r.predictions}};
    std::vector<std::string> names;  // predictions[i] is the top-1 class of names[i]
    for (size_t i = 0; i < r.count; ++i) names.push_back(data->Name(i));
    j["images"] = names;
    WriteFileAtomic(f.json_path, j.dump(1) + "\n");
  }
}

POTACC_REGISTER_COMMAND(30, [](CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Top-1/top-5 accuracy on CIFAR-10 binary, raw NHWC or an image folder");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  cmd->add_option("--data", f->data,
                  "CIFAR-10 .bin (label + 3072 CHW bytes per image), <prefix>_u8_nhwc.bin (+ labels beside "
                  "it), a folder holding one of those, or an image folder")
      ->required();
  cmd->add_option("--limit", f->limit, "evaluate only the first N images")->check(PositiveInteger());
  f->exec.Add(cmd, "threads in total (default: all processors): images are shared by up to that many "
                   "interpreters, the threads left over split each inference");
  cmd->add_option("--json", f->json_path, "write the result as JSON")->check(NonEmpty());
  f->input.Add(cmd, true);
  cmd->callback([f]() { RunEval(*f); });
});

}  // namespace
}  // namespace potacc::cli
