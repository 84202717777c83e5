// potacc extract MODEL --node N -o OUT.tflite: one node of a model as a
// standalone single-op model (its activation inputs become graph inputs).
#include <cstdio>
#include <memory>

#include "command.h"
#include "potacc/error.h"
#include "potacc/tflite/extract.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "potacc/util/file.h"
#include "potacc/util/text.h"
#include "cli_checks.h"

namespace potacc::cli {
namespace {

struct ExtractFlags {
  std::string model;
  int node = -1;
  std::string output;
};

void Extract(const ExtractFlags& f) {
  RequireDistinctFiles(f.output, {f.model}, "-o");
  const Model model = LoadModel(f.model);
  const Model single = ExtractNode(model, f.node);
  ValidateModel(single, f.output);
  SaveModel(single, f.output);
  const Subgraph& g = single.main();
  std::printf("%s: node %d %s, %zu graph input(s):", f.output.c_str(), f.node,
              BuiltinOpName(g.operators.front().builtin).c_str(), g.inputs.size());
  for (const int t : g.inputs)
    std::printf(" '%s' %s %s", g.tensors[static_cast<size_t>(t)].name.c_str(),
                DataTypeName(g.tensors[static_cast<size_t>(t)].type),
                FormatShape(g.tensors[static_cast<size_t>(t)].shape).c_str());
  std::printf("\n");
}

}  // namespace

POTACC_REGISTER_COMMAND(7, [](CLI::App& app) {
  auto f = std::make_shared<ExtractFlags>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Cut one node out of a .tflite model into a single-op model (same tensors, quantization, "
                 "options and constants; its activation inputs become graph inputs)");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  cmd->add_option("--node", f->node, "node index (potacc info lists them)")->required()->check(NonNegativeInteger());
  cmd->add_option("-o,--output", f->output, "output .tflite file")->required()->check(NonEmpty());
  cmd->callback([f] { Extract(*f); });
});

}  // namespace potacc::cli
