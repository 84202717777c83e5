// The Verilated whole-accelerator RTL (hw/rtl/potacc_accel.v) as seen from
// C++: one clock cycle at a time, at the level of the AXI4-Stream ports.
//
// This is the layer a host-side model drives: the RTL backend's stream driver
// (rtl_driver.h) pushes command words and pulls output beats through it, and a
// register-level DMA model (device backend) can do the same with its own
// TVALID/TREADY behaviour. One model is built per accelerator configuration
// listed in POTACC_RTL_CONFIGS (hw/CMakeLists.txt); MakeRtlModel picks the one
// whose generated RTL parameters equal the configuration's.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/config.h"

namespace potacc::hw {

// What the host drives during one cycle.
struct AxisIn {
  std::array<uint32_t, 4> tdata{};  // input stream q word
  uint8_t tvalid = 0;               // bit q: stream q has a word
  uint8_t tlast = 0;                // bit q: it is the last of its DMA transfer (ignored by the RTL)
  uint8_t m_tready = 0xf;           // bit q: the host takes output stream q's word
  uint8_t stat_addr = 0;            // status register to read (potacc_accel.v register map)
};

// What the accelerator drives during the same cycle (before its rising edge):
// a word moves on input stream q when tvalid and s_tready bits q are both 1,
// and on output stream q when m_tvalid and m_tready bits q are both 1.
struct AxisOut {
  uint8_t s_tready = 0;
  std::array<uint32_t, 4> m_tdata{};
  uint8_t m_tvalid = 0;
  uint8_t m_tlast = 0;
  uint32_t stat_data = 0;
  bool idle = false;       // no command in progress and no input word buffered
  bool idle_next = false;  // the same after this cycle's rising edge (i.e. during the next cycle)
};

class RtlModel {
 public:
  virtual ~RtlModel() = default;
  // Holds reset for a few cycles (clears every state machine and counter;
  // buffer contents stay).
  virtual void Reset() = 0;
  // One clock cycle: drives `in`, returns the outputs during the cycle, then
  // clocks the rising edge.
  virtual AxisOut Cycle(const AxisIn& in) = 0;
  // Reads a status register without clocking (the status port is combinational).
  virtual uint32_t ReadStatus(int addr) = 0;
  // Cycles clocked since construction.
  virtual uint64_t cycles() const = 0;
};

// Status registers (hw/rtl/potacc_accel.v).
namespace status {
inline constexpr int kMagic = 0;
inline constexpr int kParams = 1;     // {UNITS, METHOD, ROUNDING} bytes 2..0
inline constexpr int kState = 2;
inline constexpr int kPostDrain = 3;  // last hand-off -> TLAST beat of the last COMPUTE
inline constexpr int kCycles = 4;
inline constexpr int PeBusy(int unit) { return 16 + unit; }
inline constexpr int PpuBusy(int unit) { return 32 + unit; }
inline constexpr int Tiles(int unit) { return 48 + unit; }
inline constexpr uint32_t kMagicValue = 0x506f5441;  // "PoTA"
}  // namespace status

// One built model (generated table, rtl_models.cc).
struct RtlModelInfo {
  std::string config;  // configuration it was generated from
  std::string key;     // RtlParamsKey of its parameters
  std::function<std::unique_ptr<RtlModel>()> make;
};
const std::vector<RtlModelInfo>& RtlModels();

// The model for `config` (matched by RTL parameters, so any configuration with
// the same hardware parameters works). Throws potacc::Error naming the built
// configurations when there is none.
std::unique_ptr<RtlModel> MakeRtlModel(const accel::AcceleratorConfig& config);

}  // namespace potacc::hw
