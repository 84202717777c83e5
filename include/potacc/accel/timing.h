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

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"
#include "potacc/accel/stats.h"

namespace potacc::accel {

// Fixed delays of the re-created threads: consequences of clocked threads
// whose signal and FIFO writes become visible one cycle later, the same in
// both models and not configuration values (docs/accelerator.md, "Timing
// model" explains each; ValidateAcceleratorConfig refuses timing values the
// threads cannot produce).
namespace thread_delay {
// A signal or FIFO entry written at cycle t is visible to other threads at t + kVisible.
inline constexpr int64_t kVisible = 1;
// Dispatch at tc: the Scheduler raises `compute` (tc); the unit sees it and
// lowers `ready` (tc + 1, visible tc + 2); the Scheduler lowers `compute` and
// steps once (tc + 2); it writes the unit id into the Arranger FIFO at tc + 3,
// the cycle the unit, seeing `compute` low, starts its PE loop.
inline constexpr int64_t kDispatchToFifoWrite = 3;
// The least dispatch_gap - dispatch_to_start: the handshake and the
// Scheduler's step after the FIFO write.
inline constexpr int64_t kDispatchHandshake = kDispatchToFifoWrite + 1;
// Of a unit's d + pe_overhead - unit_rearm_cycles cycles from dispatch to
// hand-off, the cycles outside its PE loop (reported as pe_busy): the
// handshake, and the step between the loop's end and the PPU poll.
inline constexpr int64_t kPeOutsideLoop = kDispatchToFifoWrite + 1;
// The Post thread is back at its loop top (where it answers an end-of-command
// request) one step after its PPU is free (hand-off + ppu_occupancy).
inline constexpr int64_t kPostLoopReturn = 1;
// End of command: the Post thread writes the TLAST word; the Scheduler sees
// `ppu_done` one cycle later, lowers `send_done`, and writes the TLAST id into
// the Arranger FIFO the cycle after.
inline constexpr int64_t kTlastToFifoWrite = 2;
}  // namespace thread_delay

struct ComputeTiming {
  int64_t cycles = 0;          // opcode to the TLAST beat
  int64_t post_drain = 0;      // last PE hand-off to TLAST (PPU + Arranger tail)
  int64_t output_beats = 0;    // data beats + the TLAST beat
  std::vector<UnitActivity> units;
};

// What a COMPUTE asks of the units beyond its size (potacc-x modes):
//  * depthwise: no strip broadcast - each strip starts after the window
//    generator's set-up (timing.dw_strip_setup_cycles), the inputs already
//    sit in the units' slab buffers; the depth loop runs rk/4 tap quads;
//  * psum (depth splitting): after its depth loop a tile spends
//    timing.psum_cycles on the partial-sum buffer; tiles that only write it
//    (kFirst, kMiddle) never reach the PPU or the Arranger (no output beats).
struct ComputeKind {
  bool depthwise = false;
  PsumMode psum = PsumMode::kNone;
  bool plain() const { return !depthwise && psum == PsumMode::kNone; }
  auto operator<=>(const ComputeKind&) const = default;
};

// COMPUTE(rows, cols) at padded depth rk, with the configured timing model.
ComputeTiming TimeCompute(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                          ComputeKind kind = {});
// The individual models (TimeCompute dispatches on config.timing.model; the
// closed form exists only for the reference's plain COMPUTE, other kinds use
// the event model).
ComputeTiming TimeComputeEvent(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                               ComputeKind kind = {});
ComputeTiming TimeComputeCycle(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                               ComputeKind kind = {});
int64_t ClosedFormComputeCycles(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk);

// The other commands (one beat per cycle plus fixed overheads).
int64_t ConfigCycles(const AcceleratorConfig& config, bool depthwise = false);  // CONFIG / CONFIG_DW
int64_t LoadInputCycles(const AcceleratorConfig& config, int64_t rows, int64_t rk);
// LOAD_INP of any tile (GEMM strips or a depthwise slab): its beats + overhead.
int64_t LoadInputCycles(const AcceleratorConfig& config, const InputTile& tile);
int64_t LoadWeightCycles(const AcceleratorConfig& config, int64_t blocks, int64_t rk);
int64_t NopCycles(const AcceleratorConfig& config);

}  // namespace potacc::accel
