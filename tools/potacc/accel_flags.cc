#include "accel_flags.h"

#include "potacc/accel/backend.h"
#include "cli_checks.h"

namespace potacc::cli {

void AccelFlags::Add(CLI::App* cmd, bool required) {
  accel_option = cmd->add_option("--accel", accel,
                                 "run the layers the configuration accepts (conv, FC, BATCH_MATMUL) on the simulated "
                                 "accelerator: a method (qkeras, apot, msq, uniform4, int8) with --board/--family, "
                                 "a shipped configuration name (<family>-<board>-<method>), or a configuration .json "
                                 "file");
  accel_option->check(NonEmpty());
  if (required) accel_option->required();
  cmd->add_option("--board", board,
                  std::string("board for a method name given to --accel (pynq-z2, kv260 or a board .json file; "
                              "default ") + accel::kDefaultBoard + ")");
  cmd->add_option("--family", family,
                  std::string("accelerator family for a method name given to --accel (potacc-v12, "
                              "potacc-v12released, potacc-hls, or a family .json file; default ") +
                      accel::kDefaultFamily + ")");
  cmd->add_option("--first-conv", first_conv,
                  "where the model's first CONV_2D runs: config (the configuration's first_conv_on_cpu; "
                  "INT8/APoT keep it on the CPU, reference §5.1), cpu, or accel (e.g. to time a "
                  "`potacc gen gemm` probe)")
      ->check(CLI::IsMember({"config", "cpu", "accel"}));
  std::string backends;
  for (const accel::BackendInfo& b : accel::AvailableBackends())
    backends += (backends.empty() ? "" : "; ") + b.name + ": " + b.summary;
  cmd->add_option("--backend", backend, "where the accelerator's command stream runs (" + backends + ")");
}

accel::AcceleratorConfig AccelFlags::Resolve() const {
  // A configuration name or file may already fix its board and family;
  // silently ignoring an explicit --board would report the wrong board's numbers.
  accel::AcceleratorConfig config =
      accel::ResolveAcceleratorConfig(accel, accel::AcceleratorChoice{board, family, /*refuse_ignored=*/true});
  if (first_conv == "cpu") config.first_conv_on_cpu = true;
  else if (first_conv == "accel") config.first_conv_on_cpu = false;
  return config;
}

}  // namespace potacc::cli
