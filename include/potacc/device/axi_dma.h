// AMD/Xilinx AXI DMA (LogiCORE PG021) in direct register ("simple") mode:
// the register map and a polling driver for one channel. The reference block
// design has four such DMAs, each with an MM2S channel (memory -> the
// accelerator's input stream) and an S2MM channel (output stream -> memory).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "potacc/device/mmio.h"

namespace potacc::device {

// PG021, "Direct Register Mode Register Address Map" (offsets from the
// DMA's base address).
namespace axi_dma {
inline constexpr uint32_t kMm2sDmacr = 0x00;
inline constexpr uint32_t kMm2sDmasr = 0x04;
inline constexpr uint32_t kMm2sSa = 0x18;
inline constexpr uint32_t kMm2sSaMsb = 0x1C;
inline constexpr uint32_t kMm2sLength = 0x28;  // writing a non-zero length starts the transfer
inline constexpr uint32_t kS2mmDmacr = 0x30;
inline constexpr uint32_t kS2mmDmasr = 0x34;
inline constexpr uint32_t kS2mmDa = 0x48;
inline constexpr uint32_t kS2mmDaMsb = 0x4C;
inline constexpr uint32_t kS2mmLength = 0x58;  // buffer length; after completion: bytes received

// DMACR bits.
inline constexpr uint32_t kCrRunStop = 1u << 0;
inline constexpr uint32_t kCrReserved1 = 1u << 1;  // reads as 1
inline constexpr uint32_t kCrReset = 1u << 2;      // soft reset of the whole core; self-clearing
inline constexpr uint32_t kCrIocIrqEn = 1u << 12;
inline constexpr uint32_t kCrDlyIrqEn = 1u << 13;
inline constexpr uint32_t kCrErrIrqEn = 1u << 14;

// DMASR bits (the three IRQ bits are write-1-to-clear).
inline constexpr uint32_t kSrHalted = 1u << 0;
inline constexpr uint32_t kSrIdle = 1u << 1;
inline constexpr uint32_t kSrSgIncld = 1u << 3;
inline constexpr uint32_t kSrDmaIntErr = 1u << 4;
inline constexpr uint32_t kSrDmaSlvErr = 1u << 5;
inline constexpr uint32_t kSrDmaDecErr = 1u << 6;
inline constexpr uint32_t kSrSgIntErr = 1u << 8;
inline constexpr uint32_t kSrSgSlvErr = 1u << 9;
inline constexpr uint32_t kSrSgDecErr = 1u << 10;
inline constexpr uint32_t kSrIocIrq = 1u << 12;
inline constexpr uint32_t kSrDlyIrq = 1u << 13;
inline constexpr uint32_t kSrErrIrq = 1u << 14;
inline constexpr uint32_t kSrErrors =
    kSrDmaIntErr | kSrDmaSlvErr | kSrDmaDecErr | kSrSgIntErr | kSrSgSlvErr | kSrSgDecErr;
inline constexpr uint32_t kSrIrqs = kSrIocIrq | kSrDlyIrq | kSrErrIrq;

// "halted, DMA slave error, interrupt on error" for messages.
std::string DescribeStatus(uint32_t dmasr);
}  // namespace axi_dma

enum class DmaDirection { kMm2s, kS2mm };

// One channel of one AXI DMA, driven by polling (no interrupts: the process
// needs no kernel driver). Every wait is bounded; failures throw
// potacc::Error with the channel, the status register decoded and `context`
// (e.g. the accelerator's state).
class AxiDmaChannel {
 public:
  using Clock = std::chrono::steady_clock;
  // `name` like "AXI DMA 2 S2MM"; `context` adds detail to timeout messages.
  AxiDmaChannel(RegisterWindow& regs, DmaDirection dir, std::string name,
                std::function<std::string()> context = {});

  // Sets Run/Stop with interrupt-on-complete and error enables, waits until
  // the channel leaves Halted.
  void Run(std::chrono::milliseconds timeout);
  // Clears the IRQ bits, writes the address and then the length (which starts it).
  void Start(uint64_t address, uint32_t bytes);
  // Waits until the started transfer completes (IOC) or fails; returns the
  // bytes moved (S2MM: the length register's count of bytes received).
  uint32_t Wait(Clock::time_point deadline);

  uint32_t Status() { return regs_.Read32(sr_); }
  const std::string& name() const { return name_; }

 private:
  [[noreturn]] void Fail(const std::string& what, uint32_t dmasr);

  RegisterWindow& regs_;
  DmaDirection dir_;
  std::string name_;
  std::function<std::string()> context_;
  uint32_t cr_, sr_, addr_, addr_msb_, length_;
  uint32_t started_bytes_ = 0;
  Clock::time_point started_at_;
};

// Soft-resets one AXI DMA core (both channels) through MM2S_DMACR.Reset and
// waits for the bit to clear. Throws when nothing answers like an AXI DMA
// (the bitstream is not loaded or the address map is wrong).
void ResetAxiDma(RegisterWindow& regs, const std::string& name, std::chrono::milliseconds timeout);

}  // namespace potacc::device
