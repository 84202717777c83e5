// Where the driver's command stream runs. The driver (driver.h) produces the
// §3 command stream; a Backend executes it and returns the output beats and
// the cycles it counted. Everything above this line (delegate, diff, run,
// board-bench) is unaware of which backend runs:
//
//   sim     the C++ event-level simulator (sim.h) - fast, the default
//   rtl     the Verilated whole-accelerator RTL (hw/), when built with Verilator
//   device  MMIO + AXI DMA of a real board (or the register-level model of one)
//
// Backends register themselves by name (RegisterBackend, usually from a static
// registrar in the file that implements them), so the library core never
// depends on Verilator or on a device.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"
#include "potacc/accel/stats.h"

namespace potacc::accel {

// Everything a backend counted since the last ResetStats(). A backend that
// cannot count a field leaves it 0; `measured` says which counts came from
// the hardware itself (RTL cycle counters, device counters) rather than a model.
struct SimStats {
  PhaseCycles cycles;
  std::vector<UnitActivity> units;
  int64_t commands = 0;
  int64_t words_in = 0;   // 32-bit stream words host -> accelerator (all streams)
  int64_t words_out = 0;  // 32-bit stream words accelerator -> host
  // Words moved inside the accelerator from the global epilogue arrays to a
  // unit's PPU at each tile dispatch (ICECS v2: 9 per tile; v12: 0).
  int64_t dispatch_epilogue_words = 0;
  bool measured = false;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "sim", "rtl", "device", ...
  virtual std::string name() const = 0;
  virtual const AcceleratorConfig& config() const = 0;

  // Executes one command. COMPUTE appends its output beats (data beats, then
  // the TLAST beat) to `out` (stream q = row q of each strip); `out` may be
  // null when the caller does not need the outputs. Errors (a command the
  // design cannot run, a device fault, a timeout) throw potacc::Error.
  virtual void Execute(const Command& cmd, StreamWordsT* out) = 0;

  // Executes a whole stream; COMPUTE outputs are appended to `out`.
  void Run(const std::vector<Command>& cmds, StreamWordsT* out = nullptr) {
    for (const Command& c : cmds) Execute(c, out);
  }

  virtual const SimStats& stats() const = 0;
  virtual void ResetStats() = 0;

  // Optional second opinion: a backend that runs real hardware or RTL may also
  // report what the event model predicts for the same commands (null if not).
  virtual const SimStats* model_stats() const { return nullptr; }
};

// Options of a backend, from "NAME:key=value,key=value" (e.g. "rtl:stall=0.2").
class BackendOptions {
 public:
  BackendOptions() = default;
  // Parses "key=value,key=value" ("" = none). Throws potacc::Error on a malformed item.
  static BackendOptions Parse(const std::string& text, const std::string& backend);
  bool empty() const { return values_.empty(); }
  // The value of `key` as a number in [lo, hi], or `fallback` when absent.
  double Number(const std::string& key, double fallback, double lo, double hi) const;
  // Throws potacc::Error naming the first key not in `known` (a typo must not be ignored).
  void RejectUnknown(const std::vector<std::string>& known) const;

 private:
  std::string backend_;
  std::vector<std::pair<std::string, std::string>> values_;
};

using BackendFactory = std::function<std::unique_ptr<Backend>(const AcceleratorConfig&)>;
using BackendFactoryWithOptions =
    std::function<std::unique_ptr<Backend>(const AcceleratorConfig&, const BackendOptions&)>;

// Registers a backend under `name` (a later registration of the same name
// replaces the earlier one). `summary` is one line for --help and errors. A
// factory without options refuses "name:options".
void RegisterBackend(const std::string& name, const std::string& summary, BackendFactory factory);
void RegisterBackend(const std::string& name, const std::string& summary, BackendFactoryWithOptions factory);

// Creates the backend `spec` = "NAME" or "NAME:options" for `config`. Throws
// potacc::Error naming the available backends when NAME is unknown (e.g.
// "rtl" in a build without Verilator says so).
std::unique_ptr<Backend> MakeBackend(const std::string& spec, const AcceleratorConfig& config);

struct BackendInfo {
  std::string name, summary;
};
// The registered backends, sorted by name.
std::vector<BackendInfo> AvailableBackends();

inline constexpr const char* kDefaultBackend = "sim";

// Backends that carry the v12 command stream of §3 (and its potacc-x
// extensions: CONFIG_DW, slab LOAD_INP, PsumMode) only - the device path and
// its model - refuse a configuration that needs the ICECS dialect.
void RequireV12Stream(const AcceleratorConfig& config, const std::string& backend);

}  // namespace potacc::accel
