// Accelerator configurations as data.
//
// One AcceleratorConfig is the resolved value of a whole design point of the
// reference shift-PE accelerator family (../shared/docs/reference-accelerator.md
// §2.2): number of GEMM units, clock, PE method, buffer geometries, streams,
// the timing parameters of the event model (§2.4-2.6, §4.2), PPU rounding,
// which operators the driver accepts, family modes, and compatibility switches
// for the released design's quirks (§10). The driver, the simulator, the
// delegation and the board model all read the same value; nothing about a
// board or a method is hard-wired.
//
// A configuration is COMPOSED (docs/accelerator.md, "Configurations"):
//   family  configs/accel/families/<family>.json: protocol, timing, PPU,
//           accepted operators, modes, per-method design notes, and which
//           boards / methods the family exists for;
//   board   configs/boards/<board>.json: the accelerator clock and GEMM-unit
//           count (fpga.clock_hz, fpga.accel_units: their one place) and the
//           buffer geometry it carries (fpga.accel_board ->
//           configs/accel/boards/<geometry>.json: buffers, streams);
//   method  the PE type (quant::Method);
// plus optional user overrides of any field. Each layer is a partial
// configuration in the JSON form below; later layers win (JSON merge patch).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "potacc/accel/command.h"
#include "potacc/fixed_point.h"
#include "potacc/model.h"
#include "potacc/quant/method.h"

namespace potacc::platform {
struct Board;
}

namespace potacc::accel {

// Buffer sizes (per GEMM unit unless noted), in addresses of the hardware
// arrays, as in the reference design's acc_config.
struct BufferGeometry {
  // Weight buffer: addresses per unit. One address holds 4 columns x 4 depth
  // weights (a 64-bit word of 4-bit codes, or two parallel 64-bit int8 banks).
  // JSON may give "weight_words" instead, the unit's 64-bit words over all
  // banks (the same for 4-bit and INT8 designs of a board, §2.2):
  // weight_addresses = weight_words / weight_banks.
  int64_t weight_addresses = 4096;
  int weight_banks = 1;            // 1 (shift: 64-bit codes) or 2 (INT8: 2 x 64-bit)
  // Local input buffer: addresses per unit; one address = one 128-bit beat
  // (4 rows x 4 depth), split into banks "a" and "b".
  int64_t local_input_addresses = 2048;
  // Global input buffer: addresses per bank, 4 banks of 32 bits (bank q = row q of a strip).
  int64_t gib_addresses = 8192;
  // Weight-sum / multiplier / shift entries per lane per unit (WSUMS_BUF_LEN).
  int64_t wsums_entries = 128;
  // Partial-sum buffer per unit (depth splitting, potacc-x): entries of one
  // 4x4 tile of 32-bit sums (512 bits). 0 = none (the reference design).
  int64_t psum_entries = 0;
};
// Partial-sum buffers of at most this many entries are distributed RAM
// (RAM64X1D, simple dual port for the read-add-write), larger ones block RAM:
// the resource model and the RTL (its PSUM_STYLE) use this one threshold.
inline constexpr int64_t kPsumLutramEntries = 64;

// Cycle parameters of the timing model. Defaults are the released SystemC
// model, i.e. the potacc-v12 family (its family file overrides none of them);
// docs/accelerator.md names each constant, where it comes from and how it maps
// to a thread. ValidateAcceleratorConfig states the accepted ranges.
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
  // potacc-x modes (docs/accelerator.md "potacc-x"):
  // depth splitting - a tile's 16 sums are added to / written into the
  // partial-sum buffer after the depth loop (read-add-write, per tile);
  int psum_cycles = 4;
  // depthwise mode - per strip, the window generator's set-up replaces the
  // strip broadcast (the inputs already sit in the units' slab buffers).
  int dw_strip_setup_cycles = 1;
};

// potacc-x modes (ModeSpec below; the family file switches them on):
//  depth_split     layers whose depth exceeds one unit's buffers run in K-chunks
//                  with the partial sums kept on chip (buffers.psum_entries);
//                  off: refused and left on the CPU, as in the reference (tiling.cc);
//  weight_preload  §5.2 DMA_WGT_PRELOAD (default on): packed weights are copied
//                  once into the DMA preload area; off: the host copies each
//                  LOAD_WGT's words per inference (driver.cc);
//  host_overlap    double-buffered DMA buffers: the host prepares tile t+1 while
//                  the accelerator runs tile t (board timeline, accel_workload.cc).
// Depthwise mode is not a mode: it is on exactly when accepted_ops lists
// DEPTHWISE_CONV_2D (one fact, one place).
inline constexpr const char* kModeDepthSplit = "depth_split";
inline constexpr const char* kModeWeightPreload = "weight_preload";
inline constexpr const char* kModeHostOverlap = "host_overlap";

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

// A named behaviour switch or small integer setting that a family turns on
// ("modes": {"name": true|integer} in JSON). A mode exists only once the code
// implementing it registers it (POTACC_REGISTER_ACCEL_MODE in that .cc file),
// so a family cannot ask for behaviour nothing implements, and a misspelt mode
// is a load error naming the known ones.
struct ModeSpec {
  std::string name;          // "weights_broadcast"
  std::string meaning;       // one line, shown in errors and docs
  int64_t default_value = 0;
  int64_t min = 0, max = 1;  // [0, 1]: a flag (JSON true/false or 0/1)
  bool is_flag() const { return min == 0 && max == 1; }
};
// Registers a mode; returns true (for static initializers). Throws on a
// duplicate name or an empty range.
bool RegisterAcceleratorMode(ModeSpec spec);
// Every registered mode, sorted by name.
std::vector<ModeSpec> AcceleratorModes();
#define POTACC_ACCEL_MODE_CAT2(a, b) a##b
#define POTACC_ACCEL_MODE_CAT(a, b) POTACC_ACCEL_MODE_CAT2(a, b)
#define POTACC_REGISTER_ACCEL_MODE(...)                                                          \
  [[maybe_unused]] static const bool POTACC_ACCEL_MODE_CAT(potacc_accel_mode_, __COUNTER__) = \
      ::potacc::accel::RegisterAcceleratorMode(__VA_ARGS__)

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
  // Family modes that were set (registered names only); Mode() gives the
  // registered default for the others.
  std::map<std::string, int64_t> modes;

  // Derived quantities.
  int code_bits() const { return method->code_bits; }
  int codes_per_word() const { return 32 / method->code_bits; }      // per 32-bit stream word
  int64_t peak_macs_per_cycle() const { return int64_t{64} * units; }  // 4x4x4 PEs per unit
  // Largest padded depth the weight buffer of one unit can hold (driver abort limit).
  int64_t max_depth() const { return 4 * buffers.weight_addresses; }
  bool Accepts(int32_t builtin) const;

  // The ICECS 2024 design (reference §6) differs from v12 by modes
  // (docs/accelerator.md, "The ICECS family"):
  //   weights_broadcast   every unit holds the whole weight tile (registered in tiling.cc)
  //   weight_preload      0: the host copies each weight tile at every LOAD_WGT (driver.cc)
  //   icecs_v2_protocol   3-word LOAD_WGT header, raw shifts, global B/Mq/S arrays pushed
  //                       (9 words) to a unit's PPU at every dispatch (command.cc)
  //   max_tile_rows       rows per tile capped by a row-sum buffer, 0 = none (tiling.cc)
  bool weights_broadcast() const { return Flag("weights_broadcast"); }
  Protocol protocol() const { return Flag("icecs_v2_protocol") ? Protocol::kIcecsV2 : Protocol::kV12; }
  // Weight-buffer addresses one tile can fill (all units' buffers, or one unit's when broadcast).
  int64_t tile_weight_addresses() const {
    return weights_broadcast() ? buffers.weight_addresses : units * buffers.weight_addresses;
  }
  // Blocks (4 columns) one tile's epilogue arrays can hold: per unit (v12) or global (ICECS).
  int64_t max_tile_blocks() const {
    return protocol() == Protocol::kIcecsV2 ? buffers.wsums_entries : units * buffers.wsums_entries;
  }
  // Value of a registered mode (its default when not set). Throws
  // potacc::Error for a name no code registered.
  int64_t Mode(std::string_view name) const;
  bool Flag(std::string_view name) const { return Mode(name) != 0; }
  // Depthwise mode (potacc-x): DEPTHWISE_CONV_2D is an accepted operator.
  bool depthwise_mode() const;
  // The potacc-x modes (registered where they are implemented).
  bool depth_split() const { return Flag(kModeDepthSplit); }
  bool weight_preload() const { return Flag(kModeWeightPreload); }
  bool host_overlap() const { return Flag(kModeHostOverlap); }
};

// "double", "single", "icecs-v2" (the PPU rounding names of configurations and --rounding).
const char* RoundingName(fixed_point::Rounding r);
bool ParseRounding(const std::string& name, fixed_point::Rounding* out);

// Parses a complete ("flat") configuration from JSON text, then validates it
// (ValidateAcceleratorConfig). Unknown, ill-typed or out-of-range fields throw
// potacc::Error naming the field (and `where`, e.g. the file).
AcceleratorConfig ParseAcceleratorConfig(const std::string& json_text, const std::string& where);
// Cross-field constraints (timing values the models can honour, buffer sizes a
// device could hold); throws potacc::Error("<where>: field '...' ...").
void ValidateAcceleratorConfig(const AcceleratorConfig& config, const std::string& where);
// Loads a configuration file: a flat configuration, or a composition file
// (one with "family" or "method": see ResolveAcceleratorConfig). Refuses
// directories, devices and FIFOs.
AcceleratorConfig LoadAcceleratorConfig(const std::string& path);

// Environment variable naming the configs/ folder (holding accel/ and boards/)
// for a binary that does not run from its source tree.
inline constexpr const char* kConfigDirEnv = "POTACC_CONFIG_DIR";
// Folder of the shipped accelerator descriptions ($POTACC_CONFIG_DIR/accel,
// else the source tree's configs/accel): families/ and boards/ below it.
std::string ShippedConfigDir();
// "shipped configs in <dir> (from POTACC_CONFIG_DIR|source tree);
// set POTACC_CONFIG_DIR ..." for "not found" messages.
std::string ConfigDirHint();

inline constexpr const char* kDefaultFamily = "potacc-v12";
inline constexpr const char* kDefaultBoard = "pynq-z2";

// What a board contributes to a configuration (from its board file).
struct AccelBoard {
  std::string name;      // "pynq-z2" (the board file's name)
  std::string geometry;  // fpga.accel_board: configs/accel/boards/<geometry>.json
  double clock_hz = 0;   // fpga.clock_hz
  int units = 0;         // fpga.accel_units
  std::string where;     // the board file, for messages
};
AccelBoard AccelBoardOf(const platform::Board& board);
// A shipped board name or a board .json file (platform::LoadBoard).
AccelBoard LoadAccelBoard(const std::string& name_or_path);

// A user layer on top of a composition: any configuration fields, e.g.
// {"timing": {"ppu_occupancy": 40}}; "name"/"description" rename it.
struct ConfigOverrides {
  std::string json_text = "{}";
  std::string where;  // the file, for messages
};

// family (shipped name or a family .json file) x board x method (+ overrides).
// Throws potacc::Error naming the file and field at fault, or saying which
// boards / methods the family exists for.
AcceleratorConfig ComposeAcceleratorConfig(const std::string& family, const AccelBoard& board,
                                           const std::string& method, const ConfigOverrides* overrides = nullptr);

// Shipped families (configs/accel/families/*.json stems), sorted.
std::vector<std::string> ShippedFamilies();
// Names "<family>-<board>-<method>" of every shipped composition (each
// family on each shipped board it exists for, with each of its methods), sorted.
std::vector<std::string> ShippedConfigNames();

// How ResolveAcceleratorConfig completes a selection.
struct AcceleratorChoice {
  std::string board;   // for a method name, or a composition file without "board"; "" = kDefaultBoard
  std::string family;  // likewise for "family"; "" = kDefaultFamily
  // true (the CLI): a board or family the spec already fixes (a shipped
  // configuration name, a flat file, a composition file naming another one)
  // is an error instead of being ignored.
  bool refuse_ignored = false;
};

// Resolves what the user typed after --accel:
//  * a method name ("apot")               -> compose(family, board, method);
//  * a shipped name ("potacc-hls-kv260-apot") -> compose(potacc-hls, kv260, apot);
//  * a path (a .json file, or anything that exists on disk) -> LoadAcceleratorConfig,
//    where a composition file may leave "family" / "board" to `choice`.
// Throws potacc::Error listing the valid choices.
AcceleratorConfig ResolveAcceleratorConfig(const std::string& spec, const AcceleratorChoice& choice);
inline AcceleratorConfig ResolveAcceleratorConfig(const std::string& spec, const std::string& board = kDefaultBoard,
                                                  const std::string& family = "") {
  return ResolveAcceleratorConfig(spec, AcceleratorChoice{board, family, false});
}

// The flat JSON form of a configuration (round-trips through ParseAcceleratorConfig).
std::string AcceleratorConfigToJson(const AcceleratorConfig& config);

}  // namespace potacc::accel
