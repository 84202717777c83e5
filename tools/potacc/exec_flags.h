// How the CPU kernels run, shared by run, eval and quantize --eval:
// --threads (validated, capped to the machine's processors) and --isa.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "potacc/kernels/gemm.h"

namespace potacc::cli {

struct ExecFlags {
  int threads = 0;  // 0: the command's default
  std::string isa;  // empty: the best the CPU has

  // Adds --threads (with the command's own help) and, with_isa, --isa.
  void Add(CLI::App* cmd, const std::string& threads_help, bool with_isa = true);
  // --threads, or `fallback` when absent, capped to the processors the OS
  // reports (more threads would only cost memory); says so on stderr.
  int Threads(int fallback) const;
  kernels::Isa Isa() const;
};

}  // namespace potacc::cli
