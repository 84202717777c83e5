#include "potacc/device/axi_dma.h"

#include <thread>

#include "potacc/error.h"
#include "potacc/util/hex.h"

namespace potacc::device {

namespace axi_dma {
std::string DescribeStatus(uint32_t sr) {
  static const struct {
    uint32_t bit;
    const char* name;
  } kBits[] = {{kSrHalted, "halted"},
               {kSrIdle, "idle"},
               {kSrSgIncld, "scatter-gather built in"},
               {kSrDmaIntErr, "DMA internal error"},
               {kSrDmaSlvErr, "DMA slave error"},
               {kSrDmaDecErr, "DMA decode error"},
               {kSrSgIntErr, "SG internal error"},
               {kSrSgSlvErr, "SG slave error"},
               {kSrSgDecErr, "SG decode error"},
               {kSrIocIrq, "transfer complete"},
               {kSrDlyIrq, "delay interrupt"},
               {kSrErrIrq, "error interrupt"}};
  std::string s;
  for (const auto& b : kBits) {
    if (sr & b.bit) s += (s.empty() ? "" : ", ") + std::string(b.name);
  }
  if (!(sr & (kSrHalted | kSrIdle))) s = "running, busy" + std::string(s.empty() ? "" : ", ") + s;
  return "DMASR=" + Hex(sr) + ": " + s;
}
}  // namespace axi_dma

using namespace axi_dma;

namespace {

// Polls `done` until it returns true or the deadline passes. Yields between
// polls: the DMAs take microseconds, and an emulated device needs the CPU.
template <class Done>
bool PollUntil(AxiDmaChannel::Clock::time_point deadline, Done&& done) {
  for (;;) {
    if (done()) return true;
    if (AxiDmaChannel::Clock::now() >= deadline) return done();
    std::this_thread::yield();
  }
}

}  // namespace

AxiDmaChannel::AxiDmaChannel(RegisterWindow& regs, DmaDirection dir, std::string name,
                             std::function<std::string()> context)
    : regs_(regs), dir_(dir), name_(std::move(name)), context_(std::move(context)) {
  const bool mm2s = dir == DmaDirection::kMm2s;
  cr_ = mm2s ? kMm2sDmacr : kS2mmDmacr;
  sr_ = mm2s ? kMm2sDmasr : kS2mmDmasr;
  addr_ = mm2s ? kMm2sSa : kS2mmDa;
  addr_msb_ = mm2s ? kMm2sSaMsb : kS2mmDaMsb;
  length_ = mm2s ? kMm2sLength : kS2mmLength;
}

void AxiDmaChannel::Fail(const std::string& what, uint32_t dmasr) {
  std::string msg = name_ + ": " + what + " (" + DescribeStatus(dmasr) + ")";
  if (context_) {
    const std::string ctx = context_();
    if (!ctx.empty()) msg += "; " + ctx;
  }
  throw Error(msg);
}

void AxiDmaChannel::Run(std::chrono::milliseconds timeout) {
  regs_.Write32(cr_, kCrRunStop | kCrIocIrqEn | kCrErrIrqEn);
  if (!PollUntil(Clock::now() + timeout, [&] { return !(Status() & kSrHalted); }))
    Fail("did not leave the halted state within " + std::to_string(timeout.count()) + " ms of Run/Stop", Status());
}

void AxiDmaChannel::Start(uint64_t address, uint32_t bytes) {
  Check(bytes > 0, name_ + ": zero-length transfer");
  regs_.Write32(sr_, kSrIrqs);  // write 1 to clear
  regs_.Write32(addr_, static_cast<uint32_t>(address));
  if (address >> 32) regs_.Write32(addr_msb_, static_cast<uint32_t>(address >> 32));
  started_bytes_ = bytes;
  started_at_ = Clock::now();
  regs_.Write32(length_, bytes);
}

uint32_t AxiDmaChannel::Wait(Clock::time_point deadline) {
  uint32_t sr = 0;
  const bool done = PollUntil(deadline, [&] {
    sr = Status();
    return (sr & (kSrIocIrq | kSrErrors)) != 0 || (sr & kSrHalted) != 0;
  });
  if (sr & kSrErrors) Fail("transfer of " + std::to_string(started_bytes_) + " bytes failed", sr);
  if (!done) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at_).count();
    Fail("transfer of " + std::to_string(started_bytes_) + " bytes did not complete in " + std::to_string(ms) +
             " ms (timeout)",
         sr);
  }
  if (!(sr & kSrIocIrq)) Fail("channel halted during a transfer", sr);
  regs_.Write32(sr_, kSrIocIrq);
  return dir_ == DmaDirection::kS2mm ? regs_.Read32(length_) : started_bytes_;
}

void ResetAxiDma(RegisterWindow& regs, const std::string& name, std::chrono::milliseconds timeout) {
  const uint32_t before = regs.Read32(kMm2sDmacr);
  if (!(before & kCrReserved1)) {
    throw Error(name + ": no AXI DMA answers (MM2S_DMACR=" + Hex(before) +
                ", its reserved bit 1 always reads 1): is the bitstream loaded, and is the board's address_map right?");
  }
  regs.Write32(kMm2sDmacr, kCrReset);
  const auto deadline = AxiDmaChannel::Clock::now() + timeout;
  if (!PollUntil(deadline, [&] { return !(regs.Read32(kMm2sDmacr) & kCrReset); }))
    throw Error(name + ": soft reset did not complete within " + std::to_string(timeout.count()) + " ms");
  for (uint32_t sr_offset : {kMm2sDmasr, kS2mmDmasr}) {
    const uint32_t sr = regs.Read32(sr_offset);
    if (sr & kSrSgIncld)
      throw Error(name + " is built with scatter-gather; the reference design (and this driver) uses simple mode");
    if (!(sr & kSrHalted)) throw Error(name + ": not halted after reset (" + DescribeStatus(sr) + ")");
  }
}

}  // namespace potacc::device
