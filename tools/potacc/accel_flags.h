// Accelerator selection flags shared by `potacc run` and `potacc diff`:
// --accel, --board, --family, --first-conv and --backend.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "potacc/accel/config.h"

namespace potacc::cli {

struct AccelFlags {
  std::string accel;               // method name, shipped configuration name or .json file
  std::string board;               // with a method name (or a composition file leaving it open)
  std::string family;              // likewise
  std::string first_conv = "config";  // config | cpu | accel
  std::string backend = "sim";        // where the command stream runs (accel/backend.h)
  CLI::Option* accel_option = nullptr;

  // Adds --accel (required or optional), --board, --family, --first-conv and --backend.
  void Add(CLI::App* cmd, bool required);
  bool enabled() const { return accel_option && accel_option->count() > 0; }
  // ResolveAcceleratorConfig(accel, {board, family, refuse_ignored}), then the
  // --first-conv override. Throws potacc::Error if --board or --family
  // conflicts with a configuration that already fixes it.
  accel::AcceleratorConfig Resolve() const;
};

}  // namespace potacc::cli
