// Plain per-layer results of running a model with the accelerator: what the
// report prints and what the board model (platform/) consumes for its
// latency/energy timeline. No behaviour here, only data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace potacc::accel {

// Accelerator cycles by command kind (all at the accelerator clock). Commands
// run strictly one after another (v12 has no overlap), so total() is their sum.
struct PhaseCycles {
  int64_t config = 0;        // CONFIG
  int64_t load_input = 0;    // LOAD_INP (one 128-bit beat per cycle + overhead)
  int64_t load_weights = 0;  // LOAD_WGT header + data + epilogue
  int64_t compute = 0;       // COMPUTE, from the opcode to the last TLAST beat
  int64_t nop = 0;           // NOP (weights kept resident)
  // Inside compute (overlapped, informative): cycles from the last PE hand-off
  // to the TLAST beat (PPU + Arranger drain), and output beats streamed.
  int64_t post_drain = 0;
  int64_t output_beats = 0;

  int64_t total() const { return config + load_input + load_weights + compute + nop; }
  PhaseCycles& operator+=(const PhaseCycles& o);
};

// Busy cycles of one GEMM unit (sum over COMPUTE commands).
struct UnitActivity {
  int64_t pe_busy = 0;   // PE array running a depth loop
  int64_t ppu_busy = 0;  // post-processing unit requantizing a tile
  int64_t tiles = 0;     // 4x4 output tiles computed
  UnitActivity& operator+=(const UnitActivity& o);
};

// CPU work the delegation adds per inference (the driver's host side).
struct HostWork {
  int64_t im2col_bytes = 0;         // bytes written by im2col (0 for 1x1 stride-1 convolutions)
  int64_t input_pack_bytes = 0;     // rows split into the 4 DMA input buffers (padded depth)
  // Weight tiles (with header and epilogue) the host copies into the DMA
  // buffers at every LOAD_WGT when the design has no weight preload (ICECS).
  int64_t weight_copy_bytes = 0;
  int64_t output_scatter_bytes = 0; // output bytes scattered from the output beats into the tensor
  int64_t row_split_copies = 0;     // LOAD_INP commands (one row split + DMA each)
  int64_t commands = 0;             // commands issued (CONFIG, LOAD_*, COMPUTE, NOP)
  int64_t dma_transfers = 0;        // DMA transfers programmed (4 channels per stream transfer)
  HostWork& operator+=(const HostWork& o);
};

// Where a node ran and, for the accelerator, everything measured about it.
struct LayerStats {
  int node = -1;
  std::string op;          // "CONV_2D"
  std::string device;      // "accel" or "cpu"
  std::string reason;      // why it stayed on the CPU (empty for accel)
  // GEMM view (accel nodes): C[M x N] = A[M x K] * W[N x K]^T.
  int64_t m = 0, n = 0, k = 0;
  int64_t rk = 0, rn = 0, rm = 0;       // padded sizes
  int64_t k_chunks = 1;                 // K-chunks (depth splitting; 1 = whole depth at once)
  int64_t col_inc = 0, row_inc = 0;     // tile sizes chosen by the driver (§5.4)
  int64_t row_tiles = 0, col_tiles = 0;
  int64_t weight_loads = 0;             // LOAD_WGT commands per inference
  PhaseCycles cycles;                   // per inference (last one)
  // When the backend also reports the event model's prediction for the same
  // commands (backend.h model_stats(): the RTL backend), its cycles.
  bool has_model_cycles = false;
  PhaseCycles model_cycles;
  std::vector<UnitActivity> units;      // per GEMM unit
  HostWork host;
  int64_t bytes_to_accel = 0;    // stream bytes host -> accelerator (commands, inputs, weights, epilogues)
  int64_t bytes_from_accel = 0;  // stream bytes accelerator -> host (output beats incl. TLAST beats)
  int64_t preload_weight_bytes = 0;  // packed weights + epilogues held in the DMA preload area
  int64_t dispatch_epilogue_words = 0;  // B/Mq/S words pushed to a PPU per dispatched tile (ICECS)
  int64_t macs() const { return m * n * k; }
  // MACs per accelerator cycle (whole layer incl. loads) / peak MACs per cycle.
  double utilization = 0;
  double compute_utilization = 0;  // same over COMPUTE cycles only
  int invocations = 0;
};

struct AccelRun {
  std::string config_name;
  std::string backend;  // "sim", "rtl", "device" (backend.h)
  std::string pe_method;
  std::string board;
  int units = 0;
  double clock_hz = 0;
  int64_t peak_macs_per_cycle = 0;
  bool host_overlap = false;       // the design double-buffers host work (mode host_overlap)
  std::vector<LayerStats> layers;  // one per node of the main subgraph, in order

  int accel_layers() const;
  PhaseCycles total_cycles() const;  // summed over accelerator layers
  HostWork total_host() const;
  int64_t total_accel_macs() const;
  double seconds(int64_t cycles) const { return clock_hz > 0 ? static_cast<double>(cycles) / clock_hz : 0; }
};

}  // namespace potacc::accel
