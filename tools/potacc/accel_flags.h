// Accelerator selection flags shared by `potacc run` and `potacc diff`:
// --accel, --board, --first-conv and --backend.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "potacc/accel/config.h"

namespace potacc::cli {

struct AccelFlags {
  std::string accel;               // method name, shipped configuration name or .json file
  std::string board = "pynq-z2";   // only with a method name
  std::string first_conv = "config";  // config | cpu | accel
  std::string backend = "sim";        // where the command stream runs (accel/backend.h)
  CLI::Option* board_option = nullptr;

  // Adds --accel (required or optional), --board, --first-conv and --backend.
  void Add(CLI::App* cmd, bool required);
  bool enabled() const { return !accel.empty(); }
  // ResolveAcceleratorConfig(accel, board), then the --first-conv override.
  // Throws potacc::Error if --board was given with a configuration name/file
  // (the configuration already fixes the board).
  accel::AcceleratorConfig Resolve() const;
};

}  // namespace potacc::cli
