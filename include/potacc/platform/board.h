// An edge board as data: host CPU cost model, memory system, DMA, FPGA clock
// and power model. Loaded from configs/boards/<name>.json (or any path).
//
// Every number in a board file is an object {"value": X, "source": "..."} or
// {"value": X, "assumption": "...", "range": [low, high], "range_reason": "..."}:
// an assumption must say how far it may be off and why. A sourced number may
// carry a range too (a measurement on a similar system). The loader refuses
// bare numbers, notes without ranges, values outside their field's plausible
// limits, fractions where an integer is meant and fields it does not use, so
// no number is ever unexplained or ignored. docs/board-model.md describes each
// field; potacc compare --uncertainty propagates the ranges.
#pragma once

#include <filesystem>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace potacc::accel {
struct AcceleratorConfig;
}

namespace potacc::platform {

// Per-operator int8 kernel throughput of one host core (TFLite CPU kernels).
struct CpuCostModel {
  std::string name;          // "ARM Cortex-A9 (2 cores)"
  int cores = 1;
  double clock_hz = 1e9;
  // Speed-up of n threads = 1 + (n - 1) * thread_efficiency (multithreaded ops only).
  double thread_efficiency = 1.0;
  double op_overhead_cycles = 0;       // interpreter dispatch + per-op set-up
  double conv_macs_per_cycle = 1;      // CONV_2D (im2col + GEMM)
  double depthwise_macs_per_cycle = 1; // DEPTHWISE_CONV_2D
  double fc_macs_per_cycle = 1;        // batch-1 FULLY_CONNECTED (GEMV)
  double matmul_macs_per_cycle = 1;    // BATCH_MATMUL, multi-row FULLY_CONNECTED (GEMM, no im2col)
  double elementwise_bytes_per_cycle = 1;    // ADD, MUL, pooling, lookup tables, (de)quantize, ...
  double nonlinear_bytes_per_cycle = 1;      // SOFTMAX, RSQRT
  double data_movement_bytes_per_cycle = 1;  // RESHAPE, PAD, CONCATENATION, slicing, ...
};

// Host work that delegation adds (the reference driver, §5.3 of the reference doc).
struct HostDriverCost {
  double im2col_bytes_per_cycle = 1;            // cached -> cached gather
  double dma_buffer_write_bytes_per_cycle = 1;  // row split into the DMA input buffers
  double dma_buffer_read_bytes_per_cycle = 1;   // output scatter from the DMA output buffers
  double per_command_cycles = 0;                // command words, headers, bookkeeping
};

struct MemorySystem {
  double ddr_bandwidth_bytes_per_s = 1e9;
  double ddr_energy_j_per_byte = 0;
};

struct DmaModel {
  int channels = 4;
  double setup_seconds = 0;                 // per channel per transfer (program + start + wait)
  double stream_bandwidth_bytes_per_s = 1;  // sum over channels, each direction
};

// Accelerator resource counts (one design, "ip" scope).
struct Resources {
  double lut = 0, ff = 0, dsp = 0, bram = 0, uram = 0;
};

// Resources from a reader of one named count, read in the order lut, ff, dsp,
// bram, uram: every JSON parser of resource counts lists the fields once.
template <class ReadCount>
Resources ResourcesFrom(ReadCount&& read) {
  return {read("lut"), read("ff"), read("dsp"), read("bram"), read("uram")};
}

struct PowerModel {
  double ps_idle_w = 0;          // processing system + DDR + board at idle
  double core_active_w = 0;      // added per busy core
  double pl_static_w = 0;        // programmable-logic static power (bitstream loaded)
  bool cpu_only_pl_loaded = true;  // CPU-only runs still carry an (idle) accelerator bitstream
  double dma_active_w = 0;       // DMA engines + interconnect while streaming
  // Energy per toggle / access of each resource (J), and the activities.
  double lut_j_per_toggle = 0;
  double ff_j_per_toggle = 0;
  double ff_clock_j_per_cycle = 0;   // clock-tree load per flip-flop, every cycle
  double dsp_j_per_op = 0;
  double bram_j_per_access = 0;
  double uram_j_per_access = 0;
  double logic_toggle_rate = 0.125;  // fraction of cycles a busy LUT/FF/DSP toggles
  double memory_access_rate = 0.5;   // fraction of cycles a busy block RAM is accessed
  // Published Vivado "ip" resources per accelerator design (pe method -> counts).
  std::map<std::string, Resources> published_resources;
};

// One documented number of a board file, as written there (file units: Hz,
// W, pJ, us, ...). Every numeric field of a loaded board has one, in file order.
struct BoardValue {
  std::string path;          // "cpu.conv_macs_per_cycle"
  double value = 0;
  bool from_source = false;  // "source" (true) or "assumption" (false)
  std::string note;          // the source or the assumption
  bool has_range = false;    // plausible [low, high] (always for an assumption)
  double low = 0, high = 0;
  std::string range_reason;  // why the range is what it is
};

// Where the accelerator's block design sits in the physical address space
// (reference §4.3): what the device backend maps through /dev/mem. Optional
// in a board file ("address_map"); addresses may be written as "0x..." text.
struct DeviceAddressMap {
  bool present = false;
  uint64_t accel_ctrl = 0;         // accelerator AXI-Lite (status registers)
  uint64_t accel_ctrl_bytes = 0;
  uint64_t dma_base = 0;           // AXI DMA i registers at dma_base + i * dma_stride
  uint64_t dma_stride = 0;
  int dma_length_bits = 26;        // width of the LENGTH registers
  uint64_t buffer_base = 0;        // channel i: output buffer at buffer_base + i * buffer_stride,
  uint64_t buffer_stride = 0;      //   its input buffer right after it
  uint64_t output_buffer_bytes = 0;
  uint64_t input_buffer_bytes = 0;
  uint64_t scratch_bytes = 0;      // head of each input buffer for per-command words; the rest: preloaded weights
};

struct Board {
  std::string name;
  std::string description;
  std::filesystem::path file;  // where it was loaded from (empty if built in code)
  CpuCostModel cpu;
  HostDriverCost host;
  MemorySystem memory;
  DmaModel dma;
  // The accelerator on this board: its clock and GEMM-unit count (the one
  // place these facts live: accelerator configurations composed for the
  // board take them from here) and its buffer geometry
  // (configs/accel/boards/<accel_board>.json).
  double fpga_clock_hz = 100e6;
  std::string fpga_device;       // part name, e.g. "xc7z020-1" (empty if the file names none)
  int accel_units = 4;
  std::string accel_board;
  PowerModel power;
  DeviceAddressMap address;
  nlohmann::json json;           // the document it came from (calibrate edits and rewrites it)
  std::vector<BoardValue> values;  // every documented number, in file order
  const BoardValue* Find(const std::string& path) const;
};

// Parses a board document. `where` names it in error messages.
Board BoardFromJson(const nlohmann::json& doc, const std::string& where);

// A path to a .json file, or the name of a shipped board (configs/boards/<name>.json,
// also searched under $POTACC_BOARDS). Throws potacc::Error naming the file and field.
Board LoadBoard(const std::string& name_or_path);

// Names of the shipped boards.
std::vector<std::string> ShippedBoards();

// Environment variables that move the shipped board files for a binary that
// does not run from its source tree: POTACC_BOARDS names the folder of board
// files itself; else POTACC_CONFIG_DIR (the configs/ folder) gives <it>/boards.
// (accel::kConfigDirEnv, accel/config.h).
inline constexpr const char* kBoardsEnv = "POTACC_BOARDS";

// Folder of the shipped board files: $POTACC_BOARDS, else
// $POTACC_CONFIG_DIR/boards, else the source tree's configs/boards.
std::filesystem::path BoardsDir();

// Throws potacc::Error unless the configuration runs at the board's fpga
// clock with its GEMM-unit count (the board model converts accelerator cycles
// with the board's clock, and power scales with its units).
void CheckAcceleratorFitsBoard(const accel::AcceleratorConfig& config, const Board& board);

// Sets a numeric field (dotted path, e.g. "cpu.conv_macs_per_cycle") in a board
// document with its provenance note; used by calibration.
void SetBoardValue(nlohmann::json& doc, const std::string& dotted_path, double value,
                   const std::string& source);

// The board with some documented numbers replaced (path -> value, file units),
// notes and ranges kept: one point of a sensitivity or uncertainty study.
// Throws potacc::Error for an unknown path or a value outside the field's
// plausible limits.
Board BoardWithValues(const Board& board, const std::map<std::string, double>& values);

}  // namespace potacc::platform
