// What one inference asks of the board, node by node: the input of the
// timeline. CPU nodes carry their work (MACs or bytes, by operator class);
// accelerator nodes carry the driver's host work, the transfers and the
// simulated cycles. Filled from a Model (CPU side) and from the accelerator
// simulator's per-layer statistics (accelerator side, see accel_workload.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc::platform {

// Operator classes of the CPU cost model.
enum class OpClass : uint8_t {
  kConv,          // CONV_2D
  kDepthwise,     // DEPTHWISE_CONV_2D
  kFullyConnected,  // batch-1 FULLY_CONNECTED (a GEMV)
  kMatMul,        // BATCH_MATMUL and FULLY_CONNECTED over several rows: GEMM on activations, no im2col
  kElementwise,   // ADD, SUB, MUL, pooling, MEAN, activations and lookup tables (GELU), (DE)QUANTIZE
  kNonlinear,     // SOFTMAX, RSQRT: exponentials / roots per element
  kDataMovement,  // RESHAPE, TRANSPOSE, GATHER, PAD, CONCATENATION, slicing, packing
};
const char* OpClassName(OpClass c);
// The class of a node of model.main() (FULLY_CONNECTED depends on its row count).
OpClass ClassifyOp(const Model& model, const Operator& op);
OpClass ClassifyOp(int32_t builtin);  // by operator only (batch-1 FULLY_CONNECTED)
// Whether TFLite splits the operator over threads (ruy GEMM, depthwise).
bool IsMultithreaded(OpClass c);

// One delegated GEMM layer as the accelerator and its driver see it.
struct AccelNodeWork {
  int64_t m = 0, n = 0, k = 0;
  // Host (CPU) work the delegation adds, per inference.
  int64_t im2col_bytes = 0;       // 0 when the layer needs no im2col (1x1 stride 1)
  int64_t input_pack_bytes = 0;   // rows split into the DMA input buffers (padded depth)
  int64_t weight_copy_bytes = 0;  // weight tiles copied into the DMA buffers (designs without preload)
  int64_t output_unpack_bytes = 0;  // output beats scattered back to the tensor
  int64_t commands = 0;           // accelerator commands issued (CONFIG, LOAD_*, COMPUTE, NOP)
  int64_t dma_transfers = 0;      // DMA channel transfers programmed (MM2S + S2MM)
  int64_t tiles = 1;              // row x column tiles (for overlap: pipeline depth)
  // Data moved by DMA.
  int64_t bytes_to_accel = 0;     // inputs + weights + commands + epilogues
  int64_t bytes_from_accel = 0;   // outputs
  // Simulated accelerator cycles (at the FPGA clock).
  int64_t load_cycles = 0;        // input + weight streaming (one beat per cycle)
  int64_t compute_cycles = 0;     // config + compute + output drain
  // Mean fraction of GEMM-unit cycles doing PE work during compute_cycles (0..1).
  double pe_utilization = 0;
  std::string pe_method;          // "int8", "qkeras", ...
  bool overlap = false;           // the design double-buffers this layer's host work (mode host_overlap)
};

struct NodeWork {
  int node = -1;
  std::string op;                 // "CONV_2D"
  OpClass op_class = OpClass::kElementwise;
  int64_t macs = 0;               // conv / depthwise / FC / matmul
  int64_t bytes = 0;              // element-wise / data movement: bytes touched
  int64_t ddr_bytes = 0;          // estimated DRAM traffic of the CPU kernel (inputs + weights + outputs)
  bool on_accel = false;
  AccelNodeWork accel;            // meaningful when on_accel
};

struct Workload {
  std::string name;
  std::vector<NodeWork> nodes;

  int64_t total_macs() const;
};

// CPU-side work of every node of the model's main subgraph (all on the CPU).
Workload CpuWorkload(const Model& model, const std::string& name);

}  // namespace potacc::platform
