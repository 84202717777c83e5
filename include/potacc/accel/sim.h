// The accelerator simulator: executes the §3 command stream functionally
// (every output through the configured PE arithmetic, lane accumulators,
// B, PPU rounding and clamp) and in time (cycles per command via timing.h).
//
// Hardware blocks and where they live:
//   Input_Handler / Data_In  sim.cc          (opcode decode, buffer loads)
//   global input buffer      sim.cc          (4 banks, strip layout of §2.3)
//   GEMM unit buffers        sim.cc          (per-unit weight slots + epilogue arrays)
//   PE array                 pe.cc + sim.cc  (fast path: decoded weights, int16 dot products)
//   PPU                      ppu.h
//   Scheduler/units/Arranger timing.cc       (event model)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/command.h"
#include "potacc/accel/config.h"
#include "potacc/accel/stats.h"
#include "potacc/accel/timing.h"
#include "potacc/kernels/gemm.h"

namespace potacc::accel {

// The "sim" backend (backend.h): the default, registered under kDefaultBackend.
class Simulator : public Backend {
 public:
  explicit Simulator(const AcceleratorConfig& config);

  std::string name() const override { return kDefaultBackend; }
  // Executes one command. COMPUTE appends its output beats (data beats, then
  // the TLAST beat) to `out` (stream q = row q of each strip).
  void Execute(const Command& cmd, StreamWordsT* out) override;
  void Execute(const Command& cmd) { Execute(cmd, nullptr); }

  const SimStats& stats() const override { return stats_; }
  void ResetStats() override;
  const AcceleratorConfig& config() const override { return config_; }

  // Host memory the simulated buffers hold: it grows with what the commands
  // load, never with the configured capacity (a configuration with a huge
  // GIB costs nothing until a LOAD_INP fills it).
  int64_t allocated_buffer_bytes() const;

  // The end-of-command marker word the PPUs emit (TLAST beat).
  static constexpr uint32_t kTlastWord = 5000;

 private:
  void Configure(const Command& cmd);
  void LoadInputs(const Command& cmd);
  void LoadSlabs(const InputTile& t);
  void LoadWeights(const Command& cmd);
  void Compute(const Command& cmd, StreamWordsT* out);
  void CheckPsum(const Command& cmd, int64_t strips, int64_t blocks);
  // The 4x4 tile sums (before B) of strip g, block b: [col * 4 + row].
  void TileSums(int64_t g, int64_t b, const Command& cmd, int32_t sums[16]);
  // Where block b of the loaded tile lives: a broadcast tile (ICECS) is kept
  // once, in unit 0, slot b; a distributed one in unit b % V, slot b / V.
  int WeightUnit(int64_t b) const { return broadcast_ ? 0 : static_cast<int>(b % config_.units); }
  int64_t WeightSlot(int64_t b) const { return broadcast_ ? b : b / config_.units; }
  const ComputeTiming& Timing(int64_t rows, int64_t cols, ComputeKind kind);

  AcceleratorConfig config_;
  std::vector<int16_t> weight_table_;  // code -> effective value (proven equal to PeProduct)
  Protocol protocol_;                  // config_.protocol(), looked up once
  bool broadcast_;                     // config_.weights_broadcast()
  SimStats stats_;
  // CONFIG state
  int64_t depth_ = 0;
  int32_t zp_out_ = 0;
  bool depthwise_ = false;       // CONFIG_DW seen (potacc-x depthwise mode)
  DepthwiseGeometry dw_;
  int64_t slab_rows_ = 0;        // depthwise: slab rows of the loaded tile
  // Global input buffer: bank q = row q of each strip, 32-bit words.
  std::array<std::vector<uint32_t>, 4> gib_;
  int64_t gib_rows_ = 0;
  // Per unit: decoded weights [slot][col][depth], epilogue [slot][col],
  // depthwise slabs [slot][pixel] (4 channels per word), partial sums
  // [entry][col * 4 + row] (depth splitting; entry = strip * slots + slot).
  struct Unit {
    std::vector<int16_t> weights;
    std::vector<int32_t> bias_sum, multiplier;
    std::vector<int8_t> shift;
    int64_t slots = 0;
    std::vector<uint32_t> slab;
    std::vector<int32_t> psum;
    // The PPU of every column as a CPU requantizer (TFLite's shift
    // convention), built at the first COMPUTE after LOAD_WGT or CONFIG when
    // the vector requantization is exact for these columns (see Compute).
    std::vector<int> tflite_shift;
    std::optional<kernels::RowRequantizer> ppu;
  };
  std::vector<Unit> units_;
  // Output words of one strip: the PE dot products of every unit (CPU
  // kernels), the PPU per column, 4 columns packed per word.
  void ComputeStrip(int64_t g, int64_t blocks, StreamWordsT* out);
  // Unit u's PPU as a RowRequantizer, or null when only the scalar PPU
  // reproduces it (single rounding, shifts outside TFLite's range).
  const kernels::RowRequantizer* UnitPpu(Unit& unit);
  int64_t loaded_depth_ = 0;
  int64_t loaded_blocks_ = 0;
  int64_t slab_blocks_ = 0;
  std::pair<int64_t, int64_t> psum_shape_{-1, -1};  // (strips, blocks) of the sums held
  std::map<std::tuple<int64_t, int64_t, int64_t, ComputeKind>, ComputeTiming> timing_cache_;
  std::vector<int16_t> strip16_;
  // Per unit, scratch of Compute: the strip's accumulators and output bytes.
  std::vector<std::vector<int32_t>> dots_;
  std::vector<std::vector<int8_t>> bytes_;
};

}  // namespace potacc::accel
