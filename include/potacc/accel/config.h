// Accelerator configurations as data (configs/accel/*.json).
//
// One AcceleratorConfig describes a whole design point of the reference
// shift-PE accelerator family (docs/reference-accelerator.md §2.2): number of
// GEMM units, clock, PE method, buffer geometries, streams, the timing
// parameters of the event model (§2.4-2.6, §4.2), PPU rounding, which
// operators the driver accepts, and compatibility switches for the released
// design's quirks (§10). The driver, the simulator and the delegation all read
// the same value; nothing about a board or a method is hard-wired.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/model.h"
#include "potacc/quant/method.h"

namespace potacc::accel {

// Buffer sizes (per GEMM unit unless noted), in addresses of the hardware
// arrays, as in the reference design's acc_config.
struct BufferGeometry {
  // Weight buffer: addresses per unit. One address holds 4 columns x 4 depth
  // weights (a 64-bit word of 4-bit codes, or two parallel 64-bit int8 banks).
  int64_t weight_addresses = 4096;
  int weight_banks = 1;            // 1 (shift: 64-bit codes) or 2 (INT8: 2 x 64-bit)
  // Local input buffer: addresses per unit; one address = one 128-bit beat
  // (4 rows x 4 depth), split into banks "a" and "b".
  int64_t local_input_addresses = 2048;
  // Global input buffer: addresses per bank, 4 banks of 32 bits (bank q = row q of a strip).
  int64_t gib_addresses = 8192;
  // Weight-sum / multiplier / shift entries per lane per unit (WSUMS_BUF_LEN).
  int64_t wsums_entries = 128;
};

// Cycle parameters of the timing model. Defaults are the released SystemC
// model (potacc-v12); see docs/accelerator.md for how each maps to a thread.
struct TimingParams {
  enum class Model : uint8_t { kEvent, kClosedForm, kCycle };
  Model model = Model::kEvent;
  // Scheduler
  int broadcast_cycles_per_beat = 3;  // GIB -> local input broadcast (HLS pragma: 1)
  int broadcast_setup_cycles = 1;     // load-length handshake before the broadcast
  int ready_poll_cycles_per_unit = 1; // "wait until every unit is ready" visits units one per cycle
  int scheduler_start_cycles = 1;
  int dispatch_gap = 6;               // cycles between successive tile dispatches
  int dispatch_to_start = 2;          // broadcast end -> first dispatch
  // GEMM unit: busy d + pe_overhead cycles per tile when its PPU is free
  // (d = rK/4 depth steps; the "d + 13" loop form).
  int pe_overhead = 13;
  int unit_rearm_cycles = 2;          // PPU hand-off -> unit ready again
  // Post-processing unit, per 16-output tile.
  int ppu_occupancy = 57;             // hand-off -> next hand-off accepted
  int ppu_output_latency = 56;        // hand-off -> output words visible to the Arranger
  // Command framing
  int compute_overhead = 7;           // opcode parse + output stream latency of a COMPUTE
  int config_cycles = 4;
  int load_input_overhead = 4;        // LOAD_INP: NB beats + this
  int load_weight_overhead = 10;      // LOAD_WGT: nblk * words/block beats + this
  int epilogue_cycles_per_block = 3;  // B, Mq, S per block
  int epilogue_overhead = 2;
  int nop_cycles = 2;
  // Closed form of §4.2 (used when model == kClosedForm): end-of-command drain
  // = drain_base + V.
  int closed_form_drain_base = 66;
  // Arranger FIFO depth (unit ids in flight).
  int arranger_fifo_depth = 16;
};

enum class WeightEncoding : uint8_t {
  kExact,     // weights must already be integer grid values of the method (quantized model)
  kReleased,  // the v12 host transformation of §1.6 (scale changes; not bit-exact with the CPU)
};

// Switches that reproduce the released design's quirks (§10). All off by
// default: potacc implements the intended behaviour.
struct CompatFlags {
  bool uniform4_sign_magnitude = false;  // §10.4: negative 4-bit codes contribute +(16-c)*x
  bool unchecked_local_input = false;    // §10.8: do not refuse K beyond the local input buffer
};

struct AcceleratorConfig {
  std::string name;          // "potacc-v12-pynq-z2-apot"
  std::string description;
  std::string board;         // "pynq-z2", "kv260", or free text
  std::string source_path;   // file it was loaded from ("" if built in code)
  int units = 4;             // V
  double clock_hz = 200e6;
  const quant::Method* method = nullptr;  // PE type
  int streams = 4;
  int stream_bits = 32;
  BufferGeometry buffers;
  TimingParams timing;
  fixed_point::Rounding ppu_rounding = fixed_point::Rounding::kDouble;
  std::vector<BuiltinOp> accepted_ops = {BuiltinOp::kConv2D};
  bool first_conv_on_cpu = false;   // §5.1 (APoT / INT8 builds keep the first CONV_2D on the CPU)
  bool weights_resident_nop = true; // §5.4 tileOpt: NOP instead of reloading a single column tile
  // The PPU clamps only to int8 (§10.5); the host applies tighter ReLU/ReLU6
  // bounds during the output scatter unless this is false (released behaviour).
  bool host_activation_clamp = true;
  WeightEncoding encoding = WeightEncoding::kExact;
  CompatFlags compat;

  // Derived quantities.
  int code_bits() const { return method->code_bits; }
  int codes_per_word() const { return 32 / method->code_bits; }      // per 32-bit stream word
  int64_t peak_macs_per_cycle() const { return int64_t{64} * units; }  // 4x4x4 PEs per unit
  // Largest padded depth the weight buffer of one unit can hold (driver abort limit).
  int64_t max_depth() const { return 4 * buffers.weight_addresses; }
  bool Accepts(int32_t builtin) const;
};

// Parses a configuration from JSON text. Unknown or ill-typed fields throw
// potacc::Error naming the field (and `where`, e.g. the file).
AcceleratorConfig ParseAcceleratorConfig(const std::string& json_text, const std::string& where);
AcceleratorConfig LoadAcceleratorConfig(const std::string& path);

// Environment variable naming the configs/ folder (holding accel/ and boards/)
// for a binary that does not run from its source tree.
inline constexpr const char* kConfigDirEnv = "POTACC_CONFIG_DIR";
// Folder of the shipped configurations ($POTACC_CONFIG_DIR/accel, else the
// source tree's configs/accel).
std::string ShippedConfigDir();
// "shipped configs in <dir> (from POTACC_CONFIG_DIR|compiled-in source tree);
// set POTACC_CONFIG_DIR ..." for "not found" messages.
std::string ConfigDirHint();
// Names of the shipped configurations (file stems), sorted.
std::vector<std::string> ShippedConfigNames();

// Resolves what the user typed after --accel:
//  * a path to a .json file -> that file;
//  * a shipped config name ("potacc-v12-kv260-apot") -> that file;
//  * a method name ("apot", "int8", ...) + board -> "potacc-v12-<board>-<method>".
// Throws potacc::Error listing the valid choices.
AcceleratorConfig ResolveAcceleratorConfig(const std::string& spec, const std::string& board = "pynq-z2");

// The JSON form of a configuration (round-trips through ParseAcceleratorConfig).
std::string AcceleratorConfigToJson(const AcceleratorConfig& config);

}  // namespace potacc::accel
