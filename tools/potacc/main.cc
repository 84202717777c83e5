// potacc: command-line front end. Subcommands live in cmd_*.cc.
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <new>

#include "command.h"
#include "potacc/error.h"

namespace potacc::cli {
namespace {
std::multimap<int, CommandSetup>& Commands() {
  static std::multimap<int, CommandSetup> commands;
  return commands;
}
}  // namespace

void RegisterCommand(int order, CommandSetup setup) { Commands().emplace(order, std::move(setup)); }

}  // namespace potacc::cli

int main(int argc, char** argv) {
  CLI::App app{"potacc: power-of-two quantized DNN acceleration pipeline (TFLite int8 runtime, "
               "PoT quantizer, shift-accelerator simulator, board model)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "potacc 0.1.0");
  for (auto& [order, setup] : potacc::cli::Commands()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version print as usual; a bad command line is one error line.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::fprintf(stderr, "potacc: error: %s (see potacc --help)\n", e.what());
    return e.get_exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "potacc: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "potacc: error: %s\n", e.what());
    return 1;
  }
  // What was printed must have arrived (stdout redirected to a full disk or /dev/full).
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "potacc: error: writing to standard output failed\n");
    return 1;
  }
  return 0;
}
