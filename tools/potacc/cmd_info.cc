// potacc info MODEL [--json FILE]: a static description of a .tflite model
// (operators, shapes, quantization, MACs, weight-grid analysis). Runs nothing.
#include <cstdio>
#include <memory>

#include "command.h"
#include "potacc/error.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/file.h"
#include "cli_checks.h"

namespace potacc::cli {
namespace {

struct InfoFlags {
  std::string model;
  std::string json_path;
};

void Info(const InfoFlags& f) {
  if (f.json_path != "-") RequireDistinctFiles(f.json_path, {f.model}, "--json");
  const Model model = LoadModel(f.model);
  const ModelInfo info = DescribeModel(model);
  if (f.json_path == "-") {
    std::printf("%s\n", ModelInfoToJson(info).dump(2).c_str());
    return;
  }
  std::printf("%s", FormatModelInfo(info, f.model).c_str());
  if (!f.json_path.empty()) WriteFileAtomic(f.json_path, ModelInfoToJson(info).dump(2) + "\n");
}

}  // namespace

POTACC_REGISTER_COMMAND(5, [](CLI::App& app) {
  auto f = std::make_shared<InfoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Describe a .tflite model: operators, shapes, quantization, MACs, power-of-two weight analysis");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  cmd->add_option("--json", f->json_path, "also write the description as JSON to this file ('-': JSON to stdout only)")
      ->check(NonEmpty());
  cmd->callback([f] { Info(*f); });
});

}  // namespace potacc::cli
