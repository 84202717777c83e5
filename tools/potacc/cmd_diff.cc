// potacc diff MODEL --accel CONFIG [--input ...]: the accelerator against the
// CPU reference, per layer (library: potacc/accel/diff.h).
#include <iostream>
#include <memory>

#include "accel_flags.h"
#include "command.h"
#include "input_flags.h"
#include "potacc/accel/diff.h"
#include "potacc/error.h"
#include "potacc/tflite/reader.h"
#include "progress_bar.h"
#include "run_input.h"

namespace potacc::cli {
namespace {

struct DiffFlags {
  std::string model;
  AccelFlags accel;
  std::string rounding;
  std::vector<std::string> inputs;
  bool batch_file = false;
  bool pixels = false;
  InputFlags input;
  bool fail_on_mismatch = false;
};

void Diff(const DiffFlags& f) {
  const Model model = LoadModel(f.model);
  accel::AcceleratorConfig config = f.accel.Resolve();
  if (!f.rounding.empty() && !accel::ParseRounding(f.rounding, &config.ppu_rounding))
    throw Error("--rounding must be 'double', 'single' or 'icecs-v2'");
  Check(!model.main().inputs.empty(), f.model + ": model has no input");
  const Tensor& in = model.main().tensors.at(model.main().inputs[0]);
  InputSource source;
  source.preprocess = f.input.preprocess();
  source.crop_fraction = f.input.crop_fraction;
  source.pixels = f.pixels;
  source.batch_file = f.batch_file;
  std::vector<std::vector<uint8_t>> inputs;
  for (auto& ni : source.Collect(in, f.inputs)) inputs.push_back(std::move(ni.bytes));
  ProgressBar bar;
  const accel::DiffReport r = accel::DiffAgainstCpu(model, config, inputs, bar.Callback(), f.accel.backend);
  bar.Clear();
  accel::PrintDiffReport(std::cout, r);
  if (f.fail_on_mismatch && !r.bit_exact()) throw Error("outputs differ from the CPU reference");
}

POTACC_REGISTER_COMMAND(25, [](CLI::App& app) {
  auto f = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare the simulated accelerator with the CPU reference, layer by layer (mismatches, max |diff|)");
  cmd->add_option("model", f->model, "the .tflite model")->required();
  f->accel.Add(cmd, /*required=*/true);
  cmd->add_option("--rounding", f->rounding,
                  "override the PPU rounding: double (TFLite), single (the reference design's PPU) or icecs-v2 (the ICECS "
                  "PPU as synthesized, left-shift defect included)");
  cmd->add_option("--input,-i", f->inputs,
                  "image or raw tensor file (repeatable); without --input a deterministic pseudo-random input");
  cmd->add_flag("--batch-file", f->batch_file, "a raw --input holds several inputs back to back");
  cmd->add_flag("--pixels", f->pixels, "a raw --input holds uint8 HxWx3 pixels");
  f->input.Add(cmd, false);
  cmd->add_flag("--fail-on-mismatch", f->fail_on_mismatch, "exit with status 1 unless bit-exact");
  cmd->callback([f]() { Diff(*f); });
});

}  // namespace
}  // namespace potacc::cli
