#include "accel_flags.h"

#include "potacc/accel/backend.h"
#include "potacc/error.h"
#include "potacc/quant/method.h"

namespace potacc::cli {

void AccelFlags::Add(CLI::App* cmd, bool required) {
  CLI::Option* a = cmd->add_option("--accel", accel,
                                   "run conv/FC layers on the simulated accelerator: a method (qkeras, apot, msq, "
                                   "uniform4, int8) with --board, a shipped configuration name, or a "
                                   "configuration .json file");
  if (required) a->required();
  board_option = cmd->add_option("--board", board,
                                 "board for a method name given to --accel (pynq-z2, kv260; default pynq-z2)");
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
  // A configuration name or file already fixes its board; silently ignoring
  // an explicit --board would report the wrong board's numbers.
  if (board_option && board_option->count() > 0 && !quant::FindMethod(accel))
    throw Error("--board applies only to a method name given to --accel (qkeras, apot, msq, uniform4, int8); '" +
                accel + "' is a configuration and fixes its own board");
  accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig(accel, board);
  if (first_conv == "cpu") config.first_conv_on_cpu = true;
  else if (first_conv == "accel") config.first_conv_on_cpu = false;
  return config;
}

}  // namespace potacc::cli
