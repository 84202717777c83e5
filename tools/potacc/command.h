// Subcommands of the potacc tool register themselves here; each lives in its
// own cmd_<name>.cc and only parses flags, calls the library and prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace potacc::cli {

// setup() adds the subcommand (and its callback) to the app.
using CommandSetup = std::function<void(CLI::App& app)>;

void RegisterCommand(int order, CommandSetup setup);

struct CommandRegistrar {
  CommandRegistrar(int order, CommandSetup setup) { RegisterCommand(order, std::move(setup)); }
};

#define POTACC_CMD_CONCAT_INNER(a, b) a##b
#define POTACC_CMD_CONCAT(a, b) POTACC_CMD_CONCAT_INNER(a, b)
// POTACC_REGISTER_COMMAND(10, [](CLI::App& app) { ... });  order = position in --help.
#define POTACC_REGISTER_COMMAND(ORDER, SETUP) \
  static const ::potacc::cli::CommandRegistrar POTACC_CMD_CONCAT(potacc_cmd_, __COUNTER__)(ORDER, SETUP)

}  // namespace potacc::cli
