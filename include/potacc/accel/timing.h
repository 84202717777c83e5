// Timing of the accelerator's commands (§4.2).
//
// COMPUTE is timed by an event model of the reference design's threads
// (§2.4-2.6): the Scheduler (per strip: poll every unit's readiness, broadcast
// the strip, dispatch tiles round-robin, one dispatch_gap apart, waiting for
// busy units), each GEMM unit (PE loop of d + pe_overhead cycles, a two-stage
// pipeline with its PPU: the hand-off waits until the PPU is free), each PPU
// (ppu_occupancy cycles per tile) and the Arranger (one output beat per cycle,
// in dispatch order, through a FIFO of unit ids). Time advances per tile, not
// per clock. kClosedForm evaluates the closed form of §4.2 instead; kCycle
// steps a clock-by-clock emulation of the same threads (slow; a cross-check).
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/accel/config.h"
#include "potacc/accel/stats.h"

namespace potacc::accel {

struct ComputeTiming {
  int64_t cycles = 0;          // opcode to the TLAST beat
  int64_t post_drain = 0;      // last PE hand-off to TLAST (PPU + Arranger tail)
  int64_t output_beats = 0;    // data beats + the TLAST beat
  std::vector<UnitActivity> units;
};

// COMPUTE(rows, cols) at padded depth rk, with the configured timing model.
ComputeTiming TimeCompute(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk);
// The individual models (TimeCompute dispatches on config.timing.model).
ComputeTiming TimeComputeEvent(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk);
ComputeTiming TimeComputeCycle(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk);
int64_t ClosedFormComputeCycles(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk);

// The other commands (one beat per cycle plus fixed overheads).
int64_t ConfigCycles(const AcceleratorConfig& config);
int64_t LoadInputCycles(const AcceleratorConfig& config, int64_t rows, int64_t rk);
int64_t LoadWeightCycles(const AcceleratorConfig& config, int64_t blocks, int64_t rk);
int64_t NopCycles(const AcceleratorConfig& config);

}  // namespace potacc::accel
