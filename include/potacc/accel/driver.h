// The host driver (§5): prepares a GEMM layer once (weight encoding, packing,
// epilogue, tiling) and runs it per inference by generating the §3 command
// stream tile by tile, executing it on the simulator and scattering the
// output beats into C. CONV_2D / FULLY_CONNECTED lowering lives in lowering.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/command.h"
#include "potacc/accel/config.h"
#include "potacc/accel/lowering.h"
#include "potacc/accel/packing.h"
#include "potacc/accel/sim.h"
#include "potacc/accel/stats.h"
#include "potacc/accel/tiling.h"

namespace potacc::accel {

// C[M x N] = requant(A[M x K] * W[N x K]^T + B[N]) as prepared for one config.
// A depthwise layer (depthwise.h) has A = the NHWC input, M = output pixels,
// N = channels, K = taps.
struct PreparedGemm {
  int64_t m = 0, n = 0, k = 0;
  std::shared_ptr<const PackedWeights> weights;
  TilePlan plan;
  int32_t output_zero_point = 0;
  int32_t input_zero_point = 0;   // depthwise: the slab padding value
  kernels::ConvShape conv;        // depthwise: the layer geometry
  // Fused-activation bounds the host applies while scattering (the PPU only
  // clamps to int8). [-128, 127] = no extra clamp.
  int32_t act_min = -128, act_max = 127;
  int64_t released_case_b_channels = 0;
  std::string refused;  // non-empty: run this layer on the CPU (reason)
  bool ok() const { return refused.empty(); }
};

// Encodes, packs and tiles. Never throws for unsupported weights or shapes:
// sets `refused` with the reason instead.
PreparedGemm PrepareGemm(const AcceleratorConfig& config, const LayerWeights& layer, int64_t m, int32_t act_min = -128,
                         int32_t act_max = 127);
// The same for a lowered node (GEMM or depthwise). shape_only: plan and sizes
// only, the weights are neither read nor encoded (data-free timing; assumes
// they are on the method's grid, i.e. the model was quantized for it).
PreparedGemm PrepareLayer(const AcceleratorConfig& config, const GemmLowering& lowering, bool shape_only = false);

// Calls fn for every command of the layer's stream, in order; `tile` is the
// tile a COMPUTE (or the LOAD_*/NOP before it) belongs to (null for CONFIG).
using CommandSink = std::function<void(const Command& cmd, const Tile* tile)>;
void GenerateCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda, const CommandSink& fn);
// The whole stream as a vector (tests, inspection).
std::vector<Command> BuildCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda);

// Runs the layer on `backend` (the simulator, the RTL, a device): c[row * ldc + col]
// for row < m, col < n. Adds the driver's host work (row split, output scatter,
// commands, DMA transfers) to *host when given.
// Data-free: a == nullptr sends shape-only commands (no data is packed, the
// backend only counts) and c is not written; the host work is the same.
void RunGemm(Backend& backend, const PreparedGemm& gemm, const int8_t* a, int64_t lda, int8_t* c, int64_t ldc,
             HostWork* host = nullptr);

// The driver's host work for one command (RunGemm adds it up).
void CountHostWork(const AcceleratorConfig& config, const Command& cmd, HostWork* work);

// Accelerator cycles of a planned GEMM from its shape alone (no data): the
// same command sequence and per-command timing RunGemm produces.
PhaseCycles EstimateGemmCycles(const AcceleratorConfig& config, const TilePlan& plan);

}  // namespace potacc::accel
