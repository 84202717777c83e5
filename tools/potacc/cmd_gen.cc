// potacc gen NAME -o OUT.tflite [--seed N] [--<param> VALUE ...]: writes a
// generated int8 model. Generators self-register (potacc/tflite/generators.h);
// `potacc gen --list` shows them with their parameters.
#include <cstdio>
#include <map>
#include <memory>

#include "command.h"
#include "potacc/error.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/writer.h"
#include "cli_checks.h"

namespace potacc::cli {
namespace {

struct GenFlags {
  std::string name;
  std::string output;
  uint64_t seed = 1;
  bool list = false;
};

// A parameter whose default is true/false is a flag: "--depthwise" alone means
// true, and an explicit "--depthwise false" still works.
bool IsBoolParam(const GeneratorInfo* g, const std::string& key) {
  if (!g) return false;
  for (const GenParam& p : g->params)
    if (p.name == key) return p.default_value == "true" || p.default_value == "false";
  return false;
}

void ListGenerators() {
  for (const GeneratorInfo* g : AllGenerators()) {
    std::printf("%-12s %s\n", g->name.c_str(), g->description.c_str());
    for (const GenParam& p : g->params)
      std::printf("    --%-12s %-8s %s%s\n", p.name.c_str(), p.default_value.c_str(), p.help.c_str(),
                  IsBoolParam(g, p.name) ? " (a flag: alone means true)" : "");
  }
}

// Generator parameters arrive as CLI11 extras: "--key value", "--key=value" or,
// for boolean parameters of generator g, a bare "--key".
std::map<std::string, std::string> ParseParams(const GeneratorInfo* g, const std::vector<std::string>& extras) {
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < extras.size(); ++i) {
    const std::string& a = extras[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0)
      throw Error("gen: unexpected argument '" + a + "' (generator options look like --name value)");
    std::string key = a.substr(2), value;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (IsBoolParam(g, key)) {
      // A following word is its value (GenOptions::Bool rejects non-booleans
      // by name); a following option or the end means true.
      const bool has_value = i + 1 < extras.size() && extras[i + 1].compare(0, 2, "--") != 0;
      value = has_value ? extras[++i] : "true";
    } else {
      if (i + 1 >= extras.size()) throw Error("gen: option --" + key + " needs a value");
      value = extras[++i];
    }
    if (values.count(key)) throw Error("gen: option --" + key + " given twice");
    values[key] = value;
  }
  return values;
}

void Gen(const GenFlags& f, const std::vector<std::string>& extras) {
  if (f.list) {
    ListGenerators();
    return;
  }
  if (f.name.empty()) throw Error("gen: give a generator name (see potacc gen --list)");
  if (f.output.empty()) throw Error("gen: give the output file with -o OUT.tflite");
  const Model model = Generate(f.name, f.seed, ParseParams(FindGenerator(f.name), extras));
  SaveModel(model, f.output);
  const ModelInfo info = DescribeModel(model);
  std::printf("wrote %s: generator '%s', seed %llu, %zu operators, %lld MACs, %lld parameters\n", f.output.c_str(),
              f.name.c_str(), static_cast<unsigned long long>(f.seed), info.nodes.size(),
              static_cast<long long>(info.total_macs), static_cast<long long>(info.num_parameters));
}

}  // namespace

POTACC_REGISTER_COMMAND(6, [](CLI::App& app) {
  auto f = std::make_shared<GenFlags>();
  CLI::App* cmd = app.add_subcommand(
      "gen", "Generate an int8 .tflite model (deterministic random weights); --list shows generators");
  cmd->add_option("name", f->name, "generator name (fc, conv, gemm, cnn, ...)");
  cmd->add_option("-o,--output", f->output, "output .tflite file")->check(NonEmpty());
  cmd->add_option("--seed", f->seed, "weight seed (same seed -> identical file)");
  cmd->add_flag("--list", f->list, "list the generators and their options");
  cmd->allow_extras();
  cmd->footer("Generator options follow the generator name, e.g. potacc gen conv --h 32 --cout 64 -o conv.tflite");
  cmd->callback([f, cmd] { Gen(*f, cmd->remaining()); });
});

}  // namespace potacc::cli
